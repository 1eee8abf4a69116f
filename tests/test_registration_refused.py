"""A ruleset that compiles and that `rules lint` checks, but that durable-rules refuses to register (its error
113, found by a differential fuzz): every command that loads it says so, exit 2, naming the ruleset file; no
traceback. lint and validate register the ruleset for real, so they catch everything `score` would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from conftest import ROOT, STOCKPORT_PACK, invoke
from durable_refusals import REFUSED_WHEN


def refused_ruleset(folder: Path) -> Path:
    ruleset = yaml.safe_load((ROOT / "rulesets" / "stockport.yaml").read_text(encoding="utf-8"))
    ruleset["id"] = "refused"
    ruleset["rules"].append(
        {
            "id": "refused.rule",
            "title": "Registers nowhere",
            "when": REFUSED_WHEN,
            "then": {"flag": {"code": "x", "message": "never"}},
        }
    )
    path = folder / "refused.yaml"
    path.write_text(yaml.safe_dump(ruleset, sort_keys=False), encoding="utf-8")
    return path


def pack_using(folder: Path, ruleset: Path) -> Path:
    pack = folder / "pack"
    pack.mkdir()
    for source in STOCKPORT_PACK.rglob("*"):
        target = pack / source.relative_to(STOCKPORT_PACK)
        if source.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(source.read_bytes())
    tender = (pack / "tender.yaml").read_text(encoding="utf-8")
    (pack / "tender.yaml").write_text(re.sub(r"(?m)^ruleset: .*$", f"ruleset: {ruleset}", tender), "utf-8")
    return pack


def assert_refused_by_name(result: Any, ruleset: Path) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(ruleset) in result.stderr
    assert "durable-rules refused to register it" in result.stderr


def test_score_and_validate_name_the_ruleset_durable_rules_refuses(tmp_path: Path) -> None:
    ruleset = refused_ruleset(tmp_path)
    pack = pack_using(tmp_path, ruleset)
    assert_refused_by_name(invoke("score", pack, "--no-ledger"), ruleset)
    assert_refused_by_name(invoke("validate", pack), ruleset)


def test_rules_lint_registers_the_ruleset_for_real(tmp_path: Path) -> None:
    ruleset = refused_ruleset(tmp_path)
    linted = invoke("rules", "lint", ruleset)
    assert linted.exit_code == 2, linted.output
    assert "durable-rules refused to register it" in linted.output
    assert "Traceback" not in linted.output


def test_the_same_ruleset_without_the_refused_rule_is_clean(tmp_path: Path) -> None:
    # The control: the refusal is the rule's, not the copy's.
    ruleset = yaml.safe_load((ROOT / "rulesets" / "stockport.yaml").read_text(encoding="utf-8"))
    ruleset["id"] = "control"
    path = tmp_path / "control.yaml"
    path.write_text(yaml.safe_dump(ruleset, sort_keys=False), encoding="utf-8")
    assert invoke("rules", "lint", path).exit_code == 0
    assert invoke("validate", pack_using(tmp_path, path)).exit_code == 0
