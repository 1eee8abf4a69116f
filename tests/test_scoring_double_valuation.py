"""A commitment valued by two rules is a ruleset error, never a quietly chosen figure."""

from pathlib import Path

import yaml
from conftest import ROOT, all_scores, basic_bid, basic_tender, invoke


def test_two_rules_valuing_one_commitment_stop_scoring_with_both_named(make_pack, tmp_path: Path) -> None:
    ruleset = yaml.safe_load((ROOT / "rulesets" / "stockport.yaml").read_text(encoding="utf-8"))
    ruleset["rules"].append(
        {
            "id": "local.nt1_again",
            "when": {"kind": "commitment", "measure": "NT1"},
            "then": {"value": {"field": "quantity", "rate": "1.00"}},
        }
    )
    path = tmp_path / "overlapping.yaml"
    path.write_text(yaml.safe_dump(ruleset, sort_keys=False), encoding="utf-8")
    bids = {"a": basic_bid("A Ltd", "100000.00", [{"measure": "NT1", "quantity": 2}])}
    pack = make_pack(basic_tender(ruleset=str(path)), bids, all_scores(["a"]))

    result = invoke("score", pack, "--no-ledger")

    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "Error: ruleset stockport: rules value.NT1, local.nt1_again all value commitment 1 (NT1) of bid:a; "
        "a commitment must be valued by exactly one rule"
    )
