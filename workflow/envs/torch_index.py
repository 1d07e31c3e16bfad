"""Which build of PyTorch the Makefile installs, and from where.

    python workflow/envs/torch_index.py BUILD CPU_INDEX REQUIREMENTS

Prints the command that installs torch before the other requirements, or nothing when torch is to come
with them from pip's own indexes (PyPI), and says which in one line on stderr. Run with the Python of
the new environment, before anything is installed in it: the standard library only.

BUILD `cpu` (the default): on Linux, PyPI's torch wheels require several GB of CUDA libraries that this
benchmark, which trains on one CPU thread, never loads. There torch comes from PyTorch's CPU-only index,
as PyTorch's install instructions give it (`pip install torch --index-url .../whl/cpu`): alone, at the
pinned version, without its dependencies, which come from PyPI with the rest. The index is asked once
first, with a short timeout and no retry; where it cannot be reached, the line says so and torch comes
from pip's own indexes at once, instead of after pip's retries against it. On macOS and Windows PyPI's
torch is already the CPU build. BUILD `cuda`: PyPI's torch, as `pip install torch` gives it.
"""

from __future__ import annotations

import platform
import re
import shlex
import sys
import threading
import urllib.error
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


def probe(index: str, seconds: float = PROBE_SECONDS) -> str | None:
    """None if the index serves a page for torch; otherwise why not, within `seconds` whatever happens
    (a name lookup that hangs included: the request runs in a thread that is not waited for longer)."""
    outcome: list[str | None] = []

    def ask() -> None:
        try:
            with urllib.request.urlopen(f"{index.rstrip('/')}/torch/", timeout=seconds) as answer:
                answer.read(1)
            outcome.append(None)
        except urllib.error.HTTPError as error:
            outcome.append(f"HTTP {error.code} for torch")
        except urllib.error.URLError as error:
            outcome.append(str(error.reason))
        except OSError as error:  # a timeout while reading, a reset connection
            outcome.append(str(error) or type(error).__name__)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    thread.join(seconds)
    return outcome[0] if outcome else f"no answer in {seconds:g} s"


def torch_first(build: str, index: str, pin: str, system: str, python: str,
                reachable: Callable[[str], str | None] = probe) -> tuple[list[str], str]:
    """The command that installs torch before the rest (empty: none), and the line that says so."""
    if build not in BUILDS:
        raise ValueError(f"TORCH={build} is not a build this project installs: TORCH=cpu (the default) "
                         f"or TORCH=cuda")
    if build == "cuda":
        return [], "torch: PyPI's build (TORCH=cuda; on Linux the CUDA build, several GB)"
    if system not in CUDA_ON_PYPI:
        return [], f"torch: PyPI's build, which is the CPU build on {system}"
    why = reachable(index)
    if why is not None:
        return [], (f"torch: PyTorch's CPU-only index {index} cannot be reached ({why}); torch comes from "
                    f"pip's own indexes instead (PyPI's is the CUDA build, several GB)")
    command = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--index-url", index, pin]
    return command, f"torch: the CPU build from PyTorch's CPU-only index {index} (TORCH=cuda for PyPI's)"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python workflow/envs/torch_index.py BUILD CPU_INDEX REQUIREMENTS", file=sys.stderr)
        return 2
    build, index, requirements = argv
    try:
        command, said = torch_first(build, index, torch_pin(Path(requirements)), platform.system(),
                                    sys.executable)
    except (ValueError, OSError) as error:
        print(f"workflow/envs/torch_index.py: {error}", file=sys.stderr)
        return 2
    print(said, file=sys.stderr)
    if command:
        print(shlex.join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
