"""Rendering is linear (issue 13, item 16): the HTML report and `explain` index the firings once, rather than
rescanning every firing for each bid and commitment (10,000 commitments took 72 s as HTML, 0.8 s as JSON).
Counted, not timed: benchmarks/render_bench.py has the figures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conftest import STOCKPORT_PACK
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.explanation import Scored, explain, scored_now
from tenderscore.scoring.output import render_scored
from tenderscore.scoring.pack import load_pack


class CountedFirings(list[Any]):
    """The firings, counting every walk over them."""

    walks = 0

    def __iter__(self) -> Iterator[Any]:
        CountedFirings.walks += 1
        return super().__iter__()


def counted(scored: Scored) -> Scored:
    CountedFirings.walks = 0
    return Scored(scored.result, CountedFirings(scored.firings), scored.panel, scored.origin)


def test_the_html_report_walks_the_firings_once_whatever_the_number_of_bids() -> None:
    scored = counted(scored_now(evaluate(load_pack(STOCKPORT_PACK)), {"kind": "pack", "where": "pack"}))
    assert len(scored.result.bids) == 6 and len(scored.firings) > 40
    html = render_scored(scored, "html")
    assert "rule value.NT1, firing" in html  # the commitments still cite their firings
    assert CountedFirings.walks == 1


def test_explaining_every_bid_walks_the_firings_once() -> None:
    scored = counted(scored_now(evaluate(load_pack(STOCKPORT_PACK)), {"kind": "pack", "where": "pack"}))
    explained = [explain(scored, bid.bid_id) for bid in scored.result.bids]
    assert CountedFirings.walks == 1
    castle = next(e for e in explained if e["bid"]["bid_id"] == "castle")
    # Castle's NT1 commitment is valued by rule value.NT1 (and only that rule fired on it).
    nt1 = next(c for th in castle["themes"] for c in th["commitments"] if c["measure"] == "NT1")
    assert [r["rule"] for r in nt1["rules"]] == ["value.NT1"]
