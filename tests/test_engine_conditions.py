"""Compiled conditions fire on exactly the facts an independent Python predicate accepts (hypothesis).

One ruleset of ~55 rules covers every operator, parameters, field references, `any`/`all` and dotted fields.
It is compiled and registered once for the module: each registration on the durable-rules Host costs ~0.75 MB
that is never freed, so hypothesis varies the facts, never the rules. Each rule is paired with a lambda written
here from the condition language's documented meaning (an absent or null field satisfies no comparison, not
even `ne`; `not_in` needs the field present), independently of engine/predicate.py, which is checked as a
third opinion.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tenderscore.engine import Rule, RulesetSpec, Session, Trace, canonical_json, sha256_hex
from tenderscore.engine.predicate import matches

D = Decimal
PARAMS: dict[str, Any] = {"limit": D("10"), "low": D("-2.5"), "name": "beta"}

Fact = dict[str, Any]


def v(fact: Fact, path: str) -> Any:
    """The value at a dotted path, or None when any step is absent (a null is the same as absent)."""
    value: Any = fact
    for part in path.split("."):
        if not isinstance(value, dict) or value.get(part) is None:
            return None
        value = value[part]
    return value


def num(fact: Fact, path: str, test: Callable[[Decimal], bool]) -> bool:
    value = v(fact, path)
    return value is not None and test(value)


def both(fact: Fact, left: str, right: str, test: Callable[[Any, Any], bool]) -> bool:
    a, b = v(fact, left), v(fact, right)
    return a is not None and b is not None and test(a, b)


def item(fact: Fact) -> bool:
    return fact["kind"] == "item"


# (rule id, `when`, the independent predicate). Every rule but the `other` ones pins kind: item.
CASES: list[tuple[str, dict[str, Any], Callable[[Fact], bool]]] = [
    # numbers against literals, including a non-integer and a negative bound
    ("n_eq_3", {"n": 3}, lambda f: num(f, "n", lambda n: n == 3)),
    ("n_eq_7.25", {"n": {"eq": D("7.25")}}, lambda f: num(f, "n", lambda n: n == D("7.25"))),
    ("n_ne_3", {"n": {"ne": 3}}, lambda f: num(f, "n", lambda n: n != 3)),
    ("n_lt_10", {"n": {"lt": 10}}, lambda f: num(f, "n", lambda n: n < 10)),
    ("n_lte_10", {"n": {"lte": 10}}, lambda f: num(f, "n", lambda n: n <= 10)),
    ("n_gt_10", {"n": {"gt": 10}}, lambda f: num(f, "n", lambda n: n > 10)),
    ("n_gte_10", {"n": {"gte": 10}}, lambda f: num(f, "n", lambda n: n >= 10)),
    ("n_lt_0", {"n": {"lt": 0}}, lambda f: num(f, "n", lambda n: n < 0)),
    ("n_gte_-2.5", {"n": {"gte": D("-2.5")}}, lambda f: num(f, "n", lambda n: n >= D("-2.5"))),
    (
        "n_range",
        {"n": {"gt": D("-2.5"), "lte": D("7.25")}},
        lambda f: num(f, "n", lambda n: D("-2.5") < n <= D("7.25")),
    ),
    ("n_lt_1.5", {"n": {"lt": D("1.5")}}, lambda f: num(f, "n", lambda n: n < D("1.5"))),
    (
        "n_in",
        {"n": {"in": [3, D("7.25"), D("-2.5"), 100]}},
        lambda f: num(f, "n", lambda n: n in (3, D("7.25"), D("-2.5"), 100)),
    ),
    ("n_in_one", {"n": {"in": [0]}}, lambda f: num(f, "n", lambda n: n == 0)),
    ("n_not_in", {"n": {"not_in": [0, 3]}}, lambda f: num(f, "n", lambda n: n not in (0, 3))),
    ("n_exists", {"n": {"exists": True}}, lambda f: v(f, "n") is not None),
    ("n_absent", {"n": {"exists": False}}, lambda f: v(f, "n") is None),
    # numbers against parameters
    ("n_lt_limit", {"n": {"lt": {"param": "limit"}}}, lambda f: num(f, "n", lambda n: n < 10)),
    ("n_eq_limit", {"n": {"eq": {"param": "limit"}}}, lambda f: num(f, "n", lambda n: n == 10)),
    ("n_gte_low", {"n": {"gte": {"param": "low"}}}, lambda f: num(f, "n", lambda n: n >= D("-2.5"))),
    # numbers against another field of the same fact
    ("n_eq_m", {"n": {"eq": {"field": "m"}}}, lambda f: both(f, "n", "m", lambda a, b: a == b)),
    ("n_ne_m", {"n": {"ne": {"field": "m"}}}, lambda f: both(f, "n", "m", lambda a, b: a != b)),
    ("n_lt_m", {"n": {"lt": {"field": "m"}}}, lambda f: both(f, "n", "m", lambda a, b: a < b)),
    ("n_lte_m", {"n": {"lte": {"field": "m"}}}, lambda f: both(f, "n", "m", lambda a, b: a <= b)),
    ("n_gt_m", {"n": {"gt": {"field": "m"}}}, lambda f: both(f, "n", "m", lambda a, b: a > b)),
    ("n_gte_m", {"n": {"gte": {"field": "m"}}}, lambda f: both(f, "n", "m", lambda a, b: a >= b)),
    # strings
    ("s_eq_beta", {"s": "beta"}, lambda f: v(f, "s") == "beta"),
    ("s_ne_beta", {"s": {"ne": "beta"}}, lambda f: v(f, "s") is not None and v(f, "s") != "beta"),
    ("s_in", {"s": {"in": ["alpha", "gamma"]}}, lambda f: v(f, "s") in ("alpha", "gamma")),
    ("s_not_in", {"s": {"not_in": ["alpha"]}}, lambda f: v(f, "s") is not None and v(f, "s") != "alpha"),
    ("s_eq_name", {"s": {"eq": {"param": "name"}}}, lambda f: v(f, "s") == "beta"),
    ("s_absent", {"s": {"exists": False}}, lambda f: v(f, "s") is None),
    ("s_lt_beta", {"s": {"lt": "beta"}}, lambda f: v(f, "s") is not None and v(f, "s") < "beta"),
    ("s_gte_gamma", {"s": {"gte": "gamma"}}, lambda f: v(f, "s") is not None and v(f, "s") >= "gamma"),
    ("s_eq_t", {"s": {"eq": {"field": "t"}}}, lambda f: both(f, "s", "t", lambda a, b: a == b)),
    ("s_ne_t", {"s": {"ne": {"field": "t"}}}, lambda f: both(f, "s", "t", lambda a, b: a != b)),
    # booleans
    ("b_true", {"b": True}, lambda f: v(f, "b") is True),
    ("b_false", {"b": False}, lambda f: v(f, "b") is False),
    ("b_ne_true", {"b": {"ne": True}}, lambda f: v(f, "b") is False),
    ("b_exists", {"b": {"exists": True}}, lambda f: v(f, "b") is not None),
    # nested dotted fields
    ("dx_gt_0", {"d.x": {"gt": 0}}, lambda f: num(f, "d.x", lambda x: x > 0)),
    ("dx_lte_limit", {"d.x": {"lte": {"param": "limit"}}}, lambda f: num(f, "d.x", lambda x: x <= 10)),
    ("dx_exists", {"d.x": {"exists": True}}, lambda f: v(f, "d.x") is not None),
    ("dx_eq_n", {"d.x": {"eq": {"field": "n"}}}, lambda f: both(f, "d.x", "n", lambda a, b: a == b)),
    ("dyz_deep", {"d.y.z": "deep"}, lambda f: v(f, "d.y.z") == "deep"),
    ("dyz_absent", {"d.y.z": {"exists": False}}, lambda f: v(f, "d.y.z") is None),
    # any / all, nested
    (
        "any_neg_or_beta",
        {"any": [{"n": {"lt": 0}}, {"s": "beta"}]},
        lambda f: num(f, "n", lambda n: n < 0) or v(f, "s") == "beta",
    ),
    (
        "any_three",
        {"any": [{"b": True}, {"d.x": {"gte": 3}}, {"n": {"in": [1, 2]}}]},
        lambda f: v(f, "b") is True or num(f, "d.x", lambda x: x >= 3) or num(f, "n", lambda n: n in (1, 2)),
    ),
    (
        "all_pos_and_alpha_or_gamma",
        {"all": [{"n": {"gt": 0}}, {"any": [{"s": "alpha"}, {"s": "gamma"}]}]},
        lambda f: num(f, "n", lambda n: n > 0) and v(f, "s") in ("alpha", "gamma"),
    ),
    (
        "any_of_alls",
        {
            "any": [
                {"all": [{"n": {"gte": 3}}, {"b": False}]},
                {"all": [{"s": {"exists": False}}, {"d.x": {"lt": 0}}]},
            ]
        },
        lambda f: (
            (num(f, "n", lambda n: n >= 3) and v(f, "b") is False)
            or (v(f, "s") is None and num(f, "d.x", lambda x: x < 0))
        ),
    ),
    (
        "several_fields",
        {"n": {"gt": 0}, "s": "alpha", "b": True},
        lambda f: num(f, "n", lambda n: n > 0) and v(f, "s") == "alpha" and v(f, "b") is True,
    ),
    (
        "any_overlapping",
        {"any": [{"n": {"gt": 0}}, {"n": {"gt": 1}}, {"n": {"gte": 2}}]},
        lambda f: num(f, "n", lambda n: n > 0),
    ),
    (
        "m_absent_n_present",
        {"m": {"exists": False}, "n": {"exists": True}},
        lambda f: v(f, "m") is None and v(f, "n") is not None,
    ),
]
# Rules about another kind: an `item` fact must never fire them, and an `other` fact fires only these.
OTHER_CASES: list[tuple[str, dict[str, Any], Callable[[Fact], bool]]] = [
    ("other_any", {}, lambda f: True),
    ("other_n_gte_0", {"n": {"gte": 0}}, lambda f: num(f, "n", lambda n: n >= 0)),
]

RULES = tuple(
    [Rule(rid, {"kind": "item", **when}, {"flag": {"code": "hit", "message": rid}}) for rid, when, _ in CASES]
    + [Rule(rid, {"kind": "other", **when}, {"flag": {"code": "hit", "message": rid}}) for rid, when, _ in OTHER_CASES]
)
SPEC = RulesetSpec("hypothesis-conditions", sha256_hex(canonical_json(list(RULES))), PARAMS, RULES)


def expected(fact: Fact) -> set[str]:
    cases = CASES if item(fact) else OTHER_CASES
    return {rid for rid, _, predicate in cases if predicate(fact)}


BOUNDARIES = [D(x) for x in ("0", "1", "2", "3", "10", "100", "-1", "-2.5", "7.25", "1.5", "3.0000", "10.00")]
# Up to 4 decimal places, negative values included, and the literals themselves often.
numbers = st.one_of(
    st.sampled_from(BOUNDARIES),
    st.builds(lambda k, p: D(k).scaleb(-p), st.integers(-(10**7), 10**7), st.integers(0, 4)),
)
strings = st.sampled_from(["alpha", "beta", "gamma", "deep", "Beta", "", "zeta", "alphabet"])


def absent_or(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), values)


nested = st.fixed_dictionaries(
    {},
    optional={
        "x": absent_or(numbers),
        "y": st.fixed_dictionaries({}, optional={"z": absent_or(strings)}),
    },
)


@st.composite
def facts(draw: st.DrawFn) -> list[Fact]:
    """1-4 well-typed facts for one session; any field may be absent or null."""
    count = draw(st.integers(1, 4))
    out = []
    for index in range(count):
        fields = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "n": absent_or(numbers),
                    "m": absent_or(numbers),
                    "s": absent_or(strings),
                    "t": absent_or(strings),
                    "b": absent_or(st.booleans()),
                    "d": nested,
                },
            )
        )
        kind = draw(st.sampled_from(["item", "item", "item", "other"]))
        out.append({"id": f"f{index}", "kind": kind, **fields})
    return out


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts())
def test_engine_fires_exactly_the_rules_an_independent_predicate_accepts(batch: list[Fact]) -> None:
    trace = Trace()
    with Session(SPEC, "hypothesis", trace) as session:
        for fact in batch:
            fired = [f.rule for f in session.assert_fact(fact)]
            want = expected(fact)
            by_predicate = {rule.id for rule in RULES if matches(rule.when, fact, PARAMS)}
            assert sorted(fired) == sorted(want), fact
            assert by_predicate == want, fact
            # one firing per rule and fact, whatever the number of true `any` branches
            assert len(fired) == len(set(fired))
    # The trace is the firings in assertion order, numbered from 1 without gaps.
    assert [f.seq for f in trace.firings] == list(range(1, len(trace.firings) + 1))
    order = {fact["id"]: position for position, fact in enumerate(batch)}
    assert [order[f.fact["id"]] for f in trace.firings] == sorted(order[f.fact["id"]] for f in trace.firings)


@settings(max_examples=100, deadline=None)
@given(st.builds(lambda k, p: D(k).scaleb(-p), st.integers(2 * 10**4, 10**9), st.integers(0, 4)))
def test_any_with_every_branch_true_fires_once(n: Decimal) -> None:
    # n >= 2 makes all three branches of any_overlapping true (n > 0, n > 1, n >= 2).
    trace = Trace()
    with Session(SPEC, "any", trace) as session:
        session.assert_fact({"id": "only", "kind": "item", "n": n})
    assert [f.rule for f in trace.firings].count("any_overlapping") == 1
    assert [f.effect for f in trace.firings if f.rule == "any_overlapping"] == [
        {"type": "flag", "code": "hit", "message": "any_overlapping"}
    ]


def test_boundary_values_by_hand() -> None:
    # Worked by hand for a fact holding only n: every rule on s, t, b, m or d fails except the "absent" ones
    # (s_absent, dyz_absent, m_absent_n_present). n = 10 is lte/gte 10 and eq the limit parameter but not
    # lt/gt 10; n = -2.5 is gte the low bound and in the `in` list but outside the open range (-2.5, 7.25];
    # n = 7.25 closes that range and equals its literal.
    absent = {"s_absent", "dyz_absent", "m_absent_n_present", "n_exists", "n_ne_3", "n_not_in"}
    cases = {
        "10": {"n_lte_10", "n_gte_10", "n_gte_-2.5", "n_eq_limit", "n_gte_low", "any_overlapping"},
        "-2.5": {"n_lt_10", "n_lte_10", "n_lt_0", "n_gte_-2.5", "n_lt_1.5", "n_in", "n_lt_limit", "n_gte_low"}
        | {"any_neg_or_beta"},
        "7.25": {"n_eq_7.25", "n_lt_10", "n_lte_10", "n_gte_-2.5", "n_range", "n_in", "n_lt_limit", "n_gte_low"}
        | {"any_overlapping"},
    }
    for n, want in cases.items():
        trace = Trace()
        with Session(SPEC, "boundary", trace) as session:
            fired = {f.rule for f in session.assert_fact({"id": "x", "kind": "item", "n": D(n)})}
        assert fired == want | absent, n
