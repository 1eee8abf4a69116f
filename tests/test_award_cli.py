"""The award commands' help: each names its exit codes and carries examples that run as written."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from conftest import FIXTURES, basic_bid, basic_tender, invoke, write_pack


def scores_csv(bids: list[str]) -> str:
    """Every question scored 3, each with a rationale."""
    return "bid,question,score,rationale\n" + "".join(f"{b},{q},3,Good\n" for b in bids for q in ("Q1", "Q2", "SV1"))


README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["summaries", "ocds"])
def test_help_examples_run_from_the_repository_root(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = invoke(command, "--help")
    assert shown.exit_code == 0 and "Exit codes:" in shown.stdout
    block = shown.stdout.split("Examples:")[1].split("\n\n")[0]
    examples = [line.strip() for line in block.splitlines() if line.strip()]
    assert examples and all(line.startswith(f"tenderscore {command} ") for line in examples)
    # A copy of the repository root's layout: the examples' relative paths resolve, their output lands in tmp.
    (tmp_path / "fixtures").symlink_to(FIXTURES)
    monkeypatch.chdir(tmp_path)
    for line in examples:
        done = invoke(*shlex.split(line)[1:])
        assert done.exit_code == 0, (line, done.output)
    assert f"`tenderscore {command} PACK_OR_RECORD" in README


def test_a_tie_for_first_place_is_refused_by_name(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path / "tie",
        basic_tender(),
        {"a": basic_bid("A Ltd", "100000.00"), "b": basic_bid("B Ltd", "100000.00")},
        scores_csv(["a", "b"]),
    )
    for command in (["summaries", pack, "--output-dir", tmp_path / "out"], ["ocds", pack]):
        done = invoke(*command)
        assert done.exit_code == 2
        assert "expected one most advantageous tender, found a tie between a, b" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_misspelt_contact_field_is_an_input_error(tmp_path: Path) -> None:
    bid = basic_bid("A Ltd", "100000.00", contact={"emial": "x@example.org"})
    pack = write_pack(tmp_path / "p", basic_tender(), {"a": bid}, scores_csv(["a"]))
    done = invoke("validate", pack)
    assert done.exit_code == 2 and "contact.emial" in done.stderr
