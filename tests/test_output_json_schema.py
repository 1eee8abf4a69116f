"""`score --format json` against the shape of formats.md, written down as a JSON Schema (tests/formats_schema.json).

Every valid fixture pack is checked (a pack is a folder with a tender.yaml; packs under a `broken` folder are
there to fail), and so are small packs with excluded bids, no eligible bid, a tie and an exemption.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, all_scores, basic_bid, basic_tender, invoke, load_json
from jsonschema import Draft202012Validator
from scoring_support import _private_ledger, failing  # noqa: F401  (autouse fixture)

SCHEMA = json.loads((Path(__file__).parent / "formats_schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
FIXTURE_PACKS = sorted(
    path.parent
    for path in FIXTURES.rglob("tender.yaml")
    if not any("broken" in part for part in path.relative_to(FIXTURES).parts)
)


def problems(document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def score_json(pack: Path) -> Any:
    run = invoke("score", pack, "--format", "json")
    assert run.exit_code == 0, run.stderr
    return load_json(run.stdout)


def assert_adds_up(document: Any) -> None:
    """scoring.md: components and the total are sums of the rounded lines the report shows."""
    for b in document["bids"]:
        if b["status"] != "eligible":
            continue
        quality = sum(Decimal(q["points"]) for q in b["quality"]["questions"].values())
        sv = b["social_value"]
        social = sum(Decimal(t["points"]) for t in sv["themes"].values()) + sum(
            Decimal(q["points"]) for q in sv["questions"].values()
        )
        assert Decimal(b["quality"]["points"]) == quality, b["bid_id"]
        assert Decimal(sv["points"]) == social, b["bid_id"]
        parts = Decimal(b["price"]["points"]) + quality + social
        assert Decimal(b["total"]) == parts, b["bid_id"]
        assert Decimal(sv["total_gbp"]) == sum(Decimal(t["gbp"]) for t in sv["themes"].values()), b["bid_id"]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_there_are_fixture_packs_to_check() -> None:
    assert FIXTURES / "stockport-highways" in FIXTURE_PACKS


@pytest.mark.parametrize("pack", FIXTURE_PACKS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_fixture_pack_scores_to_the_published_shape(pack: Path) -> None:
    document = score_json(pack)
    assert problems(document) == []
    assert_adds_up(document)


def test_small_packs_with_exclusions_ties_and_an_exemption_match_too(make_pack: Callable[..., Path]) -> None:
    failed = failing("ethical_standards")
    tied = make_pack(
        basic_tender(),
        {
            "a": basic_bid("A", "100000.00", [{"measure": "NT1", "quantity": 1}, {"measure": "NT99", "quantity": 1}]),
            "b": basic_bid("B", "100000.00", [{"measure": "NT1", "quantity": 1}, {"measure": "NT99", "quantity": 1}]),
            "x": basic_bid("X", "1.00", gates=failed),
        },
        all_scores(["a", "b", "x"]),
    )
    nobody = make_pack(basic_tender(), {"x": basic_bid("X", "1.00", gates=failed)}, all_scores(["x"]))
    exempt_tender = basic_tender(
        weights={"price": 50, "quality": 40, "social_value": 10},
        exemption={"reason": "Specialist supply", "approved_by": "Head of Procurement"},
    )
    exempt_tender["social_value"]["themes"] = {"jobs": 5}
    exempt = make_pack(exempt_tender, {"a": basic_bid("A", "100.00")}, all_scores(["a"]))
    for pack in (tied, nobody, exempt):
        document = score_json(pack)
        assert problems(document) == [], pack
        assert_adds_up(document)


@pytest.fixture(scope="module")
def shipped() -> Any:
    return score_json(FIXTURES / "stockport-highways")


def _broken(document: Any, change: Callable[[Any], None]) -> Any:
    copied = copy.deepcopy(document)
    change(copied)
    return copied


def _excluded(document: Any) -> Any:
    return next(b for b in document["bids"] if b["status"] == "excluded")


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("money as a number", lambda d: d["bids"][0]["price"].update(gbp=1260000.0)),
        ("points with one decimal", lambda d: d["bids"][0].update(total="76.5")),
        ("points with three decimals", lambda d: d["bids"][0]["quality"].update(points="34.000")),
        ("an eligible bid without points", lambda d: d["bids"][0].update(total=None)),
        ("an eligible bid without a rank", lambda d: d["bids"][0].update(rank=None)),
        ("an excluded bid with a rank", lambda d: _excluded(d).update(rank=5)),
        ("an excluded bid with points", lambda d: _excluded(d)["price"].update(points="40.00")),
        (
            "an excluded bid with question points",
            lambda d: _excluded(d)["quality"]["questions"]["Q1"].update(points="1.00"),
        ),
        ("an excluded bid without a reason", lambda d: _excluded(d).update(excluded_reasons=[])),
        ("an unknown policy status", lambda d: d["policy"].update(status="fine")),
        ("a missing flag message", lambda d: d["bids"][0]["flags"][0].pop("message")),
        ("a weight as a number", lambda d: d["tender"]["weights"].update(price=40)),
    ],
)
def test_the_schema_rejects_what_formats_md_rules_out(shipped: Any, what: str, change: Callable[[Any], None]) -> None:
    assert problems(shipped) == []
    assert problems(_broken(shipped, change)) != [], what
