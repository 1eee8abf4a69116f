"""`tenderscore score` over many packs: one result file and one decision record per pack, failures kept to
their pack, a summary, the same bytes whatever --jobs is, a progress bar only on a terminal."""

from __future__ import annotations

import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke, write_pack
from tenderscore.scoring.audit import Ledger
from test_batch_library import unlistable

TENDERSCORE = Path(sys.executable).parent / "tenderscore"
README = ROOT / "README.md"


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


def test_a_single_pack_is_scored_exactly_as_before(tmp_path: Path) -> None:
    """One pack named alone is no batch: stdout is the README's documented result, byte for byte, which is
    also what --output writes and what a batch writes for that pack; no summary table."""
    alone = invoke("score", STOCKPORT_PACK, "--no-ledger")
    assert alone.exit_code == 0, alone.output
    documented = re.search(r"It prints the ranked result.*?```text\n(.*?)```", README.read_text("utf-8"), re.S)
    assert documented is not None
    assert alone.stdout == documented[1]
    written = invoke("score", STOCKPORT_PACK, "--no-ledger", "--output", tmp_path / "alone.txt")
    assert (written.exit_code, written.stdout) == (0, "")
    assert (tmp_path / "alone.txt").read_text(encoding="utf-8") == alone.stdout
    batch = invoke("score", STOCKPORT_PACK, "--no-ledger", "--output-dir", tmp_path / "out")
    assert batch.exit_code == 0, batch.output
    assert (tmp_path / "out" / "stockport-highways.txt").read_text(encoding="utf-8") == alone.stdout
    assert "1 pack: 1 ok, 0 refused, 0 error" in batch.stdout and "1 pack:" not in alone.stdout


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


# --- A batch stopped by Ctrl-C, or by a pack that kills its worker -------------------------------------------

# The real command, with a hook in every worker: each worker process imports this script (as __mp_main__) before
# it scores anything, so the hook is in place there. A pack named `slow-*` holds its worker until it is ended; a
# pack named `crash-*` kills its worker outright, as a crash in durable-rules' C core would.
HOOKED_TENDERSCORE = """
import os
import signal
import sys
import time
from pathlib import Path

import tenderscore.scoring.batch.packs

from tenderscore.scoring.cli import main

load_pack = tenderscore.scoring.batch.packs.load_pack


def hooked(folder, *args, **kwargs):
    if folder.name.startswith("slow-"):
        # Whether Ctrl-C would reach this worker: only the parent may act on it.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        deaf = signal.getsignal(signal.SIGINT) == signal.SIG_IGN or signal.SIGINT in blocked
        (Path(os.environ["HOOK_MARKS"]) / folder.name).write_text(f"deaf to Ctrl-C: {deaf}")
        time.sleep(120)
    if folder.name.startswith("crash-"):
        os.kill(os.getpid(), signal.SIGKILL)
    return load_pack(folder, *args, **kwargs)


tenderscore.scoring.batch.packs.load_pack = hooked

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal, whatever started the test
    main()
"""


def _hooked(tmp_path: Path, *args: object) -> subprocess.Popen[str]:
    """The hooked command in a session of its own, so a signal can go to all its processes, as Ctrl-C does."""
    script, marks = tmp_path / "hooked_tenderscore.py", tmp_path / "marks"
    script.write_text(HOOKED_TENDERSCORE, encoding="utf-8")
    marks.mkdir()
    return subprocess.Popen(
        [sys.executable, str(script), *map(str, args)],
        cwd=tmp_path,
        env={**os.environ, "HOOK_MARKS": str(marks)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _alive_in_group(group: int) -> list[str]:
    """The processes of a process group still running (a zombie has ended: only its exit status is left)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # it ended while being looked at
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(stat.parent.name)
    return alive


def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_ctrl_c_stops_a_batch_cleanly_and_keeps_what_was_written(tmp_path: Path) -> None:
    period = tmp_path / "period"
    fast = _pack(period / "a-fast", "T-A")
    _pack(period / "slow-b", "T-B")
    out, ledger = tmp_path / "out", tmp_path / "ledger.sqlite3"
    proc = _hooked(tmp_path, "score", period, "--format", "json", "--output-dir", out, "--ledger", ledger, "--jobs", 2)
    # Two workers: a-fast is scored, its record appended and its file written while slow-b holds the other
    # worker. Ctrl-C comes with one worker busy and one idle, waiting for work: each would print a traceback.
    mark = tmp_path / "marks" / "slow-b"
    _wait_for(lambda: (out / "a-fast.json").exists() and mark.exists() and mark.read_text(encoding="utf-8"), "slow-b")
    assert mark.read_text(encoding="utf-8") == "deaf to Ctrl-C: True"
    os.killpg(proc.pid, signal.SIGINT)
    try:
        stdout, stderr = proc.communicate(timeout=60)  # not the 120 s the workers would sleep for
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert stderr == (
        "Interrupted: not every pack was scored; the results and decision records already written are whole.\n"
    )
    assert stdout == ""  # no summary: it would list packs as unscored that were merely stopped
    assert sorted(p.name for p in out.iterdir()) == ["a-fast.json"]  # and no temporary file left behind
    assert (out / "a-fast.json").read_text(encoding="utf-8") == _single_json(fast)
    with Ledger(ledger, create=False) as book:
        book.verify()
        assert [entry.tender for entry in book.entries()] == ["T-A"]
    # The workers (and the forkserver they came from) end with the command, not 120 s later.
    _wait_for(lambda: not _alive_in_group(proc.pid), "the batch's processes to end")


def test_a_crashed_pack_outranks_a_refused_one_in_the_exit_code(period: Path, tmp_path: Path) -> None:
    shutil.copytree(period / "a-roads", period / "crash-f")
    out = tmp_path / "out"
    proc = _hooked(tmp_path, "score", period, "--output-dir", out, "--no-ledger", "--jobs", 2)
    stdout, stderr = proc.communicate(timeout=120)
    # c-broken alone would exit 2 and d-refused alone 3; the crash (1) outranks both.
    assert proc.returncode == 1, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert errors[0].startswith(f"Error: {period / 'c-broken' / 'bids' / 'beta.yaml'}: ")
    assert errors[1] == f"Error: {period / 'crash-f'}: could not be scored: its worker process died (signal 9, SIGKILL)"
    assert errors[2].startswith(f"Error: {period / 'd-refused' / 'tender.yaml'}: weights.social_value: ")
    assert "6 packs: 3 ok, 1 refused, 2 error" in stdout
    assert sorted(p.name for p in out.iterdir()) == ["a-roads.txt", "b-bridges.txt", "e-estates.txt"]


def test_a_folder_that_cannot_be_listed_is_named_and_nothing_is_scored(
    period: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unlistable(monkeypatch, period)
    result = invoke("score", period, "--output-dir", tmp_path / "out", "--no-ledger")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {period}: cannot be read: Permission denied\n"
    assert not (tmp_path / "out").exists()


def test_a_batch_says_every_warning_a_single_run_says(period: Path, tmp_path: Path) -> None:
    """The highways pack's Castle bid names measure NT99, which is no Stockport measure: scored alone it is
    warned of; in a batch, scored by a worker process, the same line must reach the terminal too."""
    alone = invoke("score", STOCKPORT_PACK, "--no-ledger")
    warnings = [line for line in alone.stderr.splitlines() if line.startswith("Warning: ")]
    assert len(warnings) == 1 and "'NT99' is not a measure of ruleset stockport" in warnings[0]
    shutil.rmtree(period / "c-broken")
    shutil.rmtree(period / "d-refused")
    out = tmp_path / "out"
    batch = invoke("score", period, STOCKPORT_PACK, "--output-dir", out, "--jobs", "2", "--no-ledger")
    assert batch.exit_code == 0, batch.output
    assert [line for line in batch.stderr.splitlines() if line.startswith("Warning: ")] == warnings
