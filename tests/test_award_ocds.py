"""`tenderscore ocds`: every fixture's award as an OCDS 1.1 release package, validated offline against the OCDS
1.1.5 release schema patched with the lots, award criteria breakdown and bids extensions (tests/ocds/, whose
README gives the order: lots first, then the other two), and its bid statistics checked against the result.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, invoke, load_json
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# The official schemas, copied unchanged into the repository (tests/ocds/README.md names their commits).
OCDS = Path(__file__).resolve().parent / "ocds"
EXTENSIONS = ["ocds_lots_extension", "ocds_awardCriteriaBreakdown_extension", "ocds_bid_extension"]
PACKS = [p for p in sorted(FIXTURES.iterdir()) if (p / "tender.yaml").is_file()]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, as the OCDS extension mechanism defines it."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    release = json.loads((OCDS / "core" / "release-schema.json").read_text(encoding="utf-8"))
    for name in EXTENSIONS:
        release = merge_patch(release, json.loads((OCDS / "extensions" / name / "release-schema.json").read_text()))
    package = json.loads((OCDS / "core" / "release-package-schema.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(release["id"], Resource(release, specification=DRAFT4))
    return Draft4Validator(package, registry=registry)


def export(pack: Path, tmp_path: Path, *options: str) -> dict[str, Any]:
    out = tmp_path / f"{pack.name}.json"
    done = invoke("ocds", pack, "--output", out, *options)
    assert done.exit_code == 0, done.output
    # parse_float=Decimal: every amount must read back as exactly the record's figure.
    parsed: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"), parse_float=Decimal)
    return parsed


def test_the_fixtures_are_the_packs_expected() -> None:
    assert [p.name for p in PACKS] == ["stockport-highways", "stockport-panel"]


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_every_fixture_validates_with_the_three_extensions(
    pack: Path, tmp_path: Path, validator: Draft4Validator
) -> None:
    package = export(pack, tmp_path, "--report-url", "https://example.org/report.html")
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]
    assert errors == []
    assert package["version"] == "1.1"
    assert [url.split("/")[4] for url in package["extensions"]] == EXTENSIONS


def test_the_validator_catches_an_invented_or_misspelt_value(tmp_path: Path, validator: Draft4Validator) -> None:
    package = export(FIXTURES / "stockport-highways", tmp_path)
    package["releases"][0]["bids"]["details"][0]["status"] = "eligible"  # not a bidStatus code
    assert not validator.is_valid(json.loads(json.dumps(package, default=str)))


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_statistics_agree_with_the_result(pack: Path, tmp_path: Path) -> None:
    result = load_json(invoke("score", pack, "--format", "json", "--no-ledger").stdout)
    release = export(pack, tmp_path)["releases"][0]
    stats = {s["measure"]: s["value"] for s in release["bids"]["statistics"]}
    bids = result["bids"]
    valid = [Decimal(b["price"]["gbp"]) for b in bids if b["status"] == "eligible"]
    assert stats["bids"] == len(bids)
    assert stats["validBids"] == len(valid)
    assert stats["disqualifiedBids"] == len(bids) - len(valid)
    assert stats["lowestValidBidValue"] == min(valid)
    assert stats["highestValidBidValue"] == max(valid)
    assert stats["tendersAbnormallyLow"] == 0  # flagged for a person to decide, never excluded
    details = {d["id"]: d for d in release["bids"]["details"]}
    assert list(details) == [b["bid_id"] for b in bids]
    for b in bids:
        d = details[b["bid_id"]]
        assert d["status"] == ("valid" if b["status"] == "eligible" else "disqualified")
        assert d["value"] == {"amount": Decimal(b["price"]["gbp"]), "currency": "GBP"}
        assert d["tenderers"][0]["name"] == b["bidder"]
        assert d.get("rank") == b["rank"] and d["hasRank"] == (b["rank"] is not None)
    first = bids[0]
    (award,) = release["awards"]
    assert award["relatedBids"] == [first["bid_id"]]
    assert award["suppliers"] == [{"id": f"tenderer-{first['bid_id']}", "name": first["bidder"]}]
    assert award["value"]["amount"] == Decimal(first["price"]["gbp"])
    weights = result["tender"]["weights"]
    criteria = release["tender"]["lots"][0]["awardCriteria"]["criteria"]
    assert [(c["name"], c["numbers"][0]["number"]) for c in criteria] == [
        ("Price", Decimal(str(weights["price"]))),
        ("Quality", Decimal(str(weights["quality"]))),
        ("Social value", Decimal(str(weights["social_value"]))),
    ]
    assert all(c["numbers"][0]["weight"] == "percentageExact" for c in criteria)


def test_highways_figures_spelled_out(tmp_path: Path) -> None:
    release = export(FIXTURES / "stockport-highways", tmp_path)["releases"][0]
    stats = {s["measure"]: s["value"] for s in release["bids"]["statistics"]}
    # README: six bids, Dale and Fairfield excluded; Evergreen £860,000 lowest, Castle £1,260,000 highest valid.
    assert (stats["bids"], stats["validBids"], stats["disqualifiedBids"]) == (6, 4, 2)
    assert (stats["lowestValidBidValue"], stats["highestValidBidValue"]) == (860000, 1260000)
    assert release["awards"][0]["suppliers"][0]["name"] == "Castle Infrastructure Group plc"
    parties = {p["id"]: p for p in release["parties"]}
    assert parties["tenderer-castle"]["identifier"] == {"id": "GB-COH-00876512"}
    assert parties["tenderer-castle"]["roles"] == ["tenderer", "supplier"]
    assert "identifier" not in parties["tenderer-fairfield"] and "address" not in parties["tenderer-fairfield"]
    assert release["tender"]["value"] == {"amount": 1200000, "currency": "GBP"}


def test_the_report_is_linked_not_the_scores_invented(tmp_path: Path) -> None:
    release = export(FIXTURES / "stockport-highways", tmp_path, "--report-url", "https://example.org/r.html")[
        "releases"
    ][0]
    (document,) = release["awards"][0]["documents"]
    assert document["documentType"] == "evaluationReports" and document["url"] == "https://example.org/r.html"
    assert not any("score" in key.lower() or "points" in key.lower() for d in release["bids"]["details"] for key in d)


def test_ocid_prefix_and_same_bytes_from_a_record(tmp_path: Path) -> None:
    assert invoke("score", FIXTURES / "stockport-highways", "--format", "json").exit_code == 0
    first = invoke("ocds", "1", "--ocid-prefix", "ocds-abc123")
    again = invoke("ocds", "1", "--ocid-prefix", "ocds-abc123")
    assert first.exit_code == 0 and first.stdout == again.stdout
    release = json.loads(first.stdout)["releases"][0]
    assert release["ocid"] == "ocds-abc123-STK-2026-014"
