"""The result of scoring a tender: every figure, every reason, and the rule behind each."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    rule: str  # the rule that raised it, or the check (e.g. "ranking.tie")


@dataclass(frozen=True)
class Exclusion:
    code: str
    reason: str
    rule: str


@dataclass(frozen=True)
class Notice:
    code: str
    message: str
    rule: str


# Not frozen, unlike the other values here: a frozen dataclass sets each of its 13 fields through
# object.__setattr__, and building a commitment's value was a large share of evaluate's own cost. It is
# built once, whole, and never changed after (_cap_measures replaces it).
@dataclass
class CommitmentValue:
    index: int
    measure: str
    quantity: Decimal
    note: str | None
    theme: str | None
    unit: str | None
    counted: bool
    proxy_gbp: Decimal | None = None
    raw_gbp: Decimal | None = None  # quantity × proxy, rounded to the penny
    value_gbp: Decimal = Decimal(0)  # what counts: raw, or the cap when it binds
    cap_gbp: Decimal | None = None
    capped: bool = False
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionScore:
    id: str
    title: str
    section: str
    weight: Decimal
    score: Decimal
    min_score: Decimal
    points: Decimal | None
    rationale: str = ""
    scale_max: Decimal | None = None  # the question's own scale maximum (None in results read from records)
    out_of: Decimal | None = None  # what the score was divided by: scale_max, or the best eligible score


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    weight: Decimal
    gbp: Decimal
    best_gbp: Decimal | None
    points: Decimal | None


@dataclass
class BidResult:
    bid_id: str
    bidder: str
    file: str
    price_gbp: Decimal
    status: str = "eligible"
    rank: int | None = None
    excluded_reasons: list[Exclusion] = field(default_factory=list)
    price_points: Decimal | None = None
    questions: dict[str, QuestionScore] = field(default_factory=dict)
    themes: dict[str, ThemeScore] = field(default_factory=dict)
    commitments: list[CommitmentValue] = field(default_factory=list)
    sv_total_gbp: Decimal = Decimal(0)
    sv_percent: Decimal = Decimal(0)
    core_outcomes: dict[str, Decimal] = field(default_factory=dict)
    quality_points: Decimal | None = None
    sv_points: Decimal | None = None
    total: Decimal | None = None
    flags: list[Flag] = field(default_factory=list)
    # What rules over the bid's declared facts noted (scoring.bid_facts): never points, shown beside them.
    notices: list[Notice] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.status == "eligible"

    def section_questions(self, section: str) -> list[QuestionScore]:
        return [q for q in self.questions.values() if q.section == section]


@dataclass(frozen=True)
class PolicyResult:
    status: str
    message: str
    rule: str
    social_value_weight: Decimal
    floor: Decimal
    target: Decimal | None
    notices: tuple[Notice, ...]
    exemption_reason: str | None = None
    exemption_approved_by: str | None = None


@dataclass(frozen=True)
class TenderInfo:
    id: str
    title: str
    buyer: str
    contract_value_gbp: Decimal
    procedure: str
    price_weight: Decimal
    quality_weight: Decimal
    social_value_weight: Decimal
    price_method: str
    scale_max: Decimal
    quality_method: str = "scale"


@dataclass(frozen=True)
class RulesetInfo:
    id: str
    version: str
    sha256: str
    title: str


@dataclass(frozen=True)
class FactCount:
    label: str
    fact: str
    count: int


@dataclass(frozen=True)
class FactsSummary:
    """The eligible bids counted against a ruleset's declared bid facts, for the buyer's own reporting."""

    title: str  # how the ruleset heads its bid facts (Stockport: Charter)
    eligible: int
    counts: tuple[FactCount, ...]


@dataclass
class Result:
    tender: TenderInfo
    ruleset: RulesetInfo
    policy: PolicyResult
    bids: list[BidResult]  # ranked eligible bids first (by rank, then bid id), then excluded bids in pack order
    themes: tuple[str, ...]
    core_outcome_titles: dict[str, str]
    bid_facts: FactsSummary | None = None  # None when the ruleset declares no bid facts

    @property
    def eligible(self) -> list[BidResult]:
        return [b for b in self.bids if b.eligible]

    @property
    def excluded(self) -> list[BidResult]:
        return [b for b in self.bids if not b.eligible]

    def bid(self, bid_id: str) -> BidResult | None:
        return next((b for b in self.bids if b.bid_id == bid_id), None)
