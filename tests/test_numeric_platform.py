"""The numeric pins: which CPUs get them, what a user's own value of a pinned variable becomes, and
what the platform record holds."""
import platform

import pytest

from spiralbench import numeric_platform as np_platform
from spiralbench.numeric_platform import PINS, SWITCH

V2 = {"cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"}
V3 = V2 | {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe", "xsave", "abm"}
V4 = V3 | {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}


@pytest.mark.parametrize("flags, level", [
    (V4, "x86-64-v4"), (V3, "x86-64-v3"), (V3 - {"fma"}, "x86-64-v2"), (V2, "x86-64-v2"), ({"sse2"}, "x86-64"),
])
def test_isa_level_from_the_cpu_flags(flags, level):
    assert np_platform.isa_level("x86_64", flags) == level


def test_other_architectures_are_named_by_their_machine():
    assert np_platform.isa_level("aarch64", set()) == "aarch64"
    assert not np_platform.pins_apply("aarch64")


def test_pins_are_set_on_an_x86_64_v3_cpu():
    environ = {}
    warnings = np_platform.pin_environment(environ, level="x86-64-v3")
    assert warnings == []
    assert all(environ[pin.variable] == pin.value for pin in PINS)
    assert np_platform.pins_state(environ) == "on"
    assert environ["OPENBLAS_NUM_THREADS"] == "1"


def test_a_users_own_value_loses_to_the_pin_with_a_warning_that_names_both():
    environ = {"OPENBLAS_CORETYPE": "SkylakeX", "MKL_CBWR": "COMPATIBLE"}
    warnings = np_platform.pin_environment(environ, level="x86-64-v4")
    assert environ["OPENBLAS_CORETYPE"] == "Haswell"
    (warning,) = warnings  # MKL_CBWR already had the pin's value: nothing to say
    assert "OPENBLAS_CORETYPE=SkylakeX" in warning and "OPENBLAS_CORETYPE=Haswell" in warning
    assert f"{SWITCH}=off" in warning


def test_the_switch_keeps_the_users_values_and_says_so():
    environ = {SWITCH: "off", "OPENBLAS_CORETYPE": "SkylakeX"}
    (warning,) = np_platform.pin_environment(environ, level="x86-64-v4")
    assert environ["OPENBLAS_CORETYPE"] == "SkylakeX" and "MKL_CBWR" not in environ
    assert "pins are off" in warning
    assert np_platform.pins_state(environ) == "off"


def test_no_pin_on_a_cpu_without_avx2_and_a_warning_that_says_why():
    environ = {"OMP_NUM_THREADS": "3"}
    (warning,) = np_platform.pin_environment(environ, level="x86-64-v2")
    assert not any(pin.variable in environ for pin in PINS)
    assert "x86-64-v2" in warning and "distributions and conclusions" in warning
    assert environ["OMP_NUM_THREADS"] == "3"  # thread counts are defaults, not pins


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="numpy's x86 dispatch targets")
def test_the_numpy_pin_disables_every_dispatch_target_above_x86_64_v3():
    """A numpy upgrade that adds a target (AVX10, say) must fail here rather than move the bytes."""
    from numpy._core._multiarray_umath import __cpu_dispatch__

    (numpy_pin,) = [pin for pin in PINS if pin.variable == "NPY_DISABLE_CPU_FEATURES"]
    allowed = {"X86_V2", "X86_V3"}
    assert set(numpy_pin.value.split()) == set(__cpu_dispatch__) - allowed


def test_code_paths_offer_avx512_only_where_the_cpu_has_it():
    assert set(np_platform.code_paths("x86-64-v4")) == {"avx512", "generic"}
    assert set(np_platform.code_paths("x86-64-v3")) == {"generic"}
    assert all(changes[SWITCH] == "off" for changes in np_platform.CODE_PATHS.values())


def test_environment_with_sets_and_removes():
    changed = np_platform.environment_with({"A": "1", "B": None}, {"B": "x", "C": "y"})
    assert changed == {"A": "1", "C": "y"}


def test_describe_records_what_the_last_bits_depend_on():
    described = np_platform.describe({})
    for key in ("cpu", "isa_level", "numpy_dispatch", "blas", "torch_cpu_capability", "version numpy",
                "version torch", "pins"):
        assert described[key], key
    assert described["pins"] == "none"


def test_side_by_side_marks_each_difference():
    text = np_platform.side_by_side({"cpu": "A", "pins": "on"}, {"cpu": "B", "pins": "on"})
    lines = text.splitlines()
    assert lines[1].startswith("≠ cpu") and "A" in lines[1] and lines[1].endswith("B")
    assert lines[2].startswith("  pins")


def test_the_environment_before_the_pins_is_kept_for_the_speed_job():
    environ = {"OPENBLAS_CORETYPE": "SkylakeX"}
    np_platform.pin_environment(environ, level="x86-64-v4")
    assert environ["OPENBLAS_CORETYPE"] == "Haswell"
    before = np_platform.unpinned_environment(environ)
    assert before["OPENBLAS_CORETYPE"] == "SkylakeX" and "MKL_CBWR" not in before
    assert np_platform.pins_state(before) == "off"
    np_platform.pin_environment(environ, level="x86-64-v4")  # a job's Snakemake pins again: the record stays
    assert np_platform.unpinned_environment(environ)["OPENBLAS_CORETYPE"] == "SkylakeX"


def test_run_unpinned_leaves_a_process_without_pins_alone(monkeypatch):
    monkeypatch.setattr(np_platform.os, "execve", lambda *args: pytest.fail("restarted a process without pins"))
    np_platform.run_unpinned({SWITCH: "off"})
    np_platform.run_unpinned({})


def test_the_cpu_is_named_by_family_model_and_stepping_where_its_name_is_generic(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"
                       "model name\t: AMD EPYC\nstepping\t: 1\n\nprocessor\t: 1\ncpu family\t: 99\n")
    assert np_platform.cpu_identity(str(cpuinfo)) == "AuthenticAMD family 25 model 17 stepping 1"
    assert np_platform.cpu_identity(str(tmp_path / "absent")) == "unknown"
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24683792 kB\nMemFree: 1 kB\n")
    assert np_platform.memory_total(str(meminfo)) == "23.5 GiB"
    described = np_platform.describe()
    assert {"cpu_id", "cpus", "memory"} <= set(described)
