"""Helpers for the scoring tests: score a pack in-process, pick a bid, read its figures as plain strings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import load_pack
from tenderscore.scoring.result import BidResult, Result


def score(pack: Path) -> Result:
    return evaluate(load_pack(pack)).result


def bid(result: Result, bid_id: str) -> BidResult:
    found = result.bid(bid_id)
    assert found is not None, f"no bid {bid_id} in {[b.bid_id for b in result.bids]}"
    return found


def dec(text: str) -> Decimal:
    return Decimal(text)


def flag_codes(b: BidResult) -> list[str]:
    return [f.code for f in b.flags]


def flag_message(b: BidResult, code: str) -> str:
    messages = [f.message for f in b.flags if f.code == code]
    assert len(messages) == 1, f"expected one {code} flag on {b.bid_id}, found {flag_codes(b)}"
    return messages[0]


def failing(gate: str) -> dict[str, str]:
    """The gate answers of a bid that passes every gate basic_tender lists except `gate`."""
    answers = {"ethical_standards": "pass", "modern_slavery": "pass"}
    answers[gate] = "fail"
    return answers


def figures(b: BidResult) -> tuple[str | None, str | None, str | None, str | None]:
    """(price, quality, social value, total) points as published: two-decimal strings, None when excluded."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    return text(b.price_points), text(b.quality_points), text(b.sv_points), text(b.total)


@pytest.fixture(autouse=True)
def _private_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`score` may append a decision record to a ledger: keep each test's ledger in its own temporary folder."""
    monkeypatch.setenv("TENDERSCORE_LEDGER", str(tmp_path / "ledger.sqlite"))
