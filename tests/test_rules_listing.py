"""`rules list` and `rules show`: the shipped rulesets with their hashes, and everything one ruleset says."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import invoke
from tenderscore import rulesets
from tenderscore.scoring.ruleset import resolve_ruleset, shipped_ids

# Each shipped ruleset's sha256, written down. A decision record names its ruleset by this hash and replay checks
# it, so it must never move under a record: changing a shipped ruleset means a new version and a new pinned hash
# here, and a change to the canonical-JSON scheme (engine.canonical) that moves these hashes fails this test
# instead of passing unnoticed (comparing with resolve_ruleset would compare the code with itself).
PINNED_SHA256 = {
    ("ppn002", "2026.1"): "ff456b09fc8a11503c69bd98bf8777db93db02c365e3771d65f3c4111997b41c",
    ("stockport", "2026.1"): "406c2036bdcdb1533745e81133f919c7cc8fa2a38ff5d752e029f9e08ad58242",
}


def test_shipped_ids_are_the_rulesets_not_their_test_cases() -> None:
    assert sorted(p.name for p in rulesets.SHIPPED_DIR.glob("*.yaml")) == [
        "ppn002.tests.yaml",
        "ppn002.yaml",
        "stockport.tests.yaml",
        "stockport.yaml",
    ]
    assert shipped_ids() == ["ppn002", "stockport"]


def test_rules_list_gives_id_version_title_and_sha256() -> None:
    result = invoke("rules", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "version", "title", "sha256"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert sorted(rows) == ["ppn002", "stockport"]
    for ruleset_id, line in rows.items():
        assert line.split()[1] == "2026.1"
        assert resolve_ruleset(ruleset_id).model.title in line
        assert line.endswith(PINNED_SHA256[(ruleset_id, "2026.1")])


def test_each_shipped_ruleset_has_its_pinned_sha256() -> None:
    found = {}
    for ruleset_id in shipped_ids():
        loaded = resolve_ruleset(ruleset_id)
        found[(loaded.id, loaded.version)] = loaded.sha256
    assert found == PINNED_SHA256


def test_rules_show_text_names_the_policy_and_every_rule() -> None:
    result = invoke("rules", "show", "stockport")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("stockport@2026.1: Stockport Council Social Value Charter")
    for line in ("  floor: 15", "  target: 20", "  applies_over_gbp: £25,000.00", "  alt_fraction: 0.2"):
        assert line in out.splitlines()
    assert "  3: Stockport benefits from a thriving economy (themes: jobs, growth, environment, innovation)" in out
    assert "Measures: 24 " in out
    for rule in resolve_ruleset("stockport").model.rules:
        assert f"  {rule.id}" in out
    assert "    when: {kind: gate, answer: {ne: pass}}" in out


def test_rules_show_json_has_exact_numbers_and_the_hash() -> None:
    result = invoke("rules", "show", "ppn002", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["id"], data["version"], data["sha256"]) == ("ppn002", "2026.1", PINNED_SHA256[("ppn002", "2026.1")])
    assert data["policy"]["floor"] == "10"
    assert data["policy"]["target"] is None
    assert data["policy"]["applies_over_gbp"] == "135018"
    assert data["measures"][0] == {
        "code": "NT1",
        "theme": "jobs",
        "unit": "FTE-year",
        "proxy_gbp": "12654.00",
        "source": "indicative: public TOMs calculators, local employment per FTE-year",
        "title": "Local people employed directly on the contract",
    }
    assert [r["id"] for r in data["rules"]][:4] == [
        "policy.not_applicable",
        "policy.below_floor_refused",
        "policy.below_floor_exempt",
        "policy.meets_floor",
    ]
    assert data["generated_rules"] == [f"value.{m['code']}" for m in data["measures"]]


def test_rules_show_by_path_and_unknown_ids(tmp_path: Path) -> None:
    path = tmp_path / "council.yaml"
    path.write_text((rulesets.SHIPPED_DIR / "stockport.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    by_path = invoke("rules", "show", path)
    assert by_path.exit_code == 0
    assert f"origin: {path}" in by_path.stdout
    unknown = invoke("rules", "show", "bradford")
    assert unknown.exit_code == 2
    assert "ruleset 'bradford' is not shipped (shipped: ppn002, stockport)" in unknown.stderr
    wrong_pin = invoke("rules", "show", "stockport@2025.1")
    assert wrong_pin.exit_code == 2
    assert "pinned to version 2025.1" in wrong_pin.stderr
