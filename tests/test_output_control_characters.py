"""Terminal escape injection (issue 13, item 18): a bidder's name full of escape sequences reaches no terminal
as control characters, in any text a command prints or writes; JSON keeps the name exactly; Markdown output
carries no raw HTML or javascript: link from a name."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import all_scores, basic_bid, basic_tender, invoke

EVIL = "Evil\x1b[2J\x1b[H\x1b]0;pwned\x07 Ltd\x9b31m\x7f\r"
# What a terminal acts on: C0 controls but newline and tab, DEL, C1.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def evil_pack(make_pack: Callable[..., Path]) -> Path:
    return make_pack(
        basic_tender(),
        {
            "evil": basic_bid(EVIL, "90000.00", [{"measure": "NT1", "quantity": 1}]),
            "good": basic_bid("Good Ltd", "100000.00"),
        },
        all_scores(["evil", "good"]),
    )


def clean(text: str) -> str:
    assert CONTROL.search(text) is None, repr(CONTROL.findall(text))
    return text


def test_no_control_character_reaches_a_terminal_or_a_text_file(tmp_path: Path, evil_pack: Path) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    for fmt in ("table", "markdown", "csv", "html"):
        result = invoke("score", evil_pack, "--ledger", ledger, "--format", fmt)
        assert result.exit_code == 0, result.output
        shown = clean(result.stdout).replace("\\[", "[").replace("\\]", "]")  # Markdown escapes the brackets
        assert "Evil\\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007 Ltd\\u009b31m" in shown, fmt
        clean(result.stderr)
    target = tmp_path / "result.txt"
    assert invoke("score", evil_pack, "--ledger", ledger, "--output", target).exit_code == 0
    assert "Evil\\u001b[2J" in clean(target.read_text(encoding="utf-8"))
    for args in (["explain", str(evil_pack), "--bid", "evil"], ["ledger", "list"], ["ledger", "show", "1"]):
        result = invoke(*args, "--ledger", ledger)
        assert result.exit_code == 0, (args, result.output)
        assert "Evil\\u001b[2J" in clean(result.stdout)


def test_json_keeps_the_name_exactly_and_escaped(tmp_path: Path, evil_pack: Path) -> None:
    result = invoke("score", evil_pack, "--no-ledger", "--format", "json")
    assert result.exit_code == 0
    bidders = {b["bid_id"]: b["bidder"] for b in json.loads(clean(result.stdout))["bids"]}
    assert bidders["evil"] == EVIL


def test_markdown_carries_no_raw_html_or_javascript_link(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(
        basic_tender(title="<img src=x onerror=alert(1)>"),
        {
            "a": basic_bid("<script>alert(1)</script> Ltd", "90000.00"),
            "b": basic_bid("[Click me](javascript:alert(1)) plc", "100000.00"),
        },
        all_scores(["a", "b"]),
    )
    result = invoke("score", pack, "--no-ledger", "--format", "markdown")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "<script>" not in out and "<img" not in out
    assert re.search(r"(?<!\\)\]\(javascript:", out) is None  # a link's "](" only with its bracket escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in out
    assert "\\[Click me\\](javascript:alert(1)) plc" in out
