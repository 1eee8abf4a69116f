"""Shared test helpers: paths to the shipped fixtures, a CLI runner, and a builder for small packs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from tenderscore.scoring.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
STOCKPORT_PACK = FIXTURES / "stockport-highways"
# The web app's fixtures (`web`: Django set up on a temporary data directory); Django loads only when used.
pytest_plugins = ["web_support"]


CI = os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI=true no test may skip: a missing service, browser or extra (an importorskip) fails the run.

    The tests that need a service say so themselves with a precise message; this catches every other skip,
    so a new one cannot quietly pass as green in CI."""
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"


@pytest.fixture(autouse=True, scope="session")
def _session_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module- and session-scoped fixtures run before any function-scoped one: they too need a tmp ledger."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TENDERSCORE_LEDGER", str(tmp_path_factory.mktemp("ledger") / "session-ledger.sqlite3"))
        yield


@pytest.fixture(autouse=True)
def _private_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test (and every subprocess it starts) keeps decision records in its own tmp ledger, never the user's."""
    path = tmp_path / "tenderscore-ledger.sqlite3"
    monkeypatch.setenv("TENDERSCORE_LEDGER", str(path))
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(*args: str) -> Any:
    """Run the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def basic_tender(**overrides: Any) -> dict[str, Any]:
    """A small valid Stockport tender: 40/40/20, two quality questions, one SV question, two gates."""
    tender: dict[str, Any] = {
        "id": "T-1",
        "title": "Test tender",
        "buyer": "Stockport Council",
        "contract_value_gbp": "100000.00",
        "procedure": "competitive",
        "ruleset": "stockport",
        "weights": {"price": 40, "quality": 40, "social_value": 20},
        "price": {"method": "lowest_relative"},
        "quality": {
            "scale_max": 5,
            "questions": [
                {"id": "Q1", "title": "Method", "weight": 25, "min_score": 2},
                {"id": "Q2", "title": "Resources", "weight": 15, "min_score": 2},
            ],
        },
        "social_value": {
            "themes": {"jobs": 6, "growth": 4, "social": 3, "environment": 2, "innovation": 0},
            "questions": [{"id": "SV1", "title": "SV plan", "weight": 5, "min_score": 1}],
        },
        "gates": ["ethical_standards", "modern_slavery"],
    }
    tender.update(overrides)
    return tender


def basic_bid(bidder: str, price: str, commitments: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    bid: dict[str, Any] = {
        "bidder": bidder,
        "price_gbp": price,
        "gates": {"ethical_standards": "pass", "modern_slavery": "pass"},
        "commitments": commitments or [],
    }
    bid.update(extra)
    return bid


def write_pack(
    folder: Path,
    tender: dict[str, Any],
    bids: dict[str, dict[str, Any]],
    scores: dict[str, dict[str, Any]] | str | None = None,
) -> Path:
    """Write a pack: `bids` maps bid id -> bid; `scores` maps bid id -> {question: score} (or raw CSV text)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False), encoding="utf-8")
    (folder / "bids").mkdir(exist_ok=True)
    for bid_id, bid in bids.items():
        (folder / "bids" / f"{bid_id}.yaml").write_text(yaml.safe_dump(bid, sort_keys=False), encoding="utf-8")
    if isinstance(scores, str):
        (folder / "scores.csv").write_text(scores, encoding="utf-8")
    elif scores is not None:
        lines = ["bid,question,score"]
        for bid_id, by_question in scores.items():
            lines += [f"{bid_id},{question},{score}" for question, score in by_question.items()]
        (folder / "scores.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def make_pack(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def build(
        tender: dict[str, Any],
        bids: dict[str, dict[str, Any]],
        scores: dict[str, dict[str, Any]] | str | None = None,
    ) -> Path:
        return write_pack(tmp_path / f"pack{next(counter)}", tender, bids, scores)

    return build


def all_scores(bid_ids: list[str], q1: int = 4, q2: int = 4, sv1: int = 3) -> dict[str, dict[str, Any]]:
    return {bid_id: {"Q1": q1, "Q2": q2, "SV1": sv1} for bid_id in bid_ids}


def load_json(text: str) -> Any:
    return json.loads(text)


@pytest.fixture
def small_pack(make_pack: Callable[..., Path]) -> Path:
    # Two bids on a £100k tender: a offers 1 FTE of NT1 (1 × 12654.00), b offers 100 hours of NT7 (100 × 32.00).
    return make_pack(
        basic_tender(),
        {
            "a": basic_bid("Alpha Ltd", "90000.00", [{"measure": "NT1", "quantity": 1}]),
            "b": basic_bid("Beta Ltd", "100000.00", [{"measure": "NT7", "quantity": 100}]),
        },
        all_scores(["a", "b"]),
    )


def fill_ledger(path: Path, pack: Path, count: int) -> list[Any]:
    """`count` decision records of `pack` appended to the ledger at `path` in one batch (append_many)."""
    from tenderscore.scoring.audit import Ledger, build_record
    from tenderscore.scoring.evaluate import evaluate
    from tenderscore.scoring.pack import load_pack

    loaded = load_pack(pack)
    with Ledger(path) as book:
        return book.append_many([build_record(loaded, evaluate(loaded))] * count)
