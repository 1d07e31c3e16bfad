"""The same bytes on other x86-64 CPUs, emulated on this one.

Every library that picks its code path by the CPU can be told to pick another: numpy's SIMD dispatch
(NPY_DISABLE_CPU_FEATURES), OpenBLAS's kernel (OPENBLAS_CORETYPE), MKL's instructions
(MKL_ENABLE_INSTRUCTIONS), PyTorch's kernels (ATEN_CPU_CAPABILITY), glibc's (GLIBC_TUNABLES). The small
config is run under two such emulated CPUs, the numeric pins on as in every run, and must give the
bytes of the session's native run and of the committed manifest. A third run turns the pins off on
the generic code path: its bytes differ, and the check must say how far it still reproduces.
"""
import subprocess
import sys
import warnings

import pytest
from conftest import CI_CONFIG, REPO, workflow_env
from reproduction import CI_PUBLISHED, assert_reproduces_ci_manifest

from spiralbench import manifest, numeric_platform, reproduction

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not numeric_platform.pins_apply(), reason="the pins apply to x86-64-v3 CPUs only"),
]

AVX512_OFF = "-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD"
EMULATED = {
    # An x86-64-v3 CPU without AVX-512 (Intel Haswell to Alder Lake, AMD Zen 1-3).
    "without AVX-512": {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR", "OPENBLAS_CORETYPE": "Haswell",
                        "MKL_ENABLE_INSTRUCTIONS": "AVX2", "GLIBC_TUNABLES": f"glibc.cpu.hwcaps={AVX512_OFF}"},
    # An Intel Xeon with AVX-512, as each library would see it left alone.
    "Intel Xeon with AVX-512": {"OPENBLAS_CORETYPE": "SkylakeX", "MKL_ENABLE_INSTRUCTIONS": "AVX512",
                                "ATEN_CPU_CAPABILITY": "avx512", "MKL_CBWR": "AVX2", "OPENBLAS_L2_SIZE": None},
}


def run_ci(results_dir, changes, *targets):
    command = [sys.executable, "-m", "snakemake", *targets, "--cores", "2", "--configfile", str(CI_CONFIG),
               "--config", f"results_dir={results_dir}"]
    return subprocess.run(command, cwd=REPO, env=numeric_platform.environment_with(changes, workflow_env()),
                          capture_output=True, text=True)


@pytest.mark.parametrize("cpu", EMULATED)
def test_an_emulated_cpu_gives_the_same_bytes(cpu, ci_results, tmp_path):
    if cpu == "without AVX-512" and "avx512f" not in (numeric_platform.cpu_flags() or set()):
        warnings.warn(f"this CPU has no AVX-512: emulating a CPU {cpu} changes nothing here", stacklevel=1)
    results = tmp_path / "results"
    done = run_ci(results, EMULATED[cpu])
    assert done.returncode == 0, done.stderr[-5000:]

    native, emulated = manifest.build_manifest(ci_results), manifest.build_manifest(results)
    moved = sorted(path for path in native if emulated.get(path) != native[path])
    assert not moved, f"{len(moved)} outputs differ on an emulated CPU {cpu}: {moved[:10]}"
    assert_reproduces_ci_manifest(results)
    # A user's value of a pinned variable is replaced, and the run says so.
    for variable, value in EMULATED[cpu].items():
        pinned = [pin for pin in numeric_platform.PINS if pin.variable == variable]
        if pinned and value is not None and value != pinned[0].value:
            assert f"{variable}={value} from your environment is replaced" in done.stderr


def test_without_the_pins_the_check_says_how_far_it_reproduces(tmp_path):
    results = tmp_path / "results"
    done = run_ci(results, numeric_platform.CODE_PATHS["generic"], "check")

    assert done.returncode != 0, "the generic code path gave the pinned bytes: the pins would not matter"
    assert "Required: bit-identical: FAILED" in done.stdout
    # Another code path rounds differently; the inputs and the runs' distributions are as published.
    assert "Reproduction: DISTRIBUTIONS REPRODUCED" in done.stdout, done.stdout[-3000:]
    (pins_line,) = [line for line in done.stdout.splitlines() if line.lstrip("≠ ").startswith("pins ")]
    assert pins_line.startswith("≠") and pins_line.split()[-2:] == ["on", "off"]
    assessment = reproduction.assess(results, CI_PUBLISHED)
    assert any(o.status == manifest.DIFFERED for o in assessment.outcomes)
