"""`tenderscore validate` on the broken fixture packs: exit 2, file and field named, every problem, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, invoke

BROKEN = FIXTURES / "broken"

# pack -> every error line validate must print (after "Error: <pack>/"), and nothing else.
EXPECTED: dict[str, list[str]] = {
    "misspelt-price": [
        "bids/brennan.yaml: price_gbp: required, but missing",
        "bids/brennan.yaml: pirce_gbp: unknown field; did you mean price_gbp?",
    ],
    "weights-not-100": [
        "tender.yaml: weights: expected price + quality + social_value = 100, found 105",
    ],
    "question-weights": [
        "tender.yaml: quality.questions: expected question weights summing to the quality weight 40, found 35",
    ],
    "missing-score": [
        "scores.csv: bid brennan, question Q2: missing consensus score (a missing score is not a zero)",
    ],
    "non-numeric-score": [
        "scores.csv: line 3: score: expected a score 0 to 5 in steps of 1, found 'four'",
    ],
    "malformed-yaml": [
        "bids/fairfield.yaml: line 1, column 34: not valid YAML: mapping values are not allowed here",
    ],
    "unknown-gate": [
        "bids/acme.yaml: gates.insurance: expected a gate the tender lists (ethical_standards, modern_slavery)",
    ],
    "zero-price": [
        "bids/fairfield.yaml: price_gbp: expected a number greater than 0, found 0.00",
    ],
    "negative-quantity": [
        "bids/brennan.yaml: commitments[3].quantity: expected a number of 0 or more, found -5000.00",
    ],
}
SEVERAL = [
    "bids/brennan.yaml: price_gbp: required, but missing",
    "bids/brennan.yaml: pirce_gbp: unknown field; did you mean price_gbp?",
    "bids/fairfield.yaml: commitments[1].quantity: expected a number of 0 or more, found -30",
    "tender.yaml: weights: expected price + quality + social_value = 100, found 105",
    "bids/acme.yaml: gates.insurance: expected a gate the tender lists (ethical_standards, modern_slavery)",
    "scores.csv: line 3: score: expected a score 0 to 5 in steps of 1, found 'four'",
]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def test_every_broken_pack_is_covered() -> None:
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == sorted([*EXPECTED, "several-problems"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_refuses_a_broken_pack_naming_file_and_field(name: str) -> None:
    pack = BROKEN / name
    result = invoke("validate", pack)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert error_lines(result.stderr) == [f"Error: {pack}/{line}" for line in EXPECTED[name]]


def test_one_run_lists_every_problem_of_a_pack() -> None:
    pack = BROKEN / "several-problems"
    result = invoke("validate", pack)
    assert result.exit_code == 2
    assert sorted(error_lines(result.stderr)) == sorted(f"Error: {pack}/{line}" for line in SEVERAL)


def console_script() -> list[str]:
    # The script pip installed next to this interpreter, as a user runs it (not click's in-process runner).
    script = Path(sys.executable).with_name("tenderscore")
    assert script.is_file(), f"{script}: install the package (pip install -e .) to get the console script"
    return [str(script)]


@pytest.mark.parametrize("name", ["several-problems", "malformed-yaml", "misspelt-price"])
def test_the_installed_command_reports_without_a_traceback(name: str) -> None:
    pack = BROKEN / name
    done = subprocess.run([*console_script(), "validate", str(pack)], capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    expected = SEVERAL if name == "several-problems" else EXPECTED[name]
    assert sorted(error_lines(done.stderr)) == sorted(f"Error: {pack}/{line}" for line in expected)


def test_the_installed_command_accepts_the_shipped_pack() -> None:
    # The control: the same command on the unbroken pack these were cut from exits 0.
    pack = FIXTURES / "stockport-highways"
    done = subprocess.run([*console_script(), "validate", str(pack)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{pack}: valid: tender STK-2026-014, 6 bids, ruleset stockport@2026.2")
