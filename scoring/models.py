"""The tender pack as validated models (formats.md). Money, weights and scores are exact Decimals.

Unknown keys are errors everywhere except a bid's free-form `facts`: a typo such as `pirce_gbp` must fail
loudly, not score a bid without its price.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ..engine.numbers import SIGNIFICANT_DIGITS, to_engine_number
from .numbers import NotNumberText, bounded, read_decimal
from .yamlio import MAX_DEPTH, too_deep

# Commas are accepted only where they separate thousands: "1150000,50" is a decimal comma, not £115 million.
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_exact(value: Any) -> Decimal:
    """A number as a user wrote it, exactly, or ValueError saying what was expected and found.

    Every number may reach the rules engine, which compares doubles: one it would round is refused here, where
    the file and field can still be named, rather than quietly firing the wrong rule.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number, found {str(value).lower()}")
    if isinstance(value, float):
        value = repr(value)  # only reachable from callers that bypass the Decimal-reading loaders
    if isinstance(value, (int, Decimal)):
        dec = bounded(Decimal(value))
        # An int's text could exceed Python's digit limit for str(); ints take the engine's check below.
        text = str(value) if isinstance(value, Decimal) else None
    elif isinstance(value, str):
        text = value.strip()
        if "," in text:
            if not _THOUSANDS.match(text):
                raise NotNumberText(
                    f"expected a number with a point for decimals (commas only between thousands, as in "
                    f"1,150,000.50), found {value!r}"
                )
            text = text.replace(",", "")
        dec = read_decimal(text)
    else:
        raise ValueError(f"expected a number, found {type(value).__name__}")
    # Written in at most 15 characters (so at most 15 digits) with its leading digit from the 10**-4 to the
    # 10**14 place, a number crosses exactly (below 2**53, never in exponent form): the engine's own check
    # is kept for the rest, which was a large share of validating a bid.
    if text is not None and len(text) <= SIGNIFICANT_DIGITS and -4 <= dec.adjusted() < SIGNIFICANT_DIGITS:
        return dec
    try:
        to_engine_number(dec)
    except ValueError as exc:
        raise ValueError(f"expected a number the rules can compare exactly, found {value} ({exc})") from None
    return dec


# What a money field allows, said whenever one is refused.
MONEY_CHARACTERS = "digits 0-9, an optional leading £, commas between thousands and a point before the pence"


def parse_money(value: Any) -> Decimal:
    """An amount in pounds: a number as parse_exact reads it, optionally written with a leading £ (£1,150,000)."""
    if isinstance(value, str):
        text = value.strip()
        text = text[1:] if text.startswith("£") else text
        try:
            return parse_exact(text)
        except NotNumberText as exc:
            raise ValueError(f"{exc}; an amount allows {MONEY_CHARACTERS} (as in £1,150,000.50)") from None
    return parse_exact(value)


Exact = Annotated[Decimal, BeforeValidator(parse_exact)]


class Strict(BaseModel):
    """Every input model: an unknown key is an error (a typo must not pass silently), and values are final."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _pennies(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError(f"expected pounds and pence (at most 2 decimal places), found {value}")
    return value


Money = Annotated[Decimal, BeforeValidator(parse_money), AfterValidator(_pennies)]


MAX_FACTS = 200


def _leaf_count(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaf_count(item) for item in value.values())
    if isinstance(value, list):
        return max(1, sum(_leaf_count(item) for item in value))
    return 1


def _fact_value(value: Any, path: str) -> None:
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, (int, Decimal)):
        try:
            to_engine_number(value)
        except ValueError as exc:
            raise ValueError(f"facts.{path}: {exc}") from None
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _fact_value(item, f"{path}.{key}")
        return
    if isinstance(value, list):
        for item in value:
            _fact_value(item, f"{path}[]")
        return
    raise ValueError(f"facts.{path}: expected text, a number, true/false, a list or a mapping, found {value!r}")


class Weights(Strict):
    price: Exact = Field(ge=0, le=100)
    quality: Exact = Field(ge=0, le=100)
    social_value: Exact = Field(ge=0, le=100)


class PriceSpec(Strict):
    method: Literal["lowest_relative", "linear_from_lowest", "range"] = "lowest_relative"


class Question(Strict):
    id: str = Field(min_length=1)
    title: str = ""
    weight: Exact = Field(ge=0)
    min_score: Exact = Decimal(0)
    # A question marked out of its own maximum (criteria out of 60, 40 and 30 in one tender), in its own steps.
    scale_max: Exact | None = Field(default=None, gt=0)
    scale_step: Exact | None = Field(default=None, gt=0)


class Quality(Strict):
    scale_max: Exact = Field(default=Decimal(5), gt=0)
    # Panel sheets: the steps a score may take (0.5 allows 2.5) and what each point of the scale means.
    scale_step: Exact = Field(default=Decimal(1), gt=0)
    descriptors: dict[Exact, str] | None = None
    questions: list[Question] = []
    # `scale`: w × score / scale_max; `relative_to_best`: w × score / best eligible score (docs/methods.md).
    method: Literal["scale", "relative_to_best"] = "scale"


class SocialValueSpec(Strict):
    themes: dict[str, Exact] = {}
    questions: list[Question] = []
    measures: list[str] | None = None

    @field_validator("themes")
    @classmethod
    def _non_negative(cls, themes: dict[str, Decimal]) -> dict[str, Decimal]:
        for key, weight in themes.items():
            if weight < 0:
                raise ValueError(f"theme {key}: expected a weight of 0 or more, found {weight}")
        return themes


class Exemption(Strict):
    reason: str
    approved_by: str


class Evaluator(Strict):
    id: str = Field(min_length=1)
    name: str = ""
    questions: list[str] | None = None


class Tender(Strict):
    id: str = Field(min_length=1)
    title: str = ""
    buyer: str = ""
    contract_value_gbp: Money = Field(gt=0)
    procedure: Literal["competitive", "direct_award", "call_off"]
    ruleset: str = Field(min_length=1)
    weights: Weights
    price: PriceSpec = PriceSpec()
    quality: Quality = Quality()
    social_value: SocialValueSpec = SocialValueSpec()
    gates: list[str] = []
    exemption: Exemption | None = None
    panel: list[Evaluator] | None = None

    def all_questions(self) -> list[Question]:
        """Quality questions, then qualitative social value questions: every question a panel scores."""
        return list(self.quality.questions) + list(self.social_value.questions)

    def scale_max_of(self, question: Question) -> Decimal:
        """The maximum `question` is marked out of: its own, else the tender's."""
        return self.quality.scale_max if question.scale_max is None else question.scale_max

    def scale_step_of(self, question: Question) -> Decimal:
        return self.quality.scale_step if question.scale_step is None else question.scale_step

    def sections(self) -> list[tuple[str, Question]]:
        """Every scored question with the section it counts towards (`quality` or `social_value`), in order."""
        return [("quality", q) for q in self.quality.questions] + [
            ("social_value", q) for q in self.social_value.questions
        ]


class Commitment(Strict):
    measure: str = Field(min_length=1)
    quantity: Exact = Field(ge=0)
    note: str | None = None

    @field_validator("quantity")
    @classmethod
    def _places(cls, quantity: Decimal) -> Decimal:
        # Four places is finer than any TOMs unit is reported in, and keeps quantities exact in the engine.
        exponent = quantity.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -4:
            raise ValueError(f"expected at most 4 decimal places, found {quantity}")
        return quantity


class Contact(Strict):
    """Where the buyer writes to a supplier (an assessment summary names both: Procurement Regulations 2024 r.31)."""

    address: str | None = Field(default=None, min_length=1)
    email: str | None = Field(default=None, min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")


class Bid(Strict):
    bid_id: str | None = Field(default=None, min_length=1)
    bidder: str = Field(min_length=1)
    # Optional: the supplier's contact and its unique identifier (the central digital platform's, say); an
    # assessment summary lists each one that is absent, and the OCDS export publishes each one given.
    contact: Contact | None = None
    identifier: str | None = Field(default=None, min_length=1)
    price_gbp: Money = Field(gt=0)
    gates: dict[str, Literal["pass", "fail"]] = {}
    commitments: list[Commitment] = []
    facts: dict[str, Any] = {}

    @field_validator("facts")
    @classmethod
    def _matchable(cls, facts: dict[str, Any]) -> dict[str, Any]:
        # Facts go to durable-rules as they are; a value it cannot match on must fail here, by name.
        if too_deep(facts):  # the readers refuse this already; a bid built in Python must not recurse away either
            raise ValueError(f"expected facts nested at most {MAX_DEPTH} deep, found deeper ones")
        for key, value in facts.items():
            _fact_value(value, key)
        count = _leaf_count(facts)
        if count > MAX_FACTS:
            # durable-rules refuses a fact of more than 255 properties (error 302); the bid fact carries these.
            raise ValueError(f"expected at most {MAX_FACTS} facts, found {count}")
        return facts


class ScoreRow(Strict):
    bid: str
    question: str
    score: Decimal
    rationale: str = ""
    line: int = 0
