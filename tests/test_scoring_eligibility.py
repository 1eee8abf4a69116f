"""scoring.md, Eligibility: gates, then question minimums; excluded bids keep reasons and raw figures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import all_scores, basic_bid, basic_tender, invoke, load_json
from scoring_support import _private_ledger, bid, dec, failing, figures, score  # noqa: F401  (autouse fixture)


def test_a_failed_gate_excludes_with_a_reason_naming_the_gate(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(
        basic_tender(),
        {
            "a": basic_bid("A", "100000.00"),
            "f": basic_bid(
                "F",
                "90000.00",
                [{"measure": "NT1", "quantity": 2}],
                gates=failing("ethical_standards"),
            ),
        },
        all_scores(["a", "f"]),
    )
    result = score(pack)
    f = bid(result, "f")
    assert f.status == "excluded" and f.rank is None
    assert [e.reason for e in f.excluded_reasons] == [
        "Gate ethical_standards (Ethical standards) was answered fail, not pass."
    ]
    assert [e.rule for e in f.excluded_reasons] == ["gate.not_passed"]
    # Raw figures are kept: price, scores, commitment values (2 × 12654.00 = 25308.00; 25.31% of £100,000).
    assert f.price_gbp == dec("90000.00")
    assert [q.score for q in f.questions.values()] == [dec(4), dec(4), dec(3)]
    assert (f.sv_total_gbp, f.sv_percent, f.themes["jobs"].gbp) == (dec("25308.00"), dec("25.31"), dec("25308.00"))
    assert figures(f) == (None, None, None, None)
    assert all(q.points is None for q in f.questions.values())


def test_a_missing_gate_answer_excludes_too(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(
        basic_tender(),
        {"a": basic_bid("A", "100000.00"), "m": basic_bid("M", "100000.00", gates={"ethical_standards": "pass"})},
        all_scores(["a", "m"]),
    )
    m = bid(score(pack), "m")
    assert m.status == "excluded"
    assert [e.reason for e in m.excluded_reasons] == [
        "Gate modern_slavery (Modern slavery) was answered missing, not pass."
    ]


def test_a_score_below_a_minimum_excludes_naming_question_score_and_minimum(make_pack: Callable[..., Path]) -> None:
    # Q2 min 2: a score of 2 is not below it (eligible), 1.5 is. SV1 (qualitative social value) min 1: 0 is below.
    tender = basic_tender()
    tender["quality"]["scale_step"] = "0.5"  # 1.5 is on a scale in halves
    pack = make_pack(
        tender,
        {"ok": basic_bid("OK", "100000.00"), "q": basic_bid("Q", "100000.00"), "s": basic_bid("S", "100000.00")},
        {
            "ok": {"Q1": 2, "Q2": 2, "SV1": 1},
            "q": {"Q1": 4, "Q2": "1.5", "SV1": 3},
            "s": {"Q1": 4, "Q2": 4, "SV1": 0},
        },
    )
    result = score(pack)
    assert bid(result, "ok").status == "eligible"
    assert [e.reason for e in bid(result, "q").excluded_reasons] == [
        "Question Q2 (Resources) scored 1.5, below its minimum of 2."
    ]
    assert [e.reason for e in bid(result, "s").excluded_reasons] == [
        "Question SV1 (SV plan) scored 0, below its minimum of 1."
    ]
    assert [(b.bid_id, b.rank) for b in result.bids] == [("ok", 1), ("q", None), ("s", None)]


def test_gates_come_before_minimums_in_the_reasons(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(
        basic_tender(),
        {
            "a": basic_bid("A", "100000.00"),
            "z": basic_bid("Z", "100000.00", gates=failing("modern_slavery")),
        },
        {"a": {"Q1": 4, "Q2": 4, "SV1": 3}, "z": {"Q1": 1, "Q2": 4, "SV1": 0}},
    )
    z = bid(score(pack), "z")
    assert [e.code for e in z.excluded_reasons] == ["gate_not_passed", "below_minimum", "below_minimum"]
    assert [e.reason for e in z.excluded_reasons] == [
        "Gate modern_slavery (Modern slavery) was answered fail, not pass.",
        "Question Q1 (Method) scored 1, below its minimum of 2.",
        "Question SV1 (SV plan) scored 0, below its minimum of 1.",
    ]


def test_excluded_bids_in_json_have_null_rank_and_points(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(
        basic_tender(),
        {"a": basic_bid("A", "100000.00"), "f": basic_bid("F", "90000.00", gates={"ethical_standards": "fail"})},
        all_scores(["a", "f"]),
    )
    run = invoke("score", pack, "--format", "json")
    assert run.exit_code == 0, run.stderr
    f = next(b for b in load_json(run.stdout)["bids"] if b["bid_id"] == "f")
    assert f["status"] == "excluded" and f["rank"] is None and f["total"] is None
    assert f["price"] == {"gbp": "90000.00", "points": None}
    assert f["quality"]["points"] is None and f["social_value"]["points"] is None
    assert f["quality"]["questions"]["Q1"] == {"score": "4", "points": None}
    assert f["excluded_reasons"] == [
        "Gate ethical_standards (Ethical standards) was answered fail, not pass.",
        "Gate modern_slavery (Modern slavery) was answered missing, not pass.",
    ]


def test_no_eligible_bid_ranks_nobody_and_says_so(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(
        basic_tender(),
        {
            "a": basic_bid("A", "100000.00", gates=failing("ethical_standards")),
            "b": basic_bid("B", "90000.00"),
        },
        {"a": {"Q1": 4, "Q2": 4, "SV1": 3}, "b": {"Q1": 4, "Q2": 1, "SV1": 3}},
    )
    result = score(pack)
    assert result.eligible == []
    assert all(b.rank is None and b.total is None for b in result.bids)
    run = invoke("score", pack)
    assert run.exit_code == 0, run.stderr
    assert "No bid is eligible: all 2 bids were excluded, so nobody is ranked." in run.stdout
    assert "Rank" not in run.stdout  # no table of ranked bids at all
    assert "Excluded: A (a): Gate ethical_standards (Ethical standards) was answered fail, not pass." in run.stdout
    assert "Excluded: B (b): Question Q2 (Resources) scored 1, below its minimum of 2." in run.stdout
    data = load_json(invoke("score", pack, "--format", "json").stdout)
    assert data["summary"] == "No bid is eligible: all 2 bids were excluded, so nobody is ranked."
    assert [b["rank"] for b in data["bids"]] == [None, None]
