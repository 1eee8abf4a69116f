"""The award as an OCDS 1.1 release package: the tender with its award criteria broken down (award criteria
breakdown extension, on a single lot: the extension puts criteria on lots only), every bid with its tenderer,
value, status and rank (bids extension), the bid statistics, and the award with its supplier, value and bid.

Nothing is invented: OCDS has no field for a bid's scores (open-contracting/standard issue 1546), so the scores
stay in the evaluation report, linked as a document. Amounts are JSON numbers with exactly the record's digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..result import BidResult
from .summary import Decision, most_advantageous

OCDS_VERSION = "1.1"
# The extensions' own extension.json, at the commits tests/ocds/ copies (its README names them).
EXTENSIONS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "8d3b52eb26ce0f1a015c91b665c120b17ef619a0/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteriaBreakdown_extension/"
    "9391240f353e8536992938fe9f7987cd89235331/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "d62ff4b0ba393d823ca8113a9039b12edf7acb8f/extension.json",
)
DEFAULT_OCID_PREFIX = "ocds-000000"  # a placeholder: a publisher registers its own prefix with OCP
CURRENCY = "GBP"
LOT = "1"  # the whole tender as its one lot
REPORT_DOCUMENT = "evaluation-report"


def number(value: Decimal) -> int | float:
    """A money amount or weight as a JSON number with exactly its digits: the shortest repr of a double round-trips
    any decimal of 15 significant digits or fewer, which is all a pack may hold (models.parse_exact)."""
    if value == value.to_integral_value():
        return int(value)
    out = float(value)
    if Decimal(repr(out)) != value:
        raise ValueError(f"{value} has no exact JSON number of 15 digits")
    return out


def _value(amount: Decimal) -> dict[str, Any]:
    return {"amount": number(amount), "currency": CURRENCY}


def party_id(bid_id: str) -> str:
    return f"tenderer-{bid_id}"


class _Release:
    def __init__(self, decision: Decision, ocid_prefix: str, report_url: str | None) -> None:
        self.decision = decision
        self.result = decision.scored.result
        self.origin = decision.scored.origin
        self.ocid_prefix = ocid_prefix
        self.report_url = report_url
        self.winner = most_advantageous(self.result, str(self.origin.get("where", "decision")))

    @property
    def date(self) -> str:
        return str(self.origin["created_at"])

    def package(self) -> dict[str, Any]:
        t = self.result.tender
        publisher = {"name": t.buyer} if t.buyer else {"name": "tenderscore"}
        return {
            "version": OCDS_VERSION,
            "extensions": list(EXTENSIONS),
            "publishedDate": self.date,
            "publisher": publisher,
            "releases": [self.release()],
        }

    def release(self) -> dict[str, Any]:
        t = self.result.tender
        record_hash = str(self.origin["hash"])
        release: dict[str, Any] = {
            "ocid": f"{self.ocid_prefix}-{t.id}",
            "id": f"{t.id}-award-{record_hash[:16]}",
            "date": self.date,
            "tag": ["award"],
            "initiationType": "tender",
            "language": "en",
            "parties": self.parties(),
        }
        if t.buyer:
            release["buyer"] = {"id": "buyer", "name": t.buyer}
        release.update(tender=self.tender(), bids=self.bids(), awards=[self.award()])
        return release

    def parties(self) -> list[dict[str, Any]]:
        t = self.result.tender
        parties: list[dict[str, Any]] = []
        if t.buyer:
            parties.append({"id": "buyer", "name": t.buyer, "roles": ["buyer"]})
        for bid in self.result.bids:
            party: dict[str, Any] = {"id": party_id(bid.bid_id), "name": bid.bidder}
            given = self.decision.bids.get(bid.bid_id)
            if given is not None and given.identifier is not None:
                party["identifier"] = {"id": given.identifier}
            if given is not None and given.contact is not None and given.contact.address is not None:
                party["address"] = {"streetAddress": given.contact.address}
            if given is not None and given.contact is not None and given.contact.email is not None:
                party["contactPoint"] = {"email": given.contact.email}
            party["roles"] = ["tenderer", "supplier"] if bid is self.winner else ["tenderer"]
            parties.append(party)
        return parties

    def tender(self) -> dict[str, Any]:
        t = self.result.tender
        tenderers = [{"id": party_id(b.bid_id), "name": b.bidder} for b in self.result.bids]
        criteria = [
            self.criterion("price", "Price", t.price_weight, f"Price scored by the {t.price_method} method."),
            self.criterion("quality", "Quality", t.quality_weight, self.questions("quality")),
            self.criterion("quality", "Social value", t.social_value_weight, self.social_value()),
        ]
        out: dict[str, Any] = {
            "id": t.id,
            "title": t.title or t.id,
            "value": _value(t.contract_value_gbp),
            "awardCriteria": "ratedCriteria",
            "numberOfTenderers": len({b.bidder for b in self.result.bids}),
            "tenderers": _unique(tenderers),
            "lots": [
                {
                    "id": LOT,
                    "title": t.title or t.id,
                    "value": _value(t.contract_value_gbp),
                    "awardCriteria": {"criteria": criteria},
                }
            ],
        }
        if t.buyer:
            out["procuringEntity"] = {"id": "buyer", "name": t.buyer}
        return out

    @staticmethod
    def criterion(kind: str, name: str, weight: Decimal, description: str) -> dict[str, Any]:
        criterion: dict[str, Any] = {
            "type": kind,
            "name": name,
            "numbers": [{"number": number(weight), "weight": "percentageExact"}],
        }
        if description:
            criterion["description"] = description
        return criterion

    def questions(self, section: str) -> str:
        tender = self.decision.tender
        questions = tender.quality.questions if section == "quality" else tender.social_value.questions
        return "; ".join(f"{q.id} {q.title} (weight {q.weight})".replace("  ", " ") for q in questions)

    def social_value(self) -> str:
        themes = ", ".join(f"{theme} {weight}" for theme, weight in self.decision.tender.social_value.themes.items())
        parts = [f"National TOMs themes: {themes}" if themes else "", self.questions("social_value")]
        return "; ".join(p for p in parts if p)

    def document(self) -> dict[str, Any]:
        record_hash = str(self.origin["hash"])
        document: dict[str, Any] = {
            "id": REPORT_DOCUMENT,
            "documentType": "evaluationReports",
            "title": f"Evaluation report: {self.result.tender.id}",
            "description": "Every bid's price, quality and social value points, and how each was worked out, "
            f"from decision record {record_hash}.",
            "format": "text/html",
            "language": "en",
        }
        if self.report_url:
            document["url"] = self.report_url
        return document

    def bid(self, bid: BidResult) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": bid.bid_id,
            "submissionType": "bid",
            "status": "valid" if bid.eligible else "disqualified",
            "tenderers": [{"id": party_id(bid.bid_id), "name": bid.bidder}],
            "value": _value(bid.price_gbp),
            "relatedLots": [LOT],
            "hasRank": bid.rank is not None,
        }
        if bid.rank is not None:
            out["rank"] = bid.rank
        out["documents"] = [self.document()]
        return out

    def bids(self) -> dict[str, Any]:
        bids = self.result.bids
        valid = [b.price_gbp for b in self.result.eligible]
        flagged = sum(1 for b in bids if any(f.code == "abnormally_low_price" for f in b.flags))
        statistics: list[dict[str, Any]] = [
            {"id": "bids", "measure": "bids", "value": len(bids), "relatedLot": LOT},
            {"id": "validBids", "measure": "validBids", "value": len(valid), "relatedLot": LOT},
            {"id": "disqualifiedBids", "measure": "disqualifiedBids", "value": len(bids) - len(valid)},
        ]
        statistics[-1]["relatedLot"] = LOT
        if valid:
            for measure, amount in (("lowestValidBidValue", min(valid)), ("highestValidBidValue", max(valid))):
                statistics.append(
                    {
                        "id": measure,
                        "measure": measure,
                        "value": number(amount),
                        "currency": CURRENCY,
                        "relatedLot": LOT,
                    }
                )
        # tenderscore flags an abnormally low price for the panel and never excludes on that ground alone.
        statistics.append(
            {
                "id": "tendersAbnormallyLow",
                "measure": "tendersAbnormallyLow",
                "value": 0,
                "notes": "No tender was excluded for being abnormally low. Prices flagged as abnormally low "
                f"for the panel to consider: {flagged}.",
                "relatedLot": LOT,
            }
        )
        return {"statistics": statistics, "details": [self.bid(b) for b in bids]}

    def award(self) -> dict[str, Any]:
        w, t = self.winner, self.result.tender
        return {
            "id": f"{t.id}-award",
            "title": f"Award of {t.title or t.id}",
            "description": f"{w.bidder}'s tender is the most advantageous tender, with {w.total} points.",
            # pending: decided, not yet in force (the standstill period after the contract award notice)
            "status": "pending",
            "date": self.date,
            "value": _value(w.price_gbp),
            "suppliers": [{"id": party_id(w.bid_id), "name": w.bidder}],
            "relatedBids": [w.bid_id],
            "relatedLots": [LOT],
            "documents": [self.document()],
        }


def _unique(references: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for reference in references:
        if reference["id"] not in seen:
            seen.add(reference["id"])
            out.append(reference)
    return out


def release_package(
    decision: Decision, ocid_prefix: str = DEFAULT_OCID_PREFIX, report_url: str | None = None
) -> dict[str, Any]:
    """The OCDS 1.1 release package of the award the decision records."""
    return _Release(decision, ocid_prefix, report_url).package()


def statistics_of(package: Mapping[str, Any]) -> dict[str, Any]:
    """Each statistic's value by measure (for people and tests reading a package back)."""
    return {s["measure"]: s["value"] for s in package["releases"][0]["bids"]["statistics"]}
