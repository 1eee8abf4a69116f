"""The scoring scale a panel uses: its range, its steps and what each point means."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from ...engine.numbers import to_engine_number
from ..models import Question, Tender
from ..numbers import CONTEXT, ZERO, fmt_plain, read_decimal, shown

# The most points a scale may have; far more than any published scale (0 to 10 in halves is 20).
MAX_STEPS = 1000

# Used when a tender publishes no descriptors of its own (README, "Panels"). Common UK wording; a 0-5 or 0-4
# scale gets a word for every point, any other scale only its two ends, so nothing is invented for a 0-10.
DEFAULT_DESCRIPTORS: dict[int, tuple[str, ...]] = {
    5: ("Unacceptable", "Poor", "Fair", "Good", "Very good", "Excellent"),
    4: ("Unacceptable", "Poor", "Fair", "Good", "Excellent"),
}


@dataclass(frozen=True)
class Scale:
    maximum: Decimal
    step: Decimal
    descriptors: tuple[tuple[Decimal, str], ...]

    @classmethod
    def of(cls, tender: Tender, question: Question | None = None) -> Scale:
        """The tender's scale, or `question`'s own where it is marked out of its own maximum or steps (the
        tender's descriptors describe the tender's scale only, so such a question gets the default words)."""
        quality = tender.quality
        maximum = quality.scale_max if question is None else tender.scale_max_of(question)
        step = quality.scale_step if question is None else tender.scale_step_of(question)
        if quality.descriptors is not None and maximum == quality.scale_max:
            descriptors = tuple(sorted(quality.descriptors.items()))
        else:
            words = DEFAULT_DESCRIPTORS.get(int(maximum)) if maximum % 1 == 0 else None
            if words is not None:
                descriptors = tuple((Decimal(point), word) for point, word in enumerate(words))
            else:
                descriptors = ((ZERO, "Unacceptable"), (maximum, "Excellent"))
        return cls(maximum, step, descriptors)

    @classmethod
    def by_question(cls, tender: Tender) -> dict[str, Scale]:
        """Every question's scale, by question id."""
        return {q.id: cls.of(tender, q) for q in tender.all_questions()}

    def on_step(self, value: Decimal) -> bool:
        try:
            with localcontext(CONTEXT):
                return (value / self.step) % 1 == 0
        except ArithmeticError:  # more steps than the context's digits hold: not a scale anyone scores on
            return False

    def read(self, text: str) -> tuple[Decimal | None, str]:
        """A score as written (in scores.csv, on a CSV or xlsx sheet): (value, "") or (None, what is wrong).

        The one check every score passes, wherever it enters: a number, in the scale's range, on its steps.
        """
        if not text.strip():
            return None, "missing score"
        try:
            value = read_decimal(text)
        except ValueError:
            return None, f"expected a score {self.describe()}, found {shown(text)}"
        try:
            to_engine_number(value)
        except ValueError as exc:
            return None, f"expected a number the rules can compare exactly ({exc})"
        if not ZERO <= value <= self.maximum:
            return None, f"out of range: expected a score {self.describe()}, found {fmt_plain(value)}"
        if not self.on_step(value):
            return None, f"off the scale's steps: expected a score {self.describe()}, found {fmt_plain(value)}"
        return value, ""

    def contains(self, value: Decimal) -> bool:
        return ZERO <= value <= self.maximum and self.on_step(value)

    def values(self) -> list[Decimal]:
        """Every score a sheet may hold, lowest first."""
        with localcontext(CONTEXT):
            count = int(self.maximum / self.step)
            return [self.step * index for index in range(count + 1)]

    def round_to_step(self, value: Decimal) -> Decimal:
        """The nearest step, halves rounded up (scoring.md's rounding rule, applied to the scale)."""
        with localcontext(CONTEXT):
            steps = (value / self.step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            return steps * self.step

    def describe(self) -> str:
        return f"0 to {fmt_plain(self.maximum)} in steps of {fmt_plain(self.step)}"


def _steps_problem(scale: Scale) -> str | None:
    # A blank sheet lists every point of a scale: 0 to 5 in steps of 0.000001 would be millions of them.
    if scale.maximum > scale.step * MAX_STEPS:
        return (
            f"expected at most {MAX_STEPS} steps from 0 to {fmt_plain(scale.maximum)}, "
            f"found steps of {fmt_plain(scale.step)}"
        )
    return None


def scale_problems(tender: Tender) -> list[tuple[str, str]]:
    """(field, message) for a scale whose steps do not reach its maximum or whose descriptors are off it."""
    quality = tender.quality
    scale = Scale(quality.scale_max, quality.scale_step, ())
    problems: list[tuple[str, str]] = []
    too_many = _steps_problem(scale)
    if too_many is not None:
        problems.append(("quality.scale_step", too_many))
        return problems
    if not scale.on_step(quality.scale_max):
        problems.append(
            (
                "quality.scale_step",
                f"expected a step that divides the scale maximum {fmt_plain(quality.scale_max)}, "
                f"found {fmt_plain(quality.scale_step)}",
            )
        )
        return problems
    for point in sorted(quality.descriptors or {}):
        if not scale.contains(point):
            problems.append(
                (
                    f"quality.descriptors.{fmt_plain(point)}",
                    f"expected a point of the scale ({scale.describe()}), found {fmt_plain(point)}",
                )
            )
    for section, questions in (("quality", quality.questions), ("social_value", tender.social_value.questions)):
        for index, question in enumerate(questions):
            if question.scale_max is None and question.scale_step is None:
                continue
            own = Scale.of(tender, question)
            field = f"{section}.questions[{index}] ({question.id}).scale_step"
            too_many = _steps_problem(own)
            if too_many is not None:
                problems.append((field, too_many))
            elif not own.on_step(own.maximum):
                problems.append(
                    (
                        field,
                        f"expected a step that divides the question's scale maximum {fmt_plain(own.maximum)}, "
                        f"found {fmt_plain(own.step)}",
                    )
                )
    return problems
