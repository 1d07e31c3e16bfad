"""The numeric platform: every library that picks its code path by the CPU, pinned in one place.

The same float computation can round differently on two x86-64 CPUs, because several libraries
choose their kernels when they load, by the CPU's vector extensions (AVX2, AVX-512) and vendor
(Intel, AMD). Two kernels that sum in a different order or use other instructions give results that
differ in the last bits, and training amplifies such bits into other weights and, now and then,
another predicted class. ``PINS`` below names each of those choices with the value every job gets
on an x86-64-v3 CPU (AVX2 and FMA: every Intel CPU since Haswell, every AMD since Zen, every
GitHub-hosted x86 runner), and why. The Snakefile applies them to its own environment before any
job starts, so that every job inherits them: scripts, the report's notebook kernel and cluster jobs
alike.

The pins fix kernels for reproducibility, not for speed: at large widths they cost PyTorch up to
2.7× (MKL's COMPATIBLE branch is SSE2). The speed job, whose timings are not deterministic outputs,
therefore runs without them (``run_unpinned``): each library as it runs when left alone.

A user's own setting of a pinned variable loses to the pin, with a warning that names both values:
a setting that silently won would make ``make check`` fail with no hint why. To run with your own
values (to emulate another CPU, or to time the libraries' own choices), set
``SPIRALBENCH_PINS=off``; ``platform.json`` then records that the pins were off, and the check
prints it beside the published platform.

On other CPUs (arm64, or x86-64 below v3) no pin applies: those kernels do not exist there, and the
check compares distributions over seeds and conclusions instead of bytes (``spiralbench.reproduction``).

What the pins cannot reach is a library's choice by the CPU's vendor: ``spiralbench.kernels`` replays
every kernel of a training run under MKL's and oneDNN's code branches and names any that depends on it.

``describe()`` records what was in effect (CPU, ISA level, numpy's dispatch, the BLAS kernel,
library versions, the pins) as ``platform.json`` in the results directory and, when publishing,
beside the manifest.
"""
from __future__ import annotations

import json
import os
import platform
import re
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

SWITCH = "SPIRALBENCH_PINS"  # "off": keep the environment's own values of the pinned variables
BEFORE_PINS = "SPIRALBENCH_BEFORE_PINS"  # the pinned variables' values before the pins, as JSON
PLATFORM_FILE = "platform.json"


@dataclass(frozen=True)
class Pin:
    variable: str
    value: str
    reason: str


# On an x86-64-v3 CPU: the code path each library would otherwise choose by the CPU, fixed to one
# that every such CPU runs the same way.
PINS = (
    Pin("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR",
        "numpy dispatches its loops (sums, exp, log, ...) at import to the best of its targets the CPU "
        "has; its AVX-512 targets (these are numpy 2.4's) round differently from its AVX2 one, X86_V3"),
    Pin("OPENBLAS_CORETYPE", "Haswell",
        "numpy's OpenBLAS picks a matrix-product kernel by CPU (SkylakeX, Zen, Haswell, ...), each "
        "summing in its own order; Haswell's needs only AVX2 and FMA"),
    Pin("MKL_CBWR", "COMPATIBLE",
        "PyTorch's float32 matrix products run in MKL, which dispatches by CPU; its AVX2 branch is kept "
        "on Intel CPUs only (elsewhere MKL falls back to its per-CPU dispatch), COMPATIBLE is the one "
        "branch it keeps on Intel and AMD alike"),
    Pin("ATEN_CPU_CAPABILITY", "avx2",
        "PyTorch's own kernels (element-wise, reductions, softmax) exist in AVX2 and AVX-512 versions"),
    Pin("ONEDNN_MAX_CPU_ISA", "AVX2",
        "oneDNN, PyTorch's other kernel library, generates code for the CPU's widest vectors"),
)

# Not numeric pins: numpy's BLAS on one thread in every job, because the matrices are tiny and idle
# BLAS threads spinning beside other jobs make a small-matrix loop several times slower. A user's
# value is kept. PyTorch's threads are set by the jobs themselves (torch.set_num_threads), and the
# speed job raises both to `speed.threads` while it times (threadpoolctl).
THREADS = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

# Other code paths of one x86-64 machine, with the pins off: what the libraries choose on a CPU with
# AVX-512, and their generic kernels (SSE only). Reruns on them measure how far the numbers move from
# one code path to another (``spiralbench.level_experiment``: faithful reruns the check must pass). A value of None
# removes the variable.
CODE_PATHS = {
    "avx512": {SWITCH: "off", "NPY_DISABLE_CPU_FEATURES": None, "OPENBLAS_CORETYPE": "SkylakeX",
               "MKL_CBWR": "AUTO", "ATEN_CPU_CAPABILITY": "avx512", "ONEDNN_MAX_CPU_ISA": "ALL"},
    "generic": {SWITCH: "off", "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
                "OPENBLAS_CORETYPE": "Nehalem", "MKL_CBWR": "SSE4_2", "ATEN_CPU_CAPABILITY": "default",
                "ONEDNN_MAX_CPU_ISA": "SSE41"},
}


def code_paths(level: str | None = None) -> dict[str, dict]:
    """The code paths this CPU can run: the AVX-512 one only where the CPU has AVX-512."""
    level = level or isa_level()
    return {name: env for name, env in CODE_PATHS.items() if name != "avx512" or level == "x86-64-v4"}


def environment_with(changes: dict, environ=os.environ) -> dict:
    """A copy of ``environ`` with ``changes`` made (None removes a variable)."""
    changed = {**environ, **{key: value for key, value in changes.items() if value is not None}}
    for key in (key for key, value in changes.items() if value is None):
        changed.pop(key, None)
    return changed


# What x86-64-v3 requires beyond v2, as /proc/cpuinfo names the flags.
_V3_FLAGS = {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe", "xsave", "abm"}
_V4_FLAGS = {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}
_V2_FLAGS = {"cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"}


def cpu_flags() -> set[str] | None:
    """The CPU's feature flags as the Linux kernel reports them; None where there is no /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return None


def isa_level(machine: str | None = None, flags: set[str] | None = None) -> str:
    """'x86-64-v4', 'x86-64-v3', 'x86-64-v2', 'x86-64' or, off x86-64, the machine's name ('aarch64')."""
    machine = machine or platform.machine()
    if machine.lower() not in ("x86_64", "amd64"):
        return machine
    flags = cpu_flags() if flags is None else flags
    if flags is None:  # not Linux: ask numpy, whose detection reads the CPU itself
        from numpy._core._multiarray_umath import __cpu_features__ as features
        levels = [name for name in ("X86_V4", "X86_V3", "X86_V2") if features.get(name)]
        return f"x86-64-v{levels[0][-1]}" if levels else "x86-64"
    for level, needed in (("x86-64-v4", _V2_FLAGS | _V3_FLAGS | _V4_FLAGS), ("x86-64-v3", _V2_FLAGS | _V3_FLAGS),
                          ("x86-64-v2", _V2_FLAGS)):
        if needed <= flags:
            return level
    return "x86-64"


def pins_apply(level: str | None = None) -> bool:
    """Whether this CPU runs the pinned code paths: x86-64-v3 or better."""
    return (level or isa_level()) in ("x86-64-v3", "x86-64-v4")


def pin_environment(environ=os.environ, level: str | None = None) -> list[str]:
    """Set the pins (and the thread defaults) in ``environ``; return a warning for each value replaced.

    Nothing numeric is pinned when ``SPIRALBENCH_PINS=off`` or on a CPU that cannot run the pinned
    code paths; the returned lines then say so.
    """
    for variable, value in THREADS.items():
        environ.setdefault(variable, value)
    if environ.get(SWITCH, "").lower() == "off":
        return [f"{SWITCH}=off: the numeric pins are off, so outputs may differ from the published manifest "
                "(the check then compares distributions and conclusions)"]
    level = level or isa_level()
    if not pins_apply(level):
        return [f"this CPU is {level}, not x86-64-v3: no numeric pin applies, and the outputs may differ from "
                "the published manifest in the last bits (the check then compares distributions and conclusions)"]
    warnings = []
    environ.setdefault(BEFORE_PINS, json.dumps({pin.variable: environ.get(pin.variable) for pin in PINS}))
    for pin in PINS:
        own = environ.get(pin.variable)
        if own is not None and own != pin.value:
            warnings.append(f"{pin.variable}={own} from your environment is replaced by the pin "
                            f"{pin.variable}={pin.value} ({pin.reason}); set {SWITCH}=off to keep yours")
        environ[pin.variable] = pin.value
    return warnings


def unpinned_environment(environ=os.environ) -> dict:
    """A copy of ``environ`` as it was before the pins (the pins off, every pinned variable as the user had it)."""
    before = json.loads(environ.get(BEFORE_PINS, "{}"))
    return environment_with({**before, SWITCH: "off"}, environ)


def run_unpinned(environ=os.environ) -> None:
    """Run this process again, from the start, without the pins, unless they are already off.

    The libraries read the pinned variables when they load, so a process cannot drop them once numpy
    or PyTorch is imported: it starts again (same program, same arguments) in the environment of
    ``unpinned_environment``.
    """
    if pins_state(environ) in ("on", "partly"):
        os.execve(sys.executable, [sys.executable, *sys.argv], unpinned_environment(environ))


def pins_in_effect(environ=os.environ) -> dict[str, str | None]:
    """Each pinned variable's value in ``environ`` (None when unset)."""
    return {pin.variable: environ.get(pin.variable) for pin in PINS}


def pins_state(environ=os.environ) -> str:
    """'on' when every pin holds in ``environ``, 'off' when the user turned them off, else 'partly' or 'none'."""
    if environ.get(SWITCH, "").lower() == "off":
        return "off"
    held = [environ.get(pin.variable) == pin.value for pin in PINS]
    return "on" if all(held) else ("partly" if any(held) else "none")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith(("model name", "Model", "CPU part")):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _first_processor(path: str = "/proc/cpuinfo") -> dict[str, str]:
    """The fields of the first processor in ``/proc/cpuinfo`` ({} where there is none, as on macOS)."""
    fields = {}
    try:
        with open(path, encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def cpu_identity(path: str = "/proc/cpuinfo") -> str:
    """Vendor, family, model and stepping: what names the CPU where its name is generic (cloud VMs that
    report only "AMD EPYC"), e.g. "AuthenticAMD family 25 model 17 stepping 1" (Zen 4)."""
    fields = _first_processor(path)
    parts = [f"{name} {fields[key]}" for key, name in (("cpu family", "family"), ("model", "model"),
                                                       ("stepping", "stepping")) if key in fields]
    return " ".join([fields.get("vendor_id", "")] + parts).strip() or "unknown"


def memory_total(path: str = "/proc/meminfo") -> str:
    """The machine's memory, e.g. "23.5 GiB" ("unknown" without /proc/meminfo)."""
    try:
        with open(path, encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def numpy_dispatch() -> list[str]:
    """numpy's SIMD targets in effect: its baseline, then the dispatch targets it enabled here."""
    from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    return list(__cpu_baseline__) + [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]


def blas() -> list[str]:
    """Each loaded BLAS as 'library version, kernel, n threads' (threadpoolctl)."""
    from threadpoolctl import threadpool_info
    return [f"{lib.get('internal_api')} {lib.get('version')}, kernel {lib.get('architecture', '?')}, "
            f"{lib.get('num_threads')} threads" for lib in threadpool_info() if lib.get("user_api") == "blas"]


def torch_platform() -> dict:
    import torch
    mkl = re.search(r"Math Kernel Library Version (\S+)", torch.__config__.show())
    return {"torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "torch_mkl": mkl.group(1) if mkl else "none",
            "torch_build": f"CUDA {torch.version.cuda}" if torch.version.cuda else "CPU"}


# The libraries whose versions the numbers depend on; platform.json records them.
NUMERIC_LIBRARIES = ("numpy", "scipy", "torch", "pandas", "statsmodels")


def package_versions(packages) -> dict[str, str]:
    """Each package's installed version, or "not installed"."""
    versions = {}
    for package in packages:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def describe(environ=os.environ) -> dict:
    """The numeric platform of this process: what a result's last bits depend on."""
    import numpy  # noqa: F401  (loads numpy's BLAS, so that threadpoolctl sees it)

    libc = " ".join(platform.libc_ver()).strip()
    return {
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "cpu_id": cpu_identity(),
        "cpus": f"{os.cpu_count()} logical, {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} usable by this process",
        "memory": memory_total(),
        "isa_level": isa_level(),
        "os": f"{platform.system()} {platform.release()}",
        "libc": libc or "unknown",
        "python": sys.version.split()[0],
        **{f"version {package}": value for package, value in package_versions(NUMERIC_LIBRARIES).items()},
        "numpy_dispatch": " ".join(numpy_dispatch()),
        "blas": "; ".join(blas()),
        **torch_platform(),
        "pins": pins_state(environ),
        **{f"env {variable}": environ.get(variable, "(unset)")
           for variable in [pin.variable for pin in PINS] + ["GLIBC_TUNABLES", "MKL_ENABLE_INSTRUCTIONS"]},
    }


def side_by_side(published: dict, local: dict) -> str:
    """The two platforms as a table, a '≠' before every line that differs."""
    keys = list(published) + [key for key in local if key not in published]
    width = max(len(key) for key in keys)
    value_width = max([len("published")] + [len(str(published.get(key, "-"))) for key in keys])
    lines = [f"  {'':<{width}}  {'published':<{value_width}}  this run"]
    for key in keys:
        mine, theirs = str(published.get(key, "-")), str(local.get(key, "-"))
        lines.append(f"{'≠' if mine != theirs else ' '} {key:<{width}}  {mine:<{value_width}}  {theirs}")
    return "\n".join(lines)
