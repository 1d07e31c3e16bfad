"""The reproduction ledger: a record per check, a new ledger per publication, and a claim that names only
the machines in it; the README and the reference say exactly that claim."""
from datetime import datetime, timezone

import pytest
from conftest import REPO

from spiralbench import ledger

INTEL = {"cpu": "Intel(R) Xeon(R) Processor", "cpu_id": "GenuineIntel family 6 model 167 stepping 1",
         "isa_level": "x86-64-v4", "os": "Linux 6.18", "libc": "glibc 2.36", "python": "3.11.7",
         "version numpy": "2.4.6", "version torch": "2.13.0+cpu", "torch_build": "CPU", "pins": "on"}
AMD = {**INTEL, "cpu": "AMD EPYC", "cpu_id": "AuthenticAMD family 25 model 17 stepping 1"}
DAY = datetime(2026, 12, 6, tzinfo=timezone.utc)


def write(tmp_path, name, platform, level, required="bit-identical", environ=None):
    path = tmp_path / name
    ledger.write_record(ledger.record(platform, "abc123", "report/published", level, required,
                                      "" if level in ("bit-identical", "published") else "tables/runs.csv: ...",
                                      "f" * 64, environ=environ or {}, now=DAY), path)
    return path


def test_a_record_names_the_cpu_the_build_the_level_and_the_first_difference(tmp_path):
    record = ledger.read(write(tmp_path, "r.csv", AMD, "distributions reproduced",
                               environ={"GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"})).iloc[0]
    assert (record["cpu_vendor"], record["cpu_family"], record["cpu_model"]) == ("AuthenticAMD", "25", "17")
    assert record["cpu"] == "AMD EPYC" and record["isa_level"] == "x86-64-v4" and record["torch_build"] == "CPU"
    assert record["torch"] == "2.13.0+cpu" and record["date"] == "2026-12-06" and record["commit"] == "abc123"
    assert record["level"] == "distributions reproduced" and record["first_difference"] == "tables/runs.csv: ..."
    assert record["runner"] == "GitHub Actions (Linux X64)"
    assert list(ledger.read(tmp_path / "r.csv").columns) == list(ledger.COLUMNS)


def test_checks_are_added_and_a_publication_starts_a_new_ledger(tmp_path):
    book = tmp_path / "reproductions.csv"
    ledger.add(write(tmp_path, "p.csv", INTEL, ledger.PUBLISHED), book)
    ledger.add(write(tmp_path, "c1.csv", INTEL, "bit-identical"), book)
    ledger.add(write(tmp_path, "c2.csv", AMD, "conclusions reproduced"), book)
    assert list(ledger.read(book)["level"]) == [ledger.PUBLISHED, "bit-identical", "conclusions reproduced"]
    ledger.add(write(tmp_path, "p2.csv", AMD, ledger.PUBLISHED), book)
    assert list(ledger.read(book)["cpu"]) == ["AMD EPYC"]


def test_the_claim_names_only_the_cpus_a_check_reproduced_bit_for_bit(tmp_path):
    book = tmp_path / "reproductions.csv"
    ledger.add(write(tmp_path, "p.csv", INTEL, ledger.PUBLISHED), book)
    assert "No check has reproduced it bit for bit yet" in ledger.claim(ledger.read(book))
    ledger.add(write(tmp_path, "c1.csv", AMD, "distributions reproduced"), book)
    ledger.add(write(tmp_path, "c2.csv", INTEL, "bit-identical"), book)
    text = ledger.claim(ledger.read(book))
    assert "made on Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 167)" in text
    assert ("bit for bit on Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 167), and on no other CPU yet"
            in text)
    assert "| AMD EPYC | AuthenticAMD 25 17 | x86-64-v4 | 1 | distributions reproduced |" in text
    ledger.add(write(tmp_path, "c3.csv", AMD, "bit-identical"), book)
    machines = ledger.machines(ledger.read(book)).set_index("vendor")
    assert machines.loc["AuthenticAMD", "strongest"] == "bit-identical" and machines.loc["AuthenticAMD", "checks"] == 2
    assert "; AMD EPYC (AuthenticAMD family 25 model 17), and on no other" in ledger.claim(ledger.read(book))


def test_the_claim_replaces_only_its_block_and_a_file_without_one_is_refused():
    text = f"before\n{ledger.BEGIN}\nold claim\n{ledger.END}\nafter\n"
    assert ledger.with_claim(text, "new claim") == f"before\n{ledger.BEGIN}\nnew claim\n{ledger.END}\nafter\n"
    with pytest.raises(ValueError, match="README.md has no <!-- ledger:begin -->"):
        ledger.with_claim("no block", "claim", "README.md")


@pytest.mark.parametrize("document", ["README.md", "docs/reproducibility.md"])
def test_the_documents_state_exactly_the_published_ledgers_claim(document):
    claim = ledger.claim(ledger.read(REPO / "report/published" / ledger.LEDGER_NAME))
    text = (REPO / document).read_text(encoding="utf-8")
    assert ledger.with_claim(text, claim) == text, (
        f"{document} does not say what the ledger supports: python -m spiralbench.ledger claim "
        "report/published/reproductions.csv --write README.md docs/reproducibility.md")


def test_a_ledger_knows_its_publication_by_the_manifests_hash(tmp_path):
    book = tmp_path / "reproductions.csv"
    assert not ledger.same_publication(book, "f" * 64)  # no ledger yet
    ledger.add(write(tmp_path, "p.csv", INTEL, ledger.PUBLISHED), book)
    ledger.add(write(tmp_path, "c.csv", AMD, "bit-identical"), book)
    assert ledger.same_publication(book, "f" * 64) and not ledger.same_publication(book, "e" * 64)
    assert ledger.file_sha256(book) == __import__("hashlib").sha256(book.read_bytes()).hexdigest()
