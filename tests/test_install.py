"""Which build of PyTorch `make run` and `make test` install, and from where (workflow/envs/torch_index.py).

The pip commands are those `make -n` prints for a fresh environment, against local addresses only: an
index served by a thread of this process, one that refuses at once (port 9, discard, where nothing
listens), one that accepts and never answers. Nothing here reaches the network.
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from spiralbench import reproduction

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "workflow" / "envs" / "torch_index.py"
REFUSING = "http://127.0.0.1:9/"


def load_script():
    spec = importlib.util.spec_from_file_location("torch_index", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


torch_index = load_script()
PIN = torch_index.torch_pin(REPO / "requirements.txt")
TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"
MACHINE = platform.machine()


def wheel_link(version: str, tag: str = TAG, machine: str = MACHINE) -> str:
    """A link as PyTorch's index writes it (the `+` of `+cpu` quoted)."""
    name = f"torch-{version}%2Bcpu-{tag}-{tag}-manylinux_2_28_{machine}.whl"
    return f'<a href="/whl/cpu/{name}#sha256=00">{name.replace("%2B", "+")}</a><br/>'


def serve(root: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def index(tmp_path):
    """A package index whose page for torch lists the pinned version's wheel for this Python and
    machine among others, and which has no page for anything else."""
    version = PIN.split("==")[1]
    links = [wheel_link("1.0.0"), wheel_link(version, tag="cp39"), wheel_link(version, machine="ppc64le"),
             wheel_link(version)]
    (tmp_path / "index" / "torch").mkdir(parents=True)
    (tmp_path / "index" / "torch" / "index.html").write_text(
        "<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    server = serve(tmp_path / "index")
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent():
    """An address that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    listener.close()


# ---------------------------------------------------------------- the probe and the command


def test_the_pin_is_read_from_the_requirements(tmp_path):
    assert PIN.startswith("torch==")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("numpy==2.0.0\n# torch==0.0.1 in a comment\ntorch==9.8.7\ntorchvision==1.0\n")
    assert torch_index.torch_pin(requirements) == "torch==9.8.7"
    requirements.write_text("torch>=2\n")
    with pytest.raises(ValueError, match="expected one line `torch==VERSION`, found 0"):
        torch_index.torch_pin(requirements)


def wheel(pin: str = PIN):
    return torch_index.wheel_name(pin, sys.version_info[:2], MACHINE)


def test_the_wheels_looked_for_are_those_of_the_pin_for_this_python_and_machine():
    for name in ("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl",
                 "torch-2.13.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                 "torch-2.13.0+cpu-cp311-cp311-linux_x86_64.whl"):
        assert torch_index.wheel_name("torch==2.13.0", (3, 11), "x86_64").search(name), name
    for name in ("torch-2.13.0+cpu-cp312-cp312-manylinux_2_28_x86_64.whl",
                 "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_aarch64.whl",
                 "torch-2.13.0+cpu-cp311-cp311-win_amd64.whl",
                 "torch-2.13.01+cpu-cp311-cp311-manylinux_2_28_x86_64.whl",
                 "torch-2.13.0+cu130-cp311-cp311-manylinux_2_28_x86_64.whl"):
        assert not torch_index.wheel_name("torch==2.13.0", (3, 11), "x86_64").search(name), name


def test_an_index_with_the_wheel_is_taken_and_one_without_is_said_so(index):
    assert torch_index.probe(index, wheel()) is None
    assert torch_index.probe(index, wheel("torch==0.0.1")) == "has no wheel for this Python and machine"
    assert torch_index.probe(index + "no-such-path", wheel()) == "cannot be reached (HTTP 404 for torch)"


def test_a_refusing_index_is_given_up_at_once():
    started = time.monotonic()
    why = torch_index.probe(REFUSING, wheel())
    assert why.startswith("cannot be reached (") and "refused" in why.lower()
    assert time.monotonic() - started < 1


def test_an_index_that_never_answers_is_given_up_after_the_timeout(silent):
    started = time.monotonic()
    assert torch_index.probe(silent, wheel(), seconds=0.5).startswith("cannot be reached (")
    assert time.monotonic() - started < 2


def test_a_request_that_hangs_outside_the_socket_timeout_is_given_up_too(monkeypatch):
    """As a name lookup may: the socket's timeout does not cover it."""
    released = threading.Event()

    def hang(*args, **kwargs):
        released.wait(30)
        raise OSError("released by the test")  # the request's thread ends quietly once the test is done

    monkeypatch.setattr(torch_index.urllib.request, "urlopen", hang)
    started = time.monotonic()
    assert torch_index.probe("http://index.invalid/", wheel(), seconds=0.5) == "cannot be reached (no answer in 0.5 s)"
    assert time.monotonic() - started < 2
    released.set()


def never_asked(index):
    raise AssertionError(f"{index} was asked")


@pytest.mark.parametrize("build, system", [("cuda", "Linux"), ("cuda", "Darwin"), ("cpu", "Darwin"),
                                           ("cpu", "Windows")])
def test_pypi_s_build_is_installed_with_the_rest_without_asking_the_index(build, system):
    command, said = torch_index.torch_first(build, REFUSING, PIN, system, "python", complaint=never_asked)
    assert command == []
    assert said.startswith("torch: PyPI's build") and "\n" not in said
    assert ("CUDA" in said) == (build == "cuda")


def test_on_linux_torch_comes_first_from_the_cpu_index_alone_and_without_its_dependencies():
    index = "https://mirror.example/whl/cpu"
    command, said = torch_index.torch_first("cpu", index, "torch==9.8.7", "Linux", "/env/bin/python",
                                            complaint=lambda url: None)
    assert command == ["/env/bin/python", "-m", "pip", "install", "--quiet", "--no-deps", "--index-url", index,
                       "torch==9.8.7"]
    assert said == f"torch: the CPU build from PyTorch's CPU-only index {index} (TORCH=cuda for PyPI's)"


def test_an_unknown_build_is_refused_naming_the_builds():
    with pytest.raises(ValueError, match="TORCH=gpu is not a build .* TORCH=cpu .* or TORCH=cuda"):
        torch_index.torch_first("gpu", REFUSING, PIN, "Linux", "python", complaint=never_asked)


# ---------------------------------------------------------------- what `make` runs


@pytest.fixture
def venv(tmp_path) -> Path:
    """A fresh environment (no pip: `make -n` runs nothing in it but the probe)."""
    path = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def make(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("make"), "--no-print-directory", "-C", str(REPO), *arguments],
                          capture_output=True, text=True, timeout=60)


def make_n(venv: Path, *variables: str) -> subprocess.CompletedProcess:
    return make("-n", "setup", f"VENV={venv}", *variables)


def pip_lines(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stdout.splitlines() if " -m pip " in line]


def test_make_installs_the_cpu_build_first_from_the_index(venv, index):
    done = make_n(venv, f"TORCH_CPU_INDEX={index}")
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    assert pip_lines(done) == [
        f"{python} -m pip install --quiet --upgrade pip",
        f"{python} -m pip install --quiet --no-deps --index-url {index} {PIN}",
        f"{python} -m pip install --quiet -r requirements.txt -e .",
    ]
    assert done.stderr.splitlines() == [f"torch: the CPU build from PyTorch's CPU-only index {index} "
                                        "(TORCH=cuda for PyPI's)"]


def test_make_falls_back_to_pypi_at_once_in_one_line_where_the_index_refuses(venv):
    started = time.monotonic()
    done = make_n(venv, f"TORCH_CPU_INDEX={REFUSING}")
    assert time.monotonic() - started < 10
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    assert pip_lines(done) == [f"{python} -m pip install --quiet --upgrade pip",
                               f"{python} -m pip install --quiet -r requirements.txt -e ."]
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"torch: PyTorch's CPU-only index {REFUSING} cannot be reached (")
    assert "refused" in line.lower() and "from pip's own indexes instead" in line


def test_make_falls_back_where_the_index_has_no_wheel_of_the_pin_for_this_python(venv, index, tmp_path):
    version = PIN.split("==")[1]
    (tmp_path / "index" / "torch" / "index.html").write_text(  # served as it is when asked
        wheel_link(version, tag="cp39") + wheel_link(version, machine="ppc64le") + wheel_link("1.0.0"))
    done = make_n(venv, f"TORCH_CPU_INDEX={index}")
    assert done.returncode == 0, done.stderr
    assert [line.split(" -m ")[1] for line in pip_lines(done)] == [
        "pip install --quiet --upgrade pip", "pip install --quiet -r requirements.txt -e ."]
    assert done.stderr.splitlines() == [f"torch: PyTorch's CPU-only index {index} has no wheel for this Python "
                                        f"and machine; {PIN} comes from pip's own indexes instead "
                                        "(PyPI's is the CUDA build, several GB)"]


def test_make_with_torch_cuda_installs_pypi_s_build_without_asking_the_index(venv, index):
    done = make_n(venv, "TORCH=cuda", f"TORCH_CPU_INDEX={index}")
    assert done.returncode == 0, done.stderr
    assert [line.split(" -m ")[1] for line in pip_lines(done)] == [
        "pip install --quiet --upgrade pip", "pip install --quiet -r requirements.txt -e ."]
    assert done.stderr.splitlines() == ["torch: PyPI's build (TORCH=cuda; on Linux the CUDA build, several GB)"]


@pytest.mark.parametrize("value", ["gpu", "", "cpu cuda"])
def test_make_refuses_an_unknown_build_before_doing_anything(tmp_path, value):
    done = make("setup", f"VENV={tmp_path / 'venv'}", f"TORCH={value}")
    assert done.returncode != 0 and done.stdout == "" and not (tmp_path / "venv").exists()
    assert f"TORCH={value} is not a build this project installs: TORCH=cpu (the default) or TORCH=cuda" \
        in done.stderr


def test_make_stops_when_the_torch_command_cannot_be_made(venv, tmp_path):
    """A failure of the script is not taken for `install torch with the rest`."""
    (venv / "bin" / "python").unlink()
    (venv / "bin" / "python").write_text("#!/bin/sh\necho 'something is wrong' >&2\nexit 1\n")
    (venv / "bin" / "python").chmod(0o755)
    done = make_n(venv, f"TORCH_CPU_INDEX={REFUSING}")
    assert done.returncode != 0
    assert "something is wrong" in done.stderr and "workflow/envs/torch_index.py failed" in done.stderr


def test_make_n_before_the_environment_exists_says_where_torch_is_chosen(tmp_path):
    done = make("-n", "setup", f"VENV={tmp_path / 'venv'}", "TORCH=cuda")
    assert done.returncode == 0, done.stderr
    assert f": the torch of TORCH=cuda, once {tmp_path / 'venv'} exists" in done.stdout.splitlines()


def test_make_setup_asks_the_index_once_the_environment_it_makes_exists(tmp_path):
    """Not `make -n`: a run, with a Python whose `-m venv` makes one whose pip only notes what it is asked."""
    log, venv = tmp_path / "pip.log", tmp_path / "venv"
    inner = tmp_path / "venv-python"
    inner.write_text(f'#!/bin/sh\ncase "$1" in -m) echo "$*" >> {log} ;; *) exec {sys.executable} "$@" ;; esac\n')
    python = tmp_path / "python3.11"
    python.write_text('#!/bin/sh\ncase "$1" in\n  -c) echo "3.11.9 $0" ;;\n'
                      f'  -m) mkdir -p "$3/bin" && cp {inner} "$3/bin/python" && chmod +x "$3/bin/python" ;;\nesac\n')
    python.chmod(0o755)
    done = make("setup", f"VENV={venv}", f"PYTHON={python}", f"TORCH_CPU_INDEX={REFUSING}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"Making {venv} with Python 3.11.9 ({python})"
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"torch: PyTorch's CPU-only index {REFUSING} cannot be reached (")
    assert log.read_text().splitlines() == ["-m pip install --quiet --upgrade pip",
                                            "-m pip install --quiet -r requirements.txt -e ."]
    assert (venv / ".installed").exists()


def test_make_test_installs_through_the_same_setup():
    makefile = (REPO / "Makefile").read_text()
    assert "\n$(VENV)/.installed-dev: $(VENV)/.installed " in makefile
    assert "\nsetup-dev: $(VENV)/.installed-dev" in makefile and "\ntest: setup-dev" in makefile


# ---------------------------------------------------------------- CI, and what the check shows


def test_ci_installs_torch_the_way_make_does():
    """No pip index in the workflow: its jobs get torch from `make`, as a user does."""
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    places = [ci.get("env", {})] + [job.get("env", {}) for job in ci["jobs"].values()] + [
        step.get("env", {}) for job in ci["jobs"].values() for step in job.get("steps", [])]
    assert not [name for env in places for name in env if name.startswith("PIP_")]
    runs = [step["run"] for job in ci["jobs"].values() for step in job.get("steps", []) if "run" in step]
    assert not [run for run in runs if "pip install" in run or "TORCH=" in run]


def test_the_check_shows_the_torch_build_beside_the_published_one(tmp_path):
    """The manifests were made with the CPU build; a run with PyPI's is marked where anything differs."""
    published = REPO / "report" / "published" / "ci"
    platform = json.loads((published / "platform.json").read_text())
    assert platform["version torch"].endswith("+cpu")
    (tmp_path / "platform.json").write_text(json.dumps({**platform, "version torch": "2.13.0"}))
    (line,) = [line for line in reproduction.platform_difference(tmp_path, published).splitlines()
               if "version torch" in line]
    assert line.startswith("≠") and line.split()[-2:] == [platform["version torch"], "2.13.0"]
