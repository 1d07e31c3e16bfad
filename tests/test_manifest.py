"""Unit tests of the reproducibility manifest (spiralbench.manifest) on small hand-made results trees."""

import hashlib
import shutil
import subprocess

import pytest

from spiralbench import manifest as mf

RUN = "runs/sweep/pytorch/sgd-lr0.05-bs16-ep30-h16x16-relu/seed42"
EPOCHS_CSV = "run_id,epoch,loss,accuracy\nA,1,1.25,0.5\nA,2,1.0,0.625\nB,1,1.5,0.25\n"


@pytest.fixture
def results(tmp_path):
    """A results directory: deterministic outputs, and the kinds of files that must stay out of the manifest."""
    root = tmp_path / "results"
    files = {
        "data/seed42.npz": b"npz bytes",
        f"{RUN}/history.csv": b"epoch,loss,accuracy\n1,1.0,0.5\n",
        f"{RUN}/metrics.json": b'{"status": "ok"}\n',
        f"{RUN}/predictions.csv": b"index,y_true,y_pred\n0,1,1\n",
        f"{RUN}/params.npz": b"params",
        "inspection/tutorial/boundary.npz": b"grid",
        "tables/epochs.csv": EPOCHS_CSV.encode(),
        "tables/complexity_rule.txt": b"non-blank, non-comment lines\n",
        # never deterministic:
        f"{RUN}/timing.json": b'{"seconds_per_epoch_median": 0.1}\n',
        "timing/runs.csv": b"run_id,seconds\nA,0.1\n",
        "provenance.json": b'{"date": "today"}\n',
        "logs/train.log": b"log\n",
        "report/report.html": b"<html></html>\n",
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


DETERMINISTIC = sorted(
    [
        "data/seed42.npz",
        f"{RUN}/history.csv",
        f"{RUN}/metrics.json",
        f"{RUN}/predictions.csv",
        f"{RUN}/params.npz",
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
    assert manifest[f"{RUN}/params.npz"] == hashlib.sha256(b"params").hexdigest()
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
    (results / f"{RUN}/params.npz").write_bytes(b"other params")
    (results / "data/seed42.npz").unlink()
    (results / "data/seed7.npz").write_bytes(b"a split nobody published")
    (results / "timing/runs.csv").write_text("run_id,seconds\nA,9.9\n")  # timing may change freely
    statuses = {c.path: c.status for c in mf.compare(manifest, results)}
    assert statuses.pop(f"{RUN}/params.npz") == mf.DIFFERED
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
    assert copies == ["tables/complexity_rule.txt", "tables/epochs.csv"]


def test_publish_refuses_an_empty_results_directory(tmp_path):
    (tmp_path / "results").mkdir()
    with pytest.raises(mf.ManifestError, match="nothing to publish"):
        mf.publish(tmp_path / "results", tmp_path / "published")


def test_command_line_exit_codes(results, tmp_path, capsys):
    published = tmp_path / "published"
    assert mf.main(["publish", str(results), str(published)]) == 0
    assert mf.main(["check", str(results), str(published)]) == 0
    assert "8 matched, 0 differed, 0 missing, 0 unexpected" in capsys.readouterr().out
    (results / f"{RUN}/metrics.json").write_text('{"status": "diverged"}\n')
    assert mf.main(["check", "--only-differences", str(results), str(published)]) == 1
    out = capsys.readouterr().out
    assert "tables/epochs.csv" not in out
    (metrics,) = [line for line in out.splitlines() if line.startswith(f"{RUN}/metrics.json")]
    assert "differed" in metrics and "sha256" in metrics  # no copy of per-run files is kept: hashes only
    assert mf.main(["check", str(results), str(tmp_path / "nowhere")]) == 2


@pytest.mark.parametrize(
    "path, deterministic",
    [
        ("data/seed42.npz", True),
        (f"{RUN}/history.csv", True),
        (f"{RUN}/timing.json", False),
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
    (results / "runs/sweep/pytorch/old-setting/seed42").mkdir(parents=True)
    (results / "runs/sweep/pytorch/old-setting/seed42/history.csv").write_text("epoch\n1\n")
    declared = ["data/seed42.npz", "tables/epochs.csv", f"{RUN}/timing.json"]
    assert sorted(mf.build_manifest(results, declared)) == ["data/seed42.npz", "tables/epochs.csv"]
    with pytest.raises(mf.ManifestError, match="lacks declared output.*tables/runs.csv"):
        mf.build_manifest(results, declared + ["tables/runs.csv"])
