"""The tender pack as validated models (formats.md). Money, weights and scores are exact Decimals.

Unknown keys are errors everywhere except a bid's free-form `facts`: a typo such as `pirce_gbp` must fail
loudly, not score a bid without its price.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from engine.numbers import to_engine_number


def _exact(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, found {str(value).lower()}")
    if isinstance(value, float):
        value = repr(value)  # only reachable from callers that bypass the Decimal-reading loaders
    if isinstance(value, (int, Decimal)):
        dec = Decimal(value)
    elif isinstance(value, str):
        try:
            dec = Decimal(value.strip().replace(",", "")) if value.strip() else Decimal("nan")
        except InvalidOperation:
            raise ValueError(f"expected a number, found {value!r}") from None
    else:
        raise ValueError(f"expected a number, found {type(value).__name__}")
    if not dec.is_finite():
        raise ValueError(f"expected a finite number, found {value!r}")
    return dec


Exact = Annotated[Decimal, BeforeValidator(_exact)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _pennies(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError(f"expected pounds and pence (at most 2 decimal places), found {value}")
    return value


Money = Annotated[Decimal, BeforeValidator(_exact), AfterValidator(_pennies)]


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


class Weights(_Strict):
    price: Exact = Field(ge=0, le=100)
    quality: Exact = Field(ge=0, le=100)
    social_value: Exact = Field(ge=0, le=100)


class PriceSpec(_Strict):
    method: Literal["lowest_relative", "linear_from_lowest"] = "lowest_relative"


class Question(_Strict):
    id: str = Field(min_length=1)
    title: str = ""
    weight: Exact = Field(ge=0)
    min_score: Exact = Decimal(0)


class Quality(_Strict):
    scale_max: Exact = Field(default=Decimal(5), gt=0)
    # Panel sheets: the steps a score may take (0.5 allows 2.5) and what each point of the scale means.
    scale_step: Exact = Field(default=Decimal(1), gt=0)
    descriptors: dict[Exact, str] | None = None
    questions: list[Question] = []


class SocialValueSpec(_Strict):
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


class Exemption(_Strict):
    reason: str
    approved_by: str


class Evaluator(_Strict):
    id: str = Field(min_length=1)
    name: str = ""
    questions: list[str] | None = None


class Tender(_Strict):
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


class Commitment(_Strict):
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


class Bid(_Strict):
    bid_id: str | None = Field(default=None, min_length=1)
    bidder: str = Field(min_length=1)
    price_gbp: Money = Field(gt=0)
    gates: dict[str, Literal["pass", "fail"]] = {}
    commitments: list[Commitment] = []
    facts: dict[str, Any] = {}

    @field_validator("facts")
    @classmethod
    def _matchable(cls, facts: dict[str, Any]) -> dict[str, Any]:
        # Facts go to durable-rules as they are; a value it cannot match on must fail here, by name.
        for key, value in facts.items():
            _fact_value(value, key)
        return facts


class ScoreRow(_Strict):
    bid: str
    question: str
    score: Decimal
    rationale: str = ""
    line: int = 0
