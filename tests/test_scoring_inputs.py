"""scoring.md, Tender validity and bad input: exit 2, every problem listed at once, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import all_scores, basic_bid, basic_tender, invoke
from scoring_support import _private_ledger  # noqa: F401  (autouse fixture)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line]


def test_every_input_problem_is_listed_at_once(make_pack: Callable[..., Path]) -> None:
    tender = basic_tender(weights={"price": 40, "quality": 40, "social_value": 25})
    bids = {
        "zero": basic_bid("Zero", "0"),
        "negative": basic_bid("Negative", "-5.00"),
        "minus": basic_bid("Minus", "100.00", [{"measure": "NT1", "quantity": -1}]),
        "ok": basic_bid("OK", "100.00"),
        "high": basic_bid("High", "100.00"),
    }
    rows = [f"{b},{q},4" for b in ("zero", "negative", "minus") for q in ("Q1", "Q2", "SV1")]
    rows += ["ok,Q1,4", "ok,SV1,3"]  # ok has no Q2 score
    rows += ["high,Q1,6", "high,Q2,-1", "high,SV1,3"]  # outside 0..5 both ways
    pack = make_pack(tender, bids, "bid,question,score\n" + "\n".join(rows) + "\n")
    run = invoke("score", pack)
    assert run.exit_code == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    lines = error_lines(run.stderr)
    assert all(line.startswith(f"Error: {pack}/") for line in lines), lines
    assert sorted(lines) == sorted(
        [
            f"Error: {pack}/tender.yaml: weights: expected price + quality + social_value = 100, found 105",
            f"Error: {pack}/tender.yaml: social_value: expected theme weights plus question weights summing to "
            "the social value weight 25, found 20",
            f"Error: {pack}/bids/zero.yaml: price_gbp: expected a number greater than 0, found 0",
            f"Error: {pack}/bids/negative.yaml: price_gbp: expected a number greater than 0, found -5.00",
            f"Error: {pack}/bids/minus.yaml: commitments[0].quantity: expected a number of 0 or more, found -1",
            f"Error: {pack}/scores.csv: bid ok, question Q2: missing consensus score (a missing score is not a zero)",
            f"Error: {pack}/scores.csv: line 13: score: out of range: expected a score 0 to 5 in steps of 1, found 6",
            f"Error: {pack}/scores.csv: line 14: score: out of range: expected a score 0 to 5 in steps of 1, found -1",
        ]
    )


def test_question_weights_must_add_up_to_their_sections(make_pack: Callable[..., Path]) -> None:
    tender = basic_tender()
    tender["quality"]["questions"][0]["weight"] = 20  # 20 + 15 = 35, not the quality weight 40
    tender["social_value"]["themes"]["jobs"] = 7  # 7 + 4 + 3 + 2 + 0 + 5 = 21, not 20
    tender["social_value"]["questions"][0]["min_score"] = 6  # above scale_max 5
    run = invoke("score", make_pack(tender, {"a": basic_bid("A", "100.00")}, all_scores(["a"])))
    assert run.exit_code == 2
    assert "Traceback" not in run.stderr
    text = run.stderr
    assert (
        "tender.yaml: quality.questions: expected question weights summing to the quality weight 40, found 35" in text
    )
    assert (
        "tender.yaml: social_value: expected theme weights plus question weights summing to the social value " in text
    )
    assert "weight 20, found 21" in text
    assert "tender.yaml: social_value.questions[0] (SV1).min_score: expected 0 to 5, found 6" in text


def test_a_score_that_is_not_a_number_is_an_input_error(make_pack: Callable[..., Path]) -> None:
    scores = "bid,question,score\na,Q1,four\na,Q2,4\na,SV1,3\n"
    pack = make_pack(basic_tender(), {"a": basic_bid("A", "100.00")}, scores)
    run = invoke("score", pack)
    assert run.exit_code == 2
    assert error_lines(run.stderr) == [
        f"Error: {pack}/scores.csv: line 2: score: expected a score 0 to 5 in steps of 1, found 'four'"
    ]
