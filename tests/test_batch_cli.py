"""`tenderscore score` over many packs: one result file and one decision record per pack, failures kept to
their pack, a summary, the same bytes whatever --jobs is, a progress bar only on a terminal."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke, write_pack

from scoring.audit import Ledger

TENDERSCORE = Path(sys.executable).parent / "tenderscore"


def _pack(folder: Path, tender_id: str, low: str = "100000.00", high: str = "125000.00", **tender: Any) -> Path:
    bids = {"alpha": basic_bid("Alpha Ltd", low), "beta": basic_bid("Beta Ltd", high)}
    return write_pack(folder, basic_tender(id=tender_id, **tender), bids, all_scores(["alpha", "beta"]))


@pytest.fixture
def period(tmp_path: Path) -> Path:
    """A quarter's packs: two good, one with a malformed bid file, one refused by policy, one more good."""
    root = tmp_path / "2026-q1"
    _pack(root / "a-roads", "T-A")
    _pack(root / "b-bridges", "T-B", low="90000.00", high="60000.00")
    broken = _pack(root / "c-broken", "T-C")
    (broken / "bids" / "beta.yaml").write_text("bidder: [Beta Ltd\n", encoding="utf-8")
    # 10% social value on a competitive tender over £25k, no exemption: Stockport's floor (15%) refuses it.
    _pack(
        root / "d-refused",
        "T-D",
        weights={"price": 50, "quality": 40, "social_value": 10},
        social_value={
            "themes": {"jobs": 2, "growth": 1, "social": 1, "environment": 1, "innovation": 0},
            "questions": [{"id": "SV1", "title": "SV plan", "weight": 5, "min_score": 1}],
        },
    )
    _pack(root / "e-estates", "T-E")
    return root


def _single_json(pack: Path) -> str:
    result = invoke("score", pack, "--format", "json", "--no-ledger")
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_one_failing_pack_never_stops_the_others(period: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("score", period, "--format", "json", "--output-dir", out, "--jobs", "2", "--no-ledger")
    # A refusal (3) outranks an input error (2): the exit code is the highest of any pack.
    assert result.exit_code == 3
    assert sorted(p.name for p in out.iterdir()) == ["a-roads.json", "b-bridges.json", "e-estates.json"]
    for name in ("a-roads", "b-bridges", "e-estates"):
        # Each result file is exactly what scoring that pack alone prints.
        assert (out / f"{name}.json").read_text(encoding="utf-8") == _single_json(period / name)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors[0].startswith(
        f"Error: {period / 'c-broken' / 'bids' / 'beta.yaml'}: line 2, column 1: not valid YAML"
    )
    assert errors[1].startswith(f"Error: {period / 'd-refused' / 'tender.yaml'}: weights.social_value: ")
    assert "below the charter's floor of 15%" in errors[1]
    assert "Traceback" not in result.output


def test_the_summary_names_each_packs_status_winner_and_total(period: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("score", period, "--output-dir", out, "--no-ledger")
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[2:7]}
    # Hand-worked, 40/40/20 with Q1 25, Q2 15, SV1 5 on a 0-5 scale (scores 4, 4, 3), nobody commits social value:
    # quality 25 × 4/5 + 15 × 4/5 = 32, SV 5 × 3/5 = 3, so the lowest price wins with 40 + 32 + 3 = 75.00.
    assert rows["a-roads"] == ["a-roads", "T-A", "ok", "Alpha", "Ltd", "75.00", str(out / "a-roads.txt")]
    # b-bridges: Beta is the lower price (£60k), Alpha scores 40 × 60/90 = 26.67 and loses.
    assert rows["b-bridges"] == ["b-bridges", "T-B", "ok", "Beta", "Ltd", "75.00", str(out / "b-bridges.txt")]
    assert rows["c-broken"] == ["c-broken", "error"]  # its pack could not be read, so no tender is known
    assert rows["d-refused"] == ["d-refused", "T-D", "refused"]
    assert "5 packs: 3 ok, 1 refused, 1 error" in result.stdout
    assert (out / "a-roads.txt").read_text(encoding="utf-8").startswith("T-A Test tender: contract value £100,000.00")


def test_jobs_1_and_jobs_2_write_the_same_bytes_and_the_same_chain_order(period: Path, tmp_path: Path) -> None:
    runs = {}
    for jobs in ("1", "2"):
        out, ledger = tmp_path / f"out{jobs}", tmp_path / f"ledger{jobs}.sqlite3"
        result = invoke("score", period, "--format", "json", "--output-dir", out, "--jobs", jobs, "--ledger", ledger)
        assert result.exit_code == 3
        with Ledger(ledger, create=False) as book:
            book.verify()
            records = [book.get(entry.id).record for entry in book.entries()]
        runs[jobs] = (
            result.stdout.replace(str(out), "OUT"),
            {p.name: p.read_bytes() for p in out.iterdir()},
            [r["result"]["tender"]["id"] for r in records],
            [(r["result"], r["firings"]) for r in records],
        )
        assert f"Decision records 1 to 3 appended to ledger {ledger}" in result.stderr
    assert runs["1"] == runs["2"]
    # Records are appended in pack order, only for packs that were scored.
    assert runs["1"][2] == ["T-A", "T-B", "T-E"]


def test_packs_and_folders_of_packs_mix_and_every_result_is_written(period: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.rmtree(period / "c-broken")
    shutil.rmtree(period / "d-refused")
    result = invoke("score", STOCKPORT_PACK, period, "--format", "markdown", "--output-dir", out, "--no-ledger")
    assert result.exit_code == 0, result.output
    names = ["stockport-highways", "a-roads", "b-bridges", "e-estates"]
    assert [line.split()[0] for line in result.stdout.splitlines()[2:6]] == names
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.md" for n in names)
    assert "Castle Infrastructure Group plc ranks first with 76.50 points." in (
        out / "stockport-highways.md"
    ).read_text(encoding="utf-8")


def test_a_single_pack_is_scored_exactly_as_before() -> None:
    result = invoke("score", STOCKPORT_PACK, "--no-ledger")
    assert result.exit_code == 0
    assert result.stdout.startswith("STK-2026-014 Highways minor works framework")
    assert "Pack" not in result.stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([], "Error: --output-dir: expected a folder for the results of 5 packs"),
        (
            ["--output", "x.json", "--output-dir", "out"],
            "Error: --output: expected --output-dir DIR with several packs",
        ),
    ],
)
def test_several_packs_need_an_output_folder(period: Path, extra: list[str], expected: str) -> None:
    result = invoke("score", period, "--no-ledger", *extra)
    assert result.exit_code == 2
    assert result.stderr.startswith(expected)


def test_two_packs_with_the_same_name_are_refused_before_anything_is_scored(tmp_path: Path) -> None:
    first, second = _pack(tmp_path / "x" / "roads", "T-1"), _pack(tmp_path / "y" / "roads", "T-2")
    result = invoke("score", first, second, "--output-dir", tmp_path / "out", "--no-ledger")
    assert result.exit_code == 2
    assert "expected pack names unique within --output-dir, found 'roads' also at" in result.stderr
    assert not (tmp_path / "out").exists()


def test_html_reports_cite_their_own_decision_record(tmp_path: Path) -> None:
    packs = [_pack(tmp_path / "in" / name, f"T-{name}") for name in ("p1", "p2")]
    out, ledger = tmp_path / "out", tmp_path / "ledger.sqlite3"
    result = invoke("score", *packs, "--format", "html", "--output-dir", out, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    with Ledger(ledger, create=False) as book:
        hashes = [book.get(entry.id).hash for entry in book.entries()]
    assert hashes[0] in (out / "p1.html").read_text(encoding="utf-8")
    assert hashes[1] in (out / "p2.html").read_text(encoding="utf-8")
    assert hashes[0] not in (out / "p2.html").read_text(encoding="utf-8")


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the installed command with stderr on a pseudo-terminal (as a person would see it)."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100"}
    with subprocess.Popen([str(TENDERSCORE), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=slave, env=env) as proc:
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal's other end closed: the command is done
                break
            if not chunk:
                break
            seen += chunk
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        code = proc.wait()
    os.close(master)
    return code, stdout.decode(), seen.decode(errors="replace")


def test_a_progress_bar_shows_on_a_terminal_and_not_in_a_pipe(period: Path, tmp_path: Path) -> None:
    shutil.rmtree(period / "c-broken")
    shutil.rmtree(period / "d-refused")
    code, stdout, terminal = _run_on_a_terminal(["score", str(period), "--output-dir", "out", "--no-ledger"], tmp_path)
    assert code == 0, terminal
    assert "Scoring" in terminal and "[####################################]  3/3" in terminal
    assert "Scoring" not in stdout
    piped = subprocess.run(
        [str(TENDERSCORE), "score", str(period), "--output-dir", "out2", "--no-ledger"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.returncode == 0
    assert piped.stderr == ""
    assert "3 packs: 3 ok, 0 refused, 0 error" in piped.stdout
