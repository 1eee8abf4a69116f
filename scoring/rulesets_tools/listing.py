"""`rules list` and `rules show`: the shipped rulesets, and everything one ruleset says."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from ...engine import plain
from ..numbers import fmt_gbp, fmt_plain
from ..ruleset import LoadedRuleset, resolve_ruleset, shipped_ids, valuation_rule_id
from .catalogue import measure_rows
from .yamlout import dump_yaml

SHOW_FORMATS = ("text", "json")


def render_list() -> str:
    rows = []
    for ruleset_id in shipped_ids():
        loaded = resolve_ruleset(ruleset_id)
        rows.append([loaded.id, loaded.version, loaded.model.title, loaded.sha256])
    return tabulate(rows, headers=["id", "version", "title", "sha256"], tablefmt="simple", disable_numparse=True) + "\n"


def show_data(ruleset: LoadedRuleset) -> dict[str, Any]:
    """The ruleset as JSON-ready data: its identity and hash, then every section (numbers as exact strings)."""
    model = ruleset.model
    data: dict[str, Any] = {
        "id": model.id,
        "version": model.version,
        "title": model.title,
        "sha256": ruleset.sha256,
        "origin": ruleset.origin,
        "source": model.source,
        "policy": plain(model.policy.model_dump()),
        "themes": plain({k: t.model_dump() for k, t in model.themes.items()}),
        "core_outcomes": plain({k: o.model_dump() for k, o in model.core_outcomes.items()}),
        "gates": plain({k: g.model_dump() for k, g in model.gates.items()}),
        "measures": [{**row, "title": m.title} for row, m in zip(measure_rows(ruleset), model.measures, strict=True)],
        "rules": [plain(r.model_dump()) for r in model.rules],
        "generated_rules": [valuation_rule_id(m.code) for m in model.measures],
    }
    return data


def render_show(ruleset: LoadedRuleset, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(show_data(ruleset), indent=2, ensure_ascii=False) + "\n"
    model = ruleset.model
    policy = model.policy
    lines = [
        f"{model.id}@{model.version}: {model.title}",
        f"sha256: {ruleset.sha256}",
        f"origin: {ruleset.origin}",
    ]
    if model.source:
        lines.append(f"source: {model.source}")
    lines += ["", "Policy:"]
    for key, value in policy.model_dump().items():
        shown = "none" if value is None else ", ".join(value) if isinstance(value, list) else fmt_plain(value)
        if key.endswith("_gbp") and value is not None:
            shown = fmt_gbp(value)  # money for people; `--format json` keeps the plain figure
        lines.append(f"  {key}: {shown}")
    lines += ["", "Themes:"] + [f"  {key} ({t.number}): {t.title}" for key, t in model.themes.items()]
    lines += ["", "Core outcomes:"]
    lines += [f"  {key}: {o.title} (themes: {', '.join(o.themes)})" for key, o in model.core_outcomes.items()]
    if model.gates:
        lines += ["", "Gates:"] + [f"  {key}: {g.title}" for key, g in model.gates.items()]
    lines += [
        "",
        f"Measures: {len(model.measures)} (tenderscore measures --ruleset {ruleset.origin.removeprefix('shipped:')}),"
        f" each valued by a generated rule value.<code>",
        "",
        f"Rules ({len(model.rules)}):",
    ]
    for rule in model.rules:
        pri = f" [pri {rule.pri}]" if rule.pri else ""
        lines.append(f"  {rule.id}{pri}: {rule.title}")
        lines.append(f"    when: {dump_yaml(rule.when, flow=True).strip()}")
        lines.append(f"    then: {dump_yaml(rule.then, flow=True).strip()}")
    return "\n".join(lines) + "\n"
