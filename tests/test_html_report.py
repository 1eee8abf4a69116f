"""The HTML report without a browser: its structure (accessibility, self-containment) and its figures.

The DOM helpers here are shared with test_html_browser.py, which runs the same checks on what Chromium rendered.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from conftest import STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke, load_json
from tenderscore.scoring.audit.source import scored_now
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.output import RecordRef
from tenderscore.scoring.output import html as html_module
from tenderscore.scoring.output.html import render_html, render_scored_html
from tenderscore.scoring.pack import load_pack

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SECTIONS = ["summary", "ranking", "points", "themes", "outcomes", "issues", "breakdowns", "provenance"]


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    content: list[Node | str] = field(default_factory=list)  # child elements and text, in document order

    @property
    def children(self) -> list[Node]:
        return [c for c in self.content if isinstance(c, Node)]

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    def text(self) -> str:
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> Iterator[str]:
        for item in self.content:
            if isinstance(item, str):
                yield item
            else:
                yield from item._texts()

    def value(self) -> str:
        """The machine value of the first <data> inside (the JSON string of a figure)."""
        return self.find("data").attrs["value"]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].content.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].content.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].content.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def figures_from_dom(root: Node) -> dict[str, Any]:
    """Every figure the report shows that the JSON also carries, keyed the same way as figures_from_json."""
    figures: dict[str, Any] = {
        "policy": next(n.attrs["data-policy-status"] for n in root.iter() if "data-policy-status" in n.attrs),
        "sha256": root.find(data_field="ruleset_sha256").text(),
        "contract_value_gbp": root.find(data_field="contract_value_gbp").value(),
        "summary": root.find(data_field="summary").text(),
    }
    ranked = root.find("table", **{"class": "ranked"})
    for tr in ranked.find_all("tr"):
        if "data-bid" not in tr.attrs:
            continue
        bid = tr.attrs["data-bid"]
        figures[f"{bid}.rank"] = tr.find(data_field="rank").text()
        for name in ("price_gbp", "price_points", "quality_points", "sv_points", "total"):
            figures[f"{bid}.{name}"] = tr.find(data_field=name).value()
    themes = root.find("table", **{"class": "matrix themes"})
    for tr in themes.find_all("tr"):
        for td in tr.find_all("td"):
            if "data-bid" not in td.attrs:
                continue
            bid = td.attrs["data-bid"]
            if "data-theme" in tr.attrs:
                theme = tr.attrs["data-theme"]
                figures[f"{bid}.theme.{theme}.gbp"] = td.find(data_field="gbp").value()
                points = td.find(data_field="points").find_all("data")
                figures[f"{bid}.theme.{theme}.points"] = points[0].attrs["value"] if points else None
            else:
                figures[f"{bid}.sv_total_gbp"] = td.find(data_field="sv_total_gbp").value()
    outcomes = root.find("table", **{"class": "matrix outcomes"})
    for tr in outcomes.find_all("tr"):
        for td in tr.find_all("td"):
            figures[f"{td.attrs['data-bid']}.outcome.{tr.attrs['data-outcome']}"] = td.find(data_field="gbp").value()
    return figures


def figures_from_json(data: dict[str, Any]) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "policy": data["policy"]["status"],
        "sha256": data["ruleset"]["sha256"],
        "contract_value_gbp": data["tender"]["contract_value_gbp"],
        "summary": data["summary"],
    }
    for bid in data["bids"]:
        key = bid["bid_id"]
        if bid["status"] == "eligible":
            figures[f"{key}.rank"] = str(bid["rank"])
            figures[f"{key}.price_gbp"] = bid["price"]["gbp"]
            figures[f"{key}.price_points"] = bid["price"]["points"]
            figures[f"{key}.quality_points"] = bid["quality"]["points"]
            figures[f"{key}.sv_points"] = bid["social_value"]["points"]
            figures[f"{key}.total"] = bid["total"]
        for theme, tv in bid["social_value"]["themes"].items():
            figures[f"{key}.theme.{theme}.gbp"] = tv["gbp"]
            figures[f"{key}.theme.{theme}.points"] = tv["points"]
        figures[f"{key}.sv_total_gbp"] = bid["social_value"]["total_gbp"]
        for outcome, gbp in bid["social_value"]["core_outcomes"].items():
            figures[f"{key}.outcome.{outcome}"] = gbp
    return figures


def shipped_report() -> str:
    return render_scored_html(scored_now(evaluate(load_pack(STOCKPORT_PACK))))


def check_structure(root: Node) -> None:
    """Accessibility and self-containment, checked on any DOM (our output, or what a browser made of it)."""
    headings = [int(n.tag[1]) for n in root.iter() if re.fullmatch(r"h[1-6]", n.tag)]
    assert headings[0] == 1 and headings.count(1) == 1, headings
    jumps = [(a, b) for a, b in itertools.pairwise(headings) if b > a + 1]
    assert not jumps, f"heading levels skipped: {jumps}"
    for section in SECTIONS:
        assert root.find(id=section).find_all("h2"), f"section {section} has no h2"
    for table in root.find_all("table"):
        assert table.find_all("caption") and table.find("caption").text(), "a table without a caption"
        for th in table.find_all("th"):
            assert th.attrs.get("scope") in {"col", "row", "colgroup", "rowgroup"}, th.text()
    for svg in root.find_all("svg"):
        if svg.attrs.get("aria-hidden") == "true":
            continue
        assert svg.attrs.get("role") == "img"
        labels = svg.attrs["aria-labelledby"].split()
        assert [root.find(id=label).tag for label in labels] == ["title", "desc"]
        assert all(root.find(id=label).text() for label in labels)
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    # Self-contained: nothing to fetch. Links stay inside the page; the only url() are the charts' own patterns.
    for node in root.iter():
        assert "src" not in node.attrs, node.tag
        assert node.attrs.get("href", "#").startswith("#"), node.attrs
        for value in node.attrs.values():
            assert not re.search(r"url\((?!#)", value), value
    assert root.find("html").attrs["lang"] == "en-GB"


def test_shipped_report_structure_is_accessible_and_self_contained() -> None:
    html = shipped_report()
    root = parse(html)
    check_structure(root)
    style = root.find("style").text()
    assert "@media print" in style and "details::details-content" in style
    assert "@import" not in style and not re.search(r"url\((?!#)", style)
    # The policy banner says its status in words beside the colour.
    assert "Meets the social value target" in root.find(data_policy_status="meets_target").text()


def test_csp_forbids_the_network_and_pins_the_print_script_by_hash() -> None:
    root = parse(shipped_report())
    csp = root.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in csp
    scripts = root.find_all("script")
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256("".join(str(c) for c in scripts[0].content).encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_figures_equal_the_json_output() -> None:
    data = load_json(invoke("score", STOCKPORT_PACK, "--format", "json").stdout)
    from_dom = figures_from_dom(parse(shipped_report()))
    assert from_dom == figures_from_json(data)
    # Worked by hand from fixtures/stockport-highways, so the comparison is not two copies of one mistake:
    # castle: price 40 × 860000 / 1260000 = 27.3016 -> 27.30; quality 25×5/5 + 15×3/5 = 25 + 9 = 34.00;
    # total 27.30 + 34.00 + 15.20 = 76.50.
    assert from_dom["castle.price_points"] == "27.30"
    assert from_dom["castle.quality_points"] == "34.00"
    assert from_dom["castle.total"] == "76.50"
    # evergreen's local spend of £1,500,000 is capped at the contract value, so its growth theme is £1,200,000.
    assert from_dom["evergreen.theme.growth.gbp"] == "1200000.00"


def test_every_bid_has_a_breakdown_matching_explain() -> None:
    evaluation = evaluate(load_pack(STOCKPORT_PACK))
    root = parse(render_scored_html(scored_now(evaluation)))
    details = root.find_all("details")
    assert [d.attrs["data-bid"] for d in details] == [b.bid_id for b in evaluation.result.bids]
    for bid in evaluation.result.bids:
        shown = [n.text() for n in root.find("details", data_bid=bid.bid_id).iter() if "data-working" in n.attrs]
        ex = load_json(invoke("explain", STOCKPORT_PACK, "--bid", bid.bid_id, "--format", "json").stdout)
        expected = [ex["price"]["working"]]
        expected += [q["working"] for q in ex["questions"] if q["section"] == "quality"]
        for theme in ex["themes"]:
            expected += [theme["working"]] + [c["working"] for c in theme["commitments"]]
        expected += [c["working"] for c in ex["uncounted_commitments"]]
        expected += [q["working"] for q in ex["questions"] if q["section"] == "social_value"]
        assert shown == expected, bid.bid_id
    castle = root.find("details", data_bid="castle").text()
    # By hand: 40 × 860000 / 1260000 = 27.3016 -> 27.30; quality 25 × 5 / 5 + 15 × 3 / 5 = 34.00;
    # jobs 6 × 184140 / 184140 = 6.00 (castle is best); growth 4 × 60000 / 1200000 = 0.20; total 76.50.
    assert "40 × £860,000.00 (lowest eligible price: evergreen) / £1,260,000.00 ≈ 27.3016 → 27.30" in castle
    assert "25 × 5 / 5 = 25.00 (minimum 2: met)" in castle and "15 × 3 / 5 = 9.00 (minimum 2: met)" in castle
    assert "4 × £60,000.00 / £1,200,000.00 (best eligible: evergreen) = 0.20" in castle
    assert "Total: 76.50 points = price 27.30 + quality 34.00 + social value 15.20; rank 1 of 4" in castle
    assert "NT99" in castle and "measure.unknown" in castle  # the uncounted commitment is still listed
    evergreen = root.find("details", data_bid="evergreen").text()
    assert "capped at £1,200,000.00 (rule cap.spend_at_contract_value, firing" in evergreen
    assert "rule price.abnormally_low, firing" in evergreen and "implausible social value" in evergreen
    dale = root.find("details", data_bid="dale").text()
    assert "rule gate.not_passed, firing" in dale and "No points and no rank: the bid is excluded." in dale


def test_a_result_without_firings_still_renders_every_breakdown() -> None:
    root = parse(render_html(evaluate(load_pack(STOCKPORT_PACK)).result))
    check_structure(root)
    assert len(root.find_all("details")) == 6
    assert "Total: 76.50 points" in root.find("details", data_bid="castle").text()


def test_flags_and_exclusions_are_listed_with_their_rules() -> None:
    root = parse(shipped_report())
    rows = [
        [cell.text() for cell in tr.children if cell.tag in {"th", "td"}]
        for tr in root.find(id="issues").find_all("tr")
    ]
    assert rows[1][:3] == ["Dale Valley Surfacing Ltd", "✕ Excluded", "gate not passed"]
    assert rows[2][:3] == ["Fairfield Contracting Ltd", "✕ Excluded", "below the minimum score"]
    codes = {(r[0], r[2], r[4]) for r in rows[1:]}
    assert ("Evergreen Roads Ltd", "abnormally low price", "price.abnormally_low") in codes
    assert ("Castle Infrastructure Group plc", "unknown measure", "measure.unknown") in codes


def test_chart_has_a_bar_per_eligible_bid_sized_by_its_points() -> None:
    root = parse(shipped_report())
    bars = root.find(id="points").find_all("g", **{"class": "bar"})
    assert [g.attrs["data-bid"] for g in bars] == ["castle", "acme", "brennan", "evergreen"]
    castle = [r.attrs for r in bars[0].find_all("rect")]
    # 9 units a point from x = 8: price 27.30 -> 245.7 wide; quality starts at 8 + 245.7 = 253.7, 34 × 9 = 306 wide.
    assert [(r["x"], r["width"]) for r in castle] == [("8", "245.7"), ("253.7", "306"), ("559.7", "136.8")]
    desc = root.find(id="points-chart-desc").text()
    assert (
        "1. Castle Infrastructure Group plc: price 27.30, quality 34.00, social value 15.20, total 76.50 points."
        in desc
    )


def test_same_input_same_bytes_in_fresh_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"report-{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cli = "from tenderscore.scoring.cli import main; main()"
        cmd = [sys.executable, "-c", cli, "score", str(STOCKPORT_PACK), "--no-ledger", "-f", "html", "-o", str(out)]
        subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=120)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] == shipped_report().encode("utf-8")


def test_record_hash_and_time_appear_in_the_footer() -> None:
    result = evaluate(load_pack(STOCKPORT_PACK)).result
    record = RecordRef(hash="ab" * 32, created_at="2026-03-01T10:00:00Z", ledger_id="7")
    footer = parse(render_html(result, record)).find(id="provenance")
    assert footer.find(data_field="record_hash").text() == "ab" * 32
    assert "2026-03-01T10:00:00Z" in footer.text() and "Ledger record 7" in footer.text()
    assert "without a decision record" in parse(render_html(result)).find(id="provenance").text()


def test_pack_text_is_escaped(make_pack: Callable[..., Path]) -> None:
    hostile = '<script>alert("x")</script> & "Sons"'
    pack = make_pack(basic_tender(), {"a": basic_bid(hostile, "100000.00")}, all_scores(["a"]))
    html = render_html(evaluate(load_pack(pack)).result)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Sons&#34;" in html
    check_structure(parse(html))


def _tender_with_sv(weight: int, **extra: Any) -> dict[str, Any]:
    # Price takes up the difference; the SV weight all goes to the jobs theme (no qualitative SV question).
    tender = basic_tender(weights={"price": 60 - weight, "quality": 40, "social_value": weight}, **extra)
    tender["social_value"] = {"themes": {"jobs": weight}, "questions": []}
    return tender


def test_below_target_banner_is_a_warning_in_words(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(_tender_with_sv(15), {"a": basic_bid("A Ltd", "100000.00")}, {"a": {"Q1": 4, "Q2": 4}})
    banner = parse(render_html(evaluate(load_pack(pack)).result)).find(data_policy_status="below_target")
    assert "tone-warn" in banner.attrs["class"]
    assert "Warning: below the social value target" in banner.text()
    assert "policy floor 15%; target 20%" in banner.text()


def test_exemption_is_shown_in_the_banner(make_pack: Callable[..., Path]) -> None:
    exemption = {"reason": "Specialist supplier market", "approved_by": "Head of Procurement"}
    tender = _tender_with_sv(10, exemption=exemption)
    pack = make_pack(tender, {"a": basic_bid("A Ltd", "100000.00")}, {"a": {"Q1": 4, "Q2": 4}})
    banner = parse(render_html(evaluate(load_pack(pack)).result)).find(data_policy_status="below_floor_exempt")
    assert "Below the social value floor, under a recorded exemption" in banner.text()
    assert "Exemption: Specialist supplier market (approved by Head of Procurement)" in banner.text()


def test_no_eligible_bid_renders_without_a_chart(make_pack: Callable[..., Path]) -> None:
    bid = basic_bid("A Ltd", "100000.00", gates={"ethical_standards": "fail", "modern_slavery": "pass"})
    pack = make_pack(basic_tender(), {"a": bid}, all_scores(["a"]))
    root = parse(render_html(evaluate(load_pack(pack)).result))
    check_structure(root)
    assert "No bid is eligible" in root.find(id="ranking").text()
    assert not root.find(id="points").find_all("svg")
    assert "No points and no rank: the bid is excluded." in root.find("details", data_bid="a").text()


def test_linear_price_method_shows_its_formula(make_pack: Callable[..., Path]) -> None:
    tender = basic_tender(price={"method": "linear_from_lowest"})
    bids = {"a": basic_bid("A Ltd", "100000.00"), "b": basic_bid("B Ltd", "120000.00")}
    evaluation = evaluate(load_pack(make_pack(tender, bids, all_scores(["a", "b"]))))
    price = parse(render_scored_html(scored_now(evaluation))).find("details", data_bid="b").find("p")
    # 40 × max(0, 1 − (120000 − 100000) / 100000) = 40 × 0.8 = 32.00
    assert "max(0, 1 − (£120,000.00 − £100,000.00) / £100,000.00) = 32.00 (lowest eligible price: a)" in price.text()
    assert price.find("strong").value() == "32.00"


def test_cli_writes_the_report_atomically(tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    result = invoke("score", STOCKPORT_PACK, "--no-ledger", "--format", "html", "--output", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == shipped_report()
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary file left behind


def test_the_report_from_a_ledger_record_is_the_report_of_the_run(tmp_path: Path) -> None:
    ledger, scored, shown = tmp_path / "ledger.sqlite3", tmp_path / "scored.html", tmp_path / "shown.html"
    assert invoke("score", STOCKPORT_PACK, "-f", "html", "--ledger", ledger, "-o", scored).exit_code == 0
    assert invoke("ledger", "show", "1", "-f", "html", "--ledger", ledger, "-o", shown).exit_code == 0
    # Rebuilt from the record alone (its result, firings, hash and time), the page is the same to the byte.
    assert shown.read_bytes() == scored.read_bytes()
    entry = load_json(invoke("ledger", "list", "--format", "json", "--ledger", ledger).stdout)[0]
    root = parse(shown.read_text(encoding="utf-8"))
    assert root.find(data_field="record_hash").text() == entry["hash"]
    assert entry["created_at"] in root.find(id="provenance").text()
    data = load_json(invoke("score", STOCKPORT_PACK, "--no-ledger", "--format", "json").stdout)
    assert figures_from_dom(root) == figures_from_json(data)


def test_breakdowns_show_each_evaluators_score_as_explain_does(tmp_path: Path) -> None:
    panel_pack = STOCKPORT_PACK.parent / "stockport-panel"
    ledger, scored, shown = tmp_path / "ledger.sqlite3", tmp_path / "scored.html", tmp_path / "shown.html"
    assert invoke("score", panel_pack, "-f", "html", "--ledger", ledger, "-o", scored).exit_code == 0
    assert invoke("ledger", "show", "1", "-f", "html", "--ledger", ledger, "-o", shown).exit_code == 0
    # The record's panel sheets give the page from the ledger the same evaluators' scores as the run's page.
    assert shown.read_bytes() == scored.read_bytes()
    peak = parse(shown.read_text(encoding="utf-8")).find("details", data_bid="peak")
    q2 = next(row for row in peak.find_all("tr") if row.find("th").text().startswith("Q2 "))
    # From fixtures/stockport-panel/panel: ahmed and beth each scored peak's Q2 a 4; chen declared a conflict
    # with peak and left it blank, which the page says (issue 13, item 4); dana was not assigned Q2.
    assert [n.text() for n in q2.iter() if "data-panel-score" in n.attrs] == [
        "Panel: ahmed scored 4: Newest fleet; all low-floor",
        "Panel: beth scored 4: Fully accessible fleet with tracked maintenance",
        "Panel: chen declared a conflict of interest with bid peak and did not score it",
    ]
    explained = load_json(invoke("explain", panel_pack, "--bid", "peak", "--format", "json").stdout)
    for question in explained["questions"]:
        row = next(r for r in peak.find_all("tr") if r.find("th").text().startswith(f"{question['id']} "))
        expected = [
            f"Panel: {s['set_aside']}"
            if s["score"] is None
            else f"Panel: {s['evaluator']} scored {s['score']}: {s['comment']}"
            for s in question["panel_scores"]
        ]
        assert [n.text() for n in row.iter() if "data-panel-score" in n.attrs] == expected, question["id"]


def test_the_template_environment_is_built_once() -> None:
    result = evaluate(load_pack(STOCKPORT_PACK)).result
    render_html(result)
    built = html_module._environment()
    render_html(result)
    assert html_module._environment() is built
