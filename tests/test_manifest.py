"""Unit tests of the reproducibility manifest (spiralbench.manifest) on small hand-made results trees."""

import hashlib
import shutil
import subprocess

import numpy as np
import pytest

from spiralbench import collect, job_tables
from spiralbench import manifest as mf
from spiralbench.config import make_run
from spiralbench.training import RunResult

SETTING = {"optimizer": "sgd", "learning_rate": 0.05, "batch_size": 16, "epochs": 2, "hidden_sizes": [4],
           "activation": "relu", "init": "page", "precision": "float32"}
JOB = "runs/sweep/pytorch/sgd-lr0.05-bs16-ep2-h4-relu"
EPOCHS_CSV = "run_id,epoch,loss,accuracy\nA,1,1.25,0.5\nA,2,1.0,0.625\nB,1,1.5,0.25\n"


def write_job(root, second_loss=1.0, bias=0.0, prediction=1):
    """A training job of two runs (seeds 1 and 2) as training writes it, with chosen numbers."""
    results = []
    for seed in (1, 2):
        run = make_run("sweep", "pytorch", SETTING, seed, n_classes=3)
        weights = [(np.full((4, 2), 0.5), np.zeros(4)), (np.full((3, 4), 0.25), np.full(3, bias if seed == 2 else 0.0))]
        results.append(RunResult(run=run, history=[(1, 1.25, 0.5), (2, second_loss if seed == 2 else 1.0, 0.625)],
                                 epoch_seconds=[0.1, 0.1], weights=weights, y_test=np.array([1, 2]),
                                 y_pred=np.array([1, prediction if seed == 2 else 2]), n_train=72))
    job_tables.write_job(results, *(root / JOB / name for name in job_tables.JOB_FILES))
    return [result.run["run_id"] for result in results]


@pytest.fixture
def results(tmp_path):
    """A results directory: deterministic outputs, and the kinds of files that must stay out of the manifest."""
    root = tmp_path / "results"
    files = {
        "data/seed42.npz": b"npz bytes",
        "inspection/tutorial/boundary.npz": b"grid",
        "tables/epochs.csv": EPOCHS_CSV.encode(),
        "tables/complexity_rule.txt": b"non-blank, non-comment lines\n",
        # never deterministic:
        "timing/runs.csv": b"run_id,seconds\nA,0.1\n",
        "provenance.json": b'{"date": "today"}\n',
        "logs/train.log": b"log\n",
        "report/report.html": b"<html></html>\n",
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    write_job(root)
    return root


DETERMINISTIC = sorted(
    [
        "data/seed42.npz",
        f"{JOB}/epochs.parquet",
        f"{JOB}/runs.parquet",
        "inspection/tutorial/boundary.npz",
        "tables/epochs.csv",
        "tables/complexity_rule.txt",
    ]
)


def test_deterministic_outputs_leave_out_timing_provenance_logs_and_report(results):
    assert mf.deterministic_outputs(results) == DETERMINISTIC


def test_sha256_matches_the_fips_180_test_vector(tmp_path):
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    assert mf.sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_manifest_round_trips_and_is_sorted(results, tmp_path):
    manifest = mf.build_manifest(results)
    assert manifest["data/seed42.npz"] == hashlib.sha256(b"npz bytes").hexdigest()
    mf.write_manifest(manifest, tmp_path / "m.sha256")
    assert mf.read_manifest(tmp_path / "m.sha256") == manifest
    names = [line.split("  ", 1)[1] for line in (tmp_path / "m.sha256").read_text().splitlines()]
    assert names == DETERMINISTIC


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils sha256sum not installed")
def test_manifest_is_readable_by_coreutils_sha256sum(results, tmp_path):
    mf.write_manifest(mf.build_manifest(results), tmp_path / "m.sha256")
    done = subprocess.run(["sha256sum", "--check", "--strict", str(tmp_path / "m.sha256")], cwd=results)
    assert done.returncode == 0
    (results / "tables/epochs.csv").write_text("changed\n")
    done = subprocess.run(["sha256sum", "--check", "--status", str(tmp_path / "m.sha256")], cwd=results)
    assert done.returncode != 0


def test_malformed_manifest_names_the_file_and_line(tmp_path):
    path = tmp_path / "m.sha256"
    path.write_text(f"{'0' * 64}  data/seed42.npz\nnot a manifest line\n")
    with pytest.raises(mf.ManifestError, match=r"m\.sha256, line 2"):
        mf.read_manifest(path)
    with pytest.raises(mf.ManifestError, match="does not exist"):
        mf.read_manifest(tmp_path / "absent.sha256")


def test_compare_reports_each_status(results):
    manifest = mf.build_manifest(results)
    write_job(results, bias=0.5)
    (results / "data/seed42.npz").unlink()
    (results / "data/seed7.npz").write_bytes(b"a split nobody published")
    (results / "timing/runs.csv").write_text("run_id,seconds\nA,9.9\n")  # timing may change freely
    statuses = {c.path: c.status for c in mf.compare(manifest, results)}
    assert statuses.pop(f"{JOB}/runs.parquet") == mf.DIFFERED
    assert statuses.pop("data/seed42.npz") == mf.MISSING
    assert statuses.pop("data/seed7.npz") == mf.UNEXPECTED
    assert set(statuses.values()) == {mf.MATCHED}
    assert "timing/runs.csv" not in statuses


def test_differing_table_names_first_row_column_and_both_values(results, tmp_path):
    published = tmp_path / "published"
    mf.publish(results, published)
    changed = EPOCHS_CSV.replace("A,2,1.0,0.625", "A,2,1.0000001,0.75")
    (results / "tables/epochs.csv").write_text(changed)
    matched, table = mf.check(results, published)
    assert not matched
    line = next(line for line in table.splitlines() if line.startswith("tables/epochs.csv"))
    assert "differed" in line
    assert "row 2 (run_id=A), column loss: expected 1.0, found 1.0000001" in line


@pytest.mark.parametrize(
    "changed, expected_detail",
    [
        ("run_id,epoch,loss\nA,1,1.25\n", "header: expected 'run_id,epoch,loss,accuracy'"),
        (EPOCHS_CSV + "B,2,1.25,0.5\n", "3 data rows expected, 4 found"),
        (
            EPOCHS_CSV.replace("B,1,1.5,0.25", "B,1,1.5"),
            "row 3 (run_id=B), column accuracy: expected 0.25, found <none>",
        ),
    ],
)
def test_table_shape_changes_are_described(results, tmp_path, changed, expected_detail):
    published = tmp_path / "published"
    mf.publish(results, published)
    (results / "tables/epochs.csv").write_text(changed)
    comparisons = mf.compare(mf.read_manifest(published / mf.MANIFEST_NAME), results, published / "reference")
    (epochs,) = [c for c in comparisons if c.path == "tables/epochs.csv"]
    assert epochs.status == mf.DIFFERED
    assert expected_detail in epochs.detail


def test_a_stale_reference_copy_is_not_trusted_for_detail(results, tmp_path):
    published = tmp_path / "published"
    mf.publish(results, published)
    (published / "reference/tables/epochs.csv").write_text("run_id\nsomething else\n")
    (results / "tables/epochs.csv").write_text(EPOCHS_CSV.replace("1.25", "2.5"))
    comparisons = mf.compare(mf.read_manifest(published / mf.MANIFEST_NAME), results, published / "reference")
    (epochs,) = [c for c in comparisons if c.path == "tables/epochs.csv"]
    assert epochs.detail.startswith("sha256 ")


def test_publish_keeps_copies_of_tables_only_and_drops_stale_ones(results, tmp_path):
    published = tmp_path / "published"
    (published / "reference/tables").mkdir(parents=True)
    (published / "reference/tables/removed_table.csv").write_text("old\n")
    mf.publish(results, published)
    reference = published / "reference"
    copies = sorted(p.relative_to(reference).as_posix() for p in reference.rglob("*") if p.is_file())
    assert copies == ["run_digests.csv", "tables/complexity_rule.txt", "tables/epochs.csv"]


def test_publish_refuses_an_empty_results_directory(tmp_path):
    (tmp_path / "results").mkdir()
    with pytest.raises(mf.ManifestError, match="nothing to publish"):
        mf.publish(tmp_path / "results", tmp_path / "published")


def test_command_line_exit_codes(results, tmp_path, capsys):
    published = tmp_path / "published"
    assert mf.main(["publish", str(results), str(published)]) == 0
    assert mf.main(["check", str(results), str(published)]) == 0
    assert "6 matched, 0 differed, 0 missing, 0 unexpected" in capsys.readouterr().out
    write_job(results, prediction=0)
    assert mf.main(["check", "--only-differences", str(results), str(published)]) == 1
    out = capsys.readouterr().out
    assert "tables/epochs.csv" not in out
    (runs,) = [line for line in out.splitlines() if line.startswith(f"{JOB}/runs.parquet")]
    assert "differed" in runs and "first at run sweep/pytorch/sgd-lr0.05-bs16-ep2-h4-relu-page-f32/seed2" in runs
    assert "its test predictions differ" in runs
    assert mf.main(["check", str(results), str(tmp_path / "nowhere")]) == 2


@pytest.mark.parametrize(
    "path, deterministic",
    [
        ("data/seed42.npz", True),
        (f"{JOB}/runs.parquet", True),
        (f"{JOB}/epochs.parquet", True),
        (f"{JOB}/timing.parquet", False),
        ("tables/summary.csv", True),
        ("tables/nested/summary.csv", True),
        ("tables/summary.csv.bak", False),
        ("timing/speed.csv", False),
        ("provenance.json", False),
        ("report/report.html", False),
        ("logs/split/seed42.log", False),
        ("database/seed42.npz", False),  # `data/*` must not match a longer first segment
        ("data/nested/seed42.npz", False),  # `*` stays within one segment
    ],
)
def test_is_deterministic(path, deterministic):
    assert mf.is_deterministic(path) is deterministic


def test_manifest_of_declared_outputs_leaves_out_leftovers_and_requires_each_one(results):
    (results / "runs/sweep/pytorch/old-setting").mkdir(parents=True)
    (results / "runs/sweep/pytorch/old-setting/epochs.parquet").write_text("epoch\n1\n")
    declared = ["data/seed42.npz", "tables/epochs.csv", f"{JOB}/timing.parquet"]
    assert sorted(mf.build_manifest(results, declared)) == ["data/seed42.npz", "tables/epochs.csv"]
    with pytest.raises(mf.ManifestError, match="lacks declared output.*tables/runs.csv"):
        mf.build_manifest(results, declared + ["tables/runs.csv"])


@pytest.mark.parametrize(
    "change, table, detail",
    [
        ({"second_loss": 1.0000001}, "epochs.parquet", "epoch 2, loss: 1.0 published, 1.0000001 here"),
        ({"second_loss": 1.0000001}, "runs.parquet", "final_loss: 1.0 published, 1.0000001 here"),
        ({"bias": 0.5}, "runs.parquet", "its trained parameters differ"),
        ({"prediction": 2}, "runs.parquet", "test_accuracy: 0.5 published, 1.0 here"),
    ],
)
def test_a_differing_job_table_names_the_first_run_and_value(tmp_path, change, table, detail):
    """The job tables are hashed, not copied: the check names the run from published digests of its rows,
    and the value from the copies of the collected tables."""
    results, published = tmp_path / "results", tmp_path / "published"
    jobs = [results / JOB / "runs.parquet"]
    write_job(results)
    collect.write_tables(jobs, [results / JOB / "epochs.parquet"], results / "tables/runs.csv",
                         results / "tables/epochs.csv", results / "tables/summary.csv")
    mf.publish(results, published)
    write_job(results, **change)
    comparisons = {c.path: c for c in mf.compare(mf.read_manifest(published / mf.MANIFEST_NAME), results,
                                                  published / "reference")}
    assert comparisons[f"{JOB}/{table}"].status == mf.DIFFERED
    assert comparisons[f"{JOB}/{table}"].detail == f"first at run sweep/pytorch/sgd-lr0.05-bs16-ep2-h4-relu-page-f32/seed2: {detail}"
