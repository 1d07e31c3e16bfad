"""Which build of PyTorch the Makefile installs, and from where.

    python workflow/envs/torch_index.py BUILD CPU_INDEX REQUIREMENTS

Prints the command that installs torch before the other requirements, or nothing when torch is to come
with them from pip's own indexes (PyPI), and says which in one line on stderr. Run with the Python of
the new environment, before anything is installed in it: the standard library only.

BUILD `cpu` (the default): on Linux, PyPI's torch wheels require several GB of CUDA libraries that this
benchmark, which trains on one CPU thread, never loads. There torch comes from PyTorch's CPU-only index,
as PyTorch's install instructions give it (`pip install torch --index-url .../whl/cpu`): alone, at the
pinned version, without its dependencies, which come from PyPI with the rest. The index is asked once
first, with a short timeout and no retry, whether it has that version for this Python and machine;
where it cannot be reached or has none, the line says so and torch comes from pip's own indexes at once,
instead of after pip's retries against it or a failed install. On macOS and Windows PyPI's
torch is already the CPU build. BUILD `cuda`: PyPI's torch, as `pip install torch` gives it.
"""

from __future__ import annotations

import platform
import re
import shlex
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

BUILDS = ("cpu", "cuda")
# Long enough for a distant index to answer, short enough that an unreachable one costs little.
PROBE_SECONDS = 5.0
# The systems whose PyPI torch wheels pull the CUDA libraries (x86-64 and aarch64 alike).
CUDA_ON_PYPI = {"Linux"}


def torch_pin(requirements: Path) -> str:
    """The `torch==VERSION` line of a requirements file."""
    pins = re.findall(r"^torch==\S+", requirements.read_text(), flags=re.MULTILINE)
    if len(pins) != 1:
        raise ValueError(f"{requirements}: expected one line `torch==VERSION`, found {len(pins)}")
    return pins[0]


def wheel_name(pin: str, python: tuple[int, int], machine: str) -> re.Pattern:
    """The file names of the pinned torch's Linux wheels for this Python and machine, `+cpu` or not."""
    version = pin.split("==", 1)[1]
    tag = f"cp{python[0]}{python[1]}"
    return re.compile(rf"torch-{re.escape(version)}(\+cpu)?-{tag}-{tag}-[\w.]*linux[\w.]*_{re.escape(machine)}\.whl")


def probe(index: str, wheel: re.Pattern, seconds: float = PROBE_SECONDS) -> str | None:
    """None if the index's page for torch lists a wheel named as `wheel`; otherwise what is wrong, within
    `seconds` whatever happens (a name lookup that hangs included: the request runs in a thread that is
    not waited for longer)."""
    outcome: list[str | None] = []

    def ask() -> None:
        try:
            with urllib.request.urlopen(f"{index.rstrip('/')}/torch/", timeout=seconds) as answer:
                page = urllib.parse.unquote(answer.read().decode("utf-8", "replace"))
            outcome.append(None if wheel.search(page) else "has no wheel for this Python and machine")
        except urllib.error.HTTPError as error:
            outcome.append(f"cannot be reached (HTTP {error.code} for torch)")
        except urllib.error.URLError as error:
            outcome.append(f"cannot be reached ({error.reason})")
        except OSError as error:  # a timeout while reading, a reset connection
            outcome.append(f"cannot be reached ({str(error) or type(error).__name__})")

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    thread.join(seconds)
    return outcome[0] if outcome else f"cannot be reached (no answer in {seconds:g} s)"


def torch_first(build: str, index: str, pin: str, system: str, python: str,
                complaint: Callable[[str], str | None]) -> tuple[list[str], str]:
    """The command that installs torch before the rest (empty: none), and the line that says so.
    `complaint(index)`: what keeps the index from serving the pinned torch here, None if nothing."""
    if build not in BUILDS:
        raise ValueError(f"TORCH={build} is not a build this project installs: TORCH=cpu (the default) "
                         f"or TORCH=cuda")
    if build == "cuda":
        return [], "torch: PyPI's build (TORCH=cuda; on Linux the CUDA build, several GB)"
    if system not in CUDA_ON_PYPI:
        return [], f"torch: PyPI's build, which is the CPU build on {system}"
    wrong = complaint(index)
    if wrong is not None:
        return [], (f"torch: PyTorch's CPU-only index {index} {wrong}; {pin} comes from pip's own indexes "
                    f"instead (PyPI's is the CUDA build, several GB)")
    command = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--index-url", index, pin]
    return command, f"torch: the CPU build from PyTorch's CPU-only index {index} (TORCH=cuda for PyPI's)"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python workflow/envs/torch_index.py BUILD CPU_INDEX REQUIREMENTS", file=sys.stderr)
        return 2
    build, index, requirements = argv
    try:
        pin = torch_pin(Path(requirements))
        wheel = wheel_name(pin, sys.version_info[:2], platform.machine())
        command, said = torch_first(build, index, pin, platform.system(), sys.executable,
                                    lambda index: probe(index, wheel))
    except (ValueError, OSError) as error:
        print(f"workflow/envs/torch_index.py: {error}", file=sys.stderr)
        return 2
    print(said, file=sys.stderr)
    if command:
        print(shlex.join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
