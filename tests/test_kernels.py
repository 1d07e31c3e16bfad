"""No kernel of a PyTorch training run depends on the CPU's vendor under the pins (spiralbench.kernels).

Run on whatever CPU the suite runs on: every operation a run calls (both optimizers, both precisions,
forward, loss, backward, step, evaluation) is replayed under each of MKL's and oneDNN's code branches,
and every correctly rounded operation is compared with numpy's result. An Intel and an AMD CPU differ
in the branch those libraries choose, so a kernel that changes with the branch, unless a pin holds it,
is one that would make the two vendors' runs differ.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from spiralbench import kernels, numeric_platform

pytestmark = pytest.mark.skipif(not numeric_platform.pins_apply(),
                                reason="the pins, and so the vendor question, apply to x86-64-v3 CPUs only")


@pytest.fixture(scope="module")
def run_audit():
    return kernels.audit()


def test_a_run_calls_no_kernel_whose_result_depends_on_the_cpu(run_audit):
    assert run_audit.vendor_dependent == [], run_audit.report()


def test_the_audit_saw_every_stage_of_a_run(run_audit):
    stages = {"aten.addmm.default": "forward", "aten._log_softmax.default": "loss",
              "aten.threshold_backward.default": "backward", "aten._fused_adam_.default": "Adam's step",
              "aten.add_.Tensor": "SGD's step", "aten.max.dim": "predicted classes"}
    missing = {stage for op, stage in stages.items() if op not in run_audit.operations}
    assert not missing, f"not recorded: {missing}; recorded: {run_audit.operations}"


def test_matrix_products_are_the_only_kernels_held_by_a_pin(run_audit):
    assert set(run_audit.branch_dependent) <= kernels.PINNED_BY_MKL_CBWR, run_audit.report()


def test_the_audit_judges_pytorchs_default_adam_as_its_square_root_measures():
    """The default Adam loop takes ``Tensor.sqrt`` from MKL's vector math. Measured here, directly: if it
    is not correctly rounded on this CPU (it is not, on the Intel Xeon and AMD EPYC the check has run
    on), the audit must name it; if it is, the audit must not."""
    audit = kernels.audit(default_adam=True)
    x = torch.from_numpy(np.random.default_rng(0).random(371).astype(np.float32) ** 4)
    correctly_rounded = np.array_equal(torch.sqrt(x).numpy(), np.sqrt(x.numpy().astype(np.float64)).astype(np.float32))
    assert "aten.sqrt.default" in audit.operations
    if correctly_rounded and "aten.sqrt.default" not in audit.branch_dependent:
        assert "aten.sqrt.default" not in audit.vendor_dependent, audit.report()
    else:
        assert "aten.sqrt.default" in audit.vendor_dependent, audit.report()


def test_the_verdict_allows_a_matrix_product_only_under_mkls_pin():
    held = kernels.Audit(["aten.mm.default"], {"aten.mm.default": ["MKL_CBWR"]})
    loose = kernels.Audit(["aten.mm.default"], {"aten.mm.default": ["MKL_CBWR", "ONEDNN_MAX_CPU_ISA"]})
    other = kernels.Audit(["aten.exp.default"], {"aten.exp.default": ["MKL_CBWR"]})
    inexact = kernels.Audit(["aten.div.Tensor"], {}, ["aten.div.Tensor"])
    assert held.vendor_dependent == []
    assert loose.vendor_dependent == ["aten.mm.default"]
    assert other.vendor_dependent == ["aten.exp.default"] and "NOT held by any pin" in other.report()
    assert inexact.vendor_dependent == ["aten.div.Tensor"]
