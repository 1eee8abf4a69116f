"""A cap rule that also matches commitments nobody valued caps nothing, and scoring goes on."""

from pathlib import Path

import yaml
from conftest import ROOT, all_scores, basic_bid, basic_tender, invoke, load_json


def test_a_cap_on_an_unvalued_commitment_is_recorded_but_binds_nothing(make_pack, tmp_path: Path) -> None:
    ruleset = yaml.safe_load((ROOT / "rulesets" / "stockport.yaml").read_text(encoding="utf-8"))
    cap = next(rule for rule in ruleset["rules"] if rule["id"] == "cap.spend_at_contract_value")
    cap["when"] = {"kind": "commitment", "unit": "gbp"}  # no longer limited to accepted commitments
    path = tmp_path / "broad-cap.yaml"
    path.write_text(yaml.safe_dump(ruleset, sort_keys=False), encoding="utf-8")
    tender = basic_tender(ruleset=str(path))
    tender["social_value"]["measures"] = ["NT1"]  # STK-GRO-1 is catalogued but not accepted
    bids = {"a": basic_bid("A Ltd", "100000.00", [{"measure": "STK-GRO-1", "quantity": "250000.00"}])}
    pack = make_pack(tender, bids, all_scores(["a"]))

    result = invoke("score", pack, "--format", "json", "--no-ledger")

    assert result.exit_code == 0, result.output
    (bid,) = load_json(result.stdout)["bids"]
    # Not accepted, so not counted: no value, nothing for the cap to bind on, and only the not-accepted flag.
    assert [f["code"] for f in bid["flags"]] == ["measure_not_accepted"]
    assert bid["social_value"]["total_gbp"] == "0.00"
