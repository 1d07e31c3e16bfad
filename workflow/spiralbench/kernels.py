"""Every PyTorch kernel a training run calls, and whether its result depends on the CPU it runs on.

The pins (``spiralbench.numeric_platform``) fix each library's code path by the CPU's features; what
they cannot reach is a library that also chooses by the CPU's vendor. PyTorch's CPU build has two:
MKL (matrix products, and its vector math library, through which ``Tensor.sqrt``, ``exp``, ``log``
... run) and oneDNN. No emulation turns an Intel CPU into an AMD one, but both libraries expose
their code branches: ``MKL_CBWR`` selects MKL's, ``ONEDNN_MAX_CPU_ISA`` caps oneDNN's. A kernel whose
output changes from one branch to another is one whose output the vendor can change too, unless a
pin holds its branch.

``audit()`` records every operation of a short run of each optimizer and precision (forward, loss,
backward, optimizer step, evaluation on a fresh-sample-sized batch) with its inputs, replays each in
fresh processes under each branch, and compares the outputs' bytes; it also compares every operation
that IEEE 754 defines exactly (sqrt, add, sub, mul, div) with numpy, whose results are correctly
rounded. A run is free of the CPU's vendor when the only branch-dependent kernels are MKL's matrix
products, which ``MKL_CBWR=COMPATIBLE`` holds to the one branch MKL keeps on Intel and AMD alike.

    python -m spiralbench.kernels        # prints the audit; exit status 1 on a dependence
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# The branches each library is replayed under: values of its variable (the pinned one first).
BRANCHES = {
    "MKL_CBWR": ("COMPATIBLE", "SSE4_2", "AVX2", "AUTO"),
    "ONEDNN_MAX_CPU_ISA": ("AVX2", "SSE41", "ALL"),
}
# Kernels allowed to depend on MKL's branch: its matrix products, held to COMPATIBLE by the pin.
PINNED_BY_MKL_CBWR = {"aten.mm.default", "aten.addmm.default", "aten.bmm.default"}
# Operations IEEE 754 defines to the last bit, and numpy's spelling of each.
CORRECTLY_ROUNDED = {"aten.sqrt.default": "sqrt", "aten.add.Tensor": "add", "aten.sub.Tensor": "subtract",
                     "aten.mul.Tensor": "multiply", "aten.div.Tensor": "divide"}
# A run's sizes: the page's network on its 240 training points, evaluated on a fresh sample's 3,000.
RUN = {"seed": 42, "layer_sizes": [2, 16, 16, 3], "activation": "relu", "batch_size": 16, "epochs": 1,
       "init": "torch-default", "learning_rate": 0.01, "framework": "pytorch"}
EVALUATION_POINTS = 3000
# Operations that allocate without writing: their output is whatever the memory held.
UNINITIALISED = {"aten.empty.memory_format", "aten.empty_like.default", "aten.empty_strided.default",
                 "aten.new_empty.default"}
CALLS_PER_KIND = 3  # of each operation on each shape, the first few: enough to see a dependence


@dataclass
class Audit:
    """Operations replayed, and which depend on a branch or differ from their exact result."""

    operations: list[str]
    branch_dependent: dict[str, list[str]] = field(default_factory=dict)  # operation -> variables
    not_correctly_rounded: list[str] = field(default_factory=list)

    @property
    def vendor_dependent(self) -> list[str]:
        """Operations whose output a CPU's vendor can change under the pins."""
        loose = {op for op, variables in self.branch_dependent.items()
                 if op not in PINNED_BY_MKL_CBWR or variables != ["MKL_CBWR"]}
        return sorted(loose | set(self.not_correctly_rounded))

    def report(self) -> str:
        lines = [f"{len(self.operations)} PyTorch operations of a training run replayed under "
                 + "; ".join(f"{var} in {', '.join(values)}" for var, values in BRANCHES.items())]
        for op, variables in sorted(self.branch_dependent.items()):
            held = op in PINNED_BY_MKL_CBWR and variables == ["MKL_CBWR"]
            lines.append(f"  {op}: changes with {', '.join(variables)}"
                         + (" (held by the pin MKL_CBWR=COMPATIBLE)" if held else " — NOT held by any pin"))
        for op in self.not_correctly_rounded:
            lines.append(f"  {op}: differs from the correctly rounded result")
        lines.append("operations: " + ", ".join(op.removeprefix("aten.") for op in self.operations))
        lines.append("vendor-dependent kernels: " + (", ".join(self.vendor_dependent) or "none"))
        return "\n".join(lines)


# ---------------------------------------------------------------- recording a run's operations


def record_run_operations(path: Path, default_adam: bool = False) -> None:
    """Save the first calls of every operation of a short run of each optimizer × precision (with
    ``default_adam``, PyTorch's default Adam loop in place of the fused kernel the runs use)."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    from spiralbench.data import make_split
    from spiralbench.frameworks import torch_train

    calls, seen = [], {}

    class Recorder(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            key = (str(func), tuple(tuple(a.shape) for a in _tensors(args)), tuple(a.dtype for a in _tensors(args)))
            recorded = str(func).startswith("aten.") and str(func) not in UNINITIALISED
            if recorded and seen.setdefault(key, 0) < CALLS_PER_KIND:
                seen[key] += 1
                calls.append((str(func), _detached(args), _detached(kwargs)))
            return func(*args, **kwargs)

    if default_adam:
        torch_train.OPTIMIZER_OPTIONS["adam"] = {}
    split = make_split(RUN["seed"])
    points = torch.rand(EVALUATION_POINTS, 2, generator=torch.Generator().manual_seed(0)).numpy() * 2 - 1
    for optimizer in ("sgd", "adam"):
        for precision in ("float32", "float64"):
            run = {**RUN, "optimizer": optimizer, "precision": precision}
            with Recorder():
                trainer = torch_train.trainer(run, split)
                list(trainer.epochs)
                trainer.predict(points)
    torch.save(_picklable(calls), path)


def _tensors(tree):
    import torch
    if isinstance(tree, torch.Tensor):
        return [tree]
    if isinstance(tree, (list, tuple)):
        return [t for item in tree for t in _tensors(item)]
    if isinstance(tree, dict):
        return [t for item in tree.values() for t in _tensors(item)]
    return []


def _detached(tree):
    """A copy of the arguments, tensors cloned, as they were before the call (in-place ones change them)."""
    import torch
    if isinstance(tree, torch.Tensor):
        return tree.detach().clone()
    if isinstance(tree, (list, tuple)):
        return type(tree)(_detached(item) for item in tree)
    if isinstance(tree, dict):
        return {key: _detached(value) for key, value in tree.items()}
    return tree


MEMORY_FORMAT = "torch.memory_format:"


def _picklable(tree):
    """The arguments with each memory format (which cannot be pickled) replaced by its name."""
    import torch
    if isinstance(tree, torch.memory_format):
        return MEMORY_FORMAT + str(tree).removeprefix("torch.")
    if isinstance(tree, (list, tuple)):
        return type(tree)(_picklable(item) for item in tree)
    if isinstance(tree, dict):
        return {key: _picklable(value) for key, value in tree.items()}
    return tree


def _restored(tree):
    import torch
    if isinstance(tree, str) and tree.startswith(MEMORY_FORMAT):
        return getattr(torch, tree.removeprefix(MEMORY_FORMAT))
    if isinstance(tree, (list, tuple)):
        return type(tree)(_restored(item) for item in tree)
    if isinstance(tree, dict):
        return {key: _restored(value) for key, value in tree.items()}
    return tree


def load_calls(path: Path) -> list:
    import torch
    return [(name, _restored(args), _restored(kwargs)) for name, args, kwargs in torch.load(path, weights_only=False)]


# ---------------------------------------------------------------- replaying them


def operation(name: str):
    """``'aten.addmm.default'`` -> ``torch.ops.aten.addmm.default``."""
    import torch
    namespace, op, overload = name.split(".")
    return getattr(getattr(getattr(torch.ops, namespace), op), overload)


def replay_digests(path: Path) -> dict[str, str]:
    """Per operation, one SHA-256 over the bytes of every replayed call's outputs and mutated inputs."""
    import torch

    torch.set_num_threads(1)
    digests = {}
    for name, args, kwargs in load_calls(path):
        args, kwargs = _detached(args), _detached(kwargs)
        torch.manual_seed(0)  # random operations (the epoch's permutation) draw the same numbers
        result = operation(name)(*args, **kwargs)
        digest = hashlib.sha256(digests.get(name, "").encode())
        for tensor in _tensors(result) + _tensors(args):
            digest.update(tensor.contiguous().numpy().tobytes() if tensor.dtype != torch.bool
                          else tensor.numpy().astype("u1").tobytes())
        digests[name] = digest.hexdigest()
    return digests


def correctly_rounded_failures(path: Path) -> list[str]:
    """Operations among ``CORRECTLY_ROUNDED`` whose output differs from numpy's correctly rounded one."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    failures = set()
    for name, args, kwargs in load_calls(path):
        if name not in CORRECTLY_ROUNDED or kwargs or not all(isinstance(a, torch.Tensor) for a in args):
            continue
        result = operation(name)(*args).numpy()
        operands = [a.numpy() for a in args]
        # One operation rounded once: in float64, then to float32, is the float32 result (float64 has
        # more than twice float32's precision, so the double rounding is innocuous for + - * / sqrt).
        exact = getattr(np, CORRECTLY_ROUNDED[name])(*[a.astype(np.float64) for a in operands]).astype(result.dtype)
        if not np.array_equal(result, exact, equal_nan=True):
            failures.add(name)
    return sorted(failures)


def _replay_in(environment: dict, calls: Path, out: Path) -> dict[str, str]:
    command = [sys.executable, "-m", "spiralbench.kernels", "--replay", str(calls), str(out)]
    subprocess.run(command, env=environment, check=True)
    return json.loads(out.read_text())


def audit(environ=os.environ, default_adam: bool = False) -> Audit:
    """Record a run's operations, replay them under every branch, and say which depend on the CPU."""
    from spiralbench import numeric_platform

    pinned = dict(environ)
    numeric_platform.pin_environment(pinned, level="x86-64-v3")
    with tempfile.TemporaryDirectory() as folder:
        calls, out = Path(folder) / "calls.pt", Path(folder) / "digests.json"
        record = [sys.executable, "-m", "spiralbench.kernels", "--record", str(calls)]
        subprocess.run(record + (["--default-adam"] if default_adam else []), env=pinned, check=True)
        reference = _replay_in(pinned, calls, out)
        result = Audit(sorted(reference))
        for variable, values in BRANCHES.items():
            for value in values[1:]:
                digests = _replay_in({**pinned, variable: value}, calls, out)
                for op in reference:
                    if digests.get(op) != reference[op] and variable not in result.branch_dependent.get(op, []):
                        result.branch_dependent.setdefault(op, []).append(variable)
        checked = subprocess.run([sys.executable, "-m", "spiralbench.kernels", "--rounding", str(calls)],
                                 env=pinned, check=True, capture_output=True, text=True)
        result.not_correctly_rounded = json.loads(checked.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--record"]:
        record_run_operations(Path(argv[1]), default_adam="--default-adam" in argv)
    elif argv[:1] == ["--replay"]:
        Path(argv[2]).write_text(json.dumps(replay_digests(Path(argv[1]))))
    elif argv[:1] == ["--rounding"]:
        print(json.dumps(correctly_rounded_failures(Path(argv[1]))))
    else:
        result = audit()
        print(result.report())
        return 1 if result.vendor_dependent else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
