"""A reproducible batch workload: seeded tender packs written as ordinary pack folders.

The packs are what a procurement team would hand to `tenderscore score`: a tender.yaml under the shipped
Stockport ruleset, one YAML file per bid and a scores.csv. The same seed and sizes give the same files byte for
byte, so two runs (or two machines) score exactly the same work. The mix is deliberately realistic rather than
uniform: a few failed gates and below-minimum scores (exclusions), a few unknown and not-accepted measures
(flags), spend-type commitments above the contract value (caps), and price outliers (abnormally low flags).
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from tenderscore.scoring.ruleset import LoadedRuleset, resolve_ruleset

# Pinned: the figures in benchmarks/README.md (facts, firings) were measured on 2026.1; 2026.2 adds the charter's
# notices over bid facts, two more firings for each bid of this workload, which states none.
RULESET = "stockport@2026.1"
MANIFEST = "workload.json"
GATES = ("ethical_standards", "modern_slavery")
THEMES = ("jobs", "growth", "social", "environment", "innovation")
# The engine pins Decimal arithmetic; the generator only ever writes decimal strings, never floats.
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class WorkloadSpec:
    packs: int = 500
    bids: int = 10
    commitments: int = 20
    seed: int = 2026

    @property
    def name(self) -> str:
        return f"workload-{self.packs}x{self.bids}x{self.commitments}-seed{self.seed}"

    @property
    def total_bids(self) -> int:
        return self.packs * self.bids


def _money(rng: random.Random, low: int, high: int) -> str:
    return str(Decimal(rng.randint(low * 100, high * 100)) * PENNY)


def _tender(rng: random.Random, number: int, ruleset: LoadedRuleset) -> dict[str, Any]:
    contract = Decimal(_money(rng, 30_000, 5_000_000))
    social_value = rng.choice([15, 20, 20, 20, 25])
    quality = rng.choice([30, 40, 50])
    sv_question = 5
    # Split the quantitative part of the social value weight across the themes, whole points each.
    remaining = social_value - sv_question
    themes: dict[str, int] = {}
    for theme in THEMES[:-1]:
        share = rng.randint(0, remaining)
        themes[theme] = share
        remaining -= share
    themes[THEMES[-1]] = remaining
    tender: dict[str, Any] = {
        "id": f"BENCH-{number:05d}",
        "title": f"Benchmark tender {number}",
        "buyer": "Stockport Council",
        "contract_value_gbp": f"{contract:.2f}",
        "procedure": "competitive",
        "ruleset": RULESET,
        "weights": {"price": 100 - quality - social_value, "quality": quality, "social_value": social_value},
        "price": {"method": rng.choice(["lowest_relative", "lowest_relative", "linear_from_lowest"])},
        "quality": {
            "scale_max": 5,
            "questions": [
                {"id": "Q1", "title": "Delivery methodology", "weight": quality - 10, "min_score": 2},
                {"id": "Q2", "title": "Resourcing", "weight": 10, "min_score": 2},
            ],
        },
        "social_value": {
            "themes": themes,
            "questions": [{"id": "SV1", "title": "Social value plan", "weight": sv_question, "min_score": 1}],
        },
        "gates": list(GATES),
    }
    if rng.random() < 0.2:
        # A tender that accepts only part of the catalogue, so some commitments are not accepted.
        codes = sorted(ruleset.measures)
        tender["social_value"]["measures"] = sorted(rng.sample(codes, k=len(codes) * 3 // 4))
    return tender


def _commitment(rng: random.Random, ruleset: LoadedRuleset, contract: Decimal) -> dict[str, Any]:
    if rng.random() < 0.02:
        return {"measure": f"XX-{rng.randint(1, 99)}", "quantity": rng.randint(1, 10)}
    measure = ruleset.measures[rng.choice(sorted(ruleset.measures))]
    if measure.unit == "gbp":
        # Now and then a spend commitment above the contract value, which the ruleset caps.
        top = int(contract * Decimal("1.5")) if rng.random() < 0.05 else int(contract // 10) + 1
        return {"measure": measure.code, "quantity": _money(rng, 1, max(top, 2))}
    quantity = Decimal(rng.randint(1, 4000)) / 10
    return {"measure": measure.code, "quantity": str(quantity)}


def _bid(rng: random.Random, number: int, spec: WorkloadSpec, ruleset: LoadedRuleset, contract: Decimal) -> Any:
    spread = Decimal(rng.randint(70, 130)) / 100
    if rng.random() < 0.05:
        spread = Decimal(rng.randint(40, 60)) / 100  # an abnormally low price
    gates = {gate: ("fail" if rng.random() < 0.02 else "pass") for gate in GATES}
    return {
        "bidder": f"Bidder {number:03d} Ltd",
        "price_gbp": f"{(contract * spread).quantize(PENNY):.2f}",
        "gates": gates,
        "commitments": [_commitment(rng, ruleset, contract) for _ in range(spec.commitments)],
        "facts": {"sme": rng.random() < 0.5, "living_wage_employer": rng.random() < 0.6},
    }


def _scores(rng: random.Random, bid_ids: list[str]) -> str:
    lines = ["bid,question,score"]
    for bid_id in bid_ids:
        for question in ("Q1", "Q2", "SV1"):
            # Mostly 2 to 5; an occasional 1 falls under the quality minimum and excludes the bid.
            score = 1 if rng.random() < 0.02 else rng.randint(2, 5)
            lines.append(f"{bid_id},{question},{score}")
    return "\n".join(lines) + "\n"


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_pack(folder: Path, rng: random.Random, number: int, spec: WorkloadSpec, ruleset: LoadedRuleset) -> None:
    tender = _tender(rng, number, ruleset)
    contract = Decimal(tender["contract_value_gbp"])
    (folder / "bids").mkdir(parents=True)
    (folder / "tender.yaml").write_text(_dump(tender), encoding="utf-8")
    bid_ids = [f"bid{index:03d}" for index in range(1, spec.bids + 1)]
    for index, bid_id in enumerate(bid_ids, start=1):
        text = _dump(_bid(rng, index, spec, ruleset, contract))
        (folder / "bids" / f"{bid_id}.yaml").write_text(text, encoding="utf-8")
    (folder / "scores.csv").write_text(_scores(rng, bid_ids), encoding="utf-8")


def generate(root: Path, spec: WorkloadSpec) -> list[Path]:
    """Write the workload's packs under `root/<spec.name>/` (reused when already there); returns the pack folders.

    Each pack draws from its own generator seeded from (seed, pack number), so a bigger workload starts with
    exactly the packs of a smaller one and any pack can be regenerated alone.
    """
    base = root / spec.name
    manifest = base / MANIFEST
    folders = [base / f"pack{number:05d}" for number in range(1, spec.packs + 1)]
    if manifest.is_file() and json.loads(manifest.read_text(encoding="utf-8")) == asdict(spec):
        return folders
    if base.exists():
        shutil.rmtree(base)
    ruleset = resolve_ruleset(RULESET)
    for number, folder in enumerate(folders, start=1):
        write_pack(folder, random.Random(f"{spec.seed}:{number}"), number, spec, ruleset)
    manifest.write_text(json.dumps(asdict(spec), sort_keys=True) + "\n", encoding="utf-8")
    return folders
