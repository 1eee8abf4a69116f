"""`measures`: a ruleset's TOMs measure catalogue as a table, JSON or CSV.

Proxies are money: shown as strings with two decimals, or every decimal a licensed table gives, so no reader
loses a penny (formats.md).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from tabulate import tabulate

from ..numbers import PENNY
from ..ruleset import LoadedRuleset

COLUMNS = ("code", "theme", "unit", "proxy_gbp", "source")
FORMATS = ("table", "json", "csv")


def money(value: Decimal) -> str:
    """Pounds as a string: two decimals, or more when the value has them (never rounded away)."""
    return f"{value:.2f}" if value == value.quantize(PENNY) else f"{value:f}"


def grouped(value: Decimal) -> str:
    """`money` for people: thousands separated (12,654.00), never rounded away."""
    return f"{value:,.2f}" if value == value.quantize(PENNY) else f"{value:,f}"


def measure_rows(ruleset: LoadedRuleset) -> list[dict[str, str]]:
    return [
        {"code": m.code, "theme": m.theme, "unit": m.unit, "proxy_gbp": money(m.proxy_gbp), "source": m.source}
        for m in ruleset.model.measures
    ]


def render_measures(ruleset: LoadedRuleset, fmt: str) -> str:
    rows = measure_rows(ruleset)
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    heading = f"{ruleset.id}@{ruleset.version}: {len(rows)} measures ({ruleset.model.title})"
    table = tabulate(
        [
            [grouped(m.proxy_gbp) if c == "proxy_gbp" else row[c] for c in COLUMNS]
            for m, row in zip(ruleset.model.measures, rows, strict=True)
        ],
        headers=list(COLUMNS),
        tablefmt="simple",
        disable_numparse=True,
        colalign=("left", "left", "left", "right", "left"),
    )
    return f"{heading}\n\n{table}\n"
