"""Bidders' names are data: they never break a Markdown table, run as a spreadsheet formula, or hide flags."""

import csv
import io
import re

from conftest import all_scores, basic_bid, basic_tender, invoke


def test_a_pipe_in_a_bidder_name_stays_in_its_markdown_cell(make_pack) -> None:
    bids = {"a": basic_bid("Acme | Sons Ltd", "100000.00"), "b": basic_bid("Beta Ltd", "80000.00")}
    pack = make_pack(basic_tender(), bids, all_scores(["a", "b"]))
    result = invoke("score", pack, "--format", "markdown", "--no-ledger")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("|")]
    # A header, a rule and two bids, each with the header's 8 cells: unescaped pipes are the only separators.
    cells = [line.replace("\\|", "").count("|") - 1 for line in rows]
    assert cells == [8, 8, 8, 8]
    assert "Acme \\| Sons Ltd" in result.stdout


def test_a_formula_in_a_bidder_name_is_written_as_text_in_csv(make_pack) -> None:
    bids = {"a": basic_bid('=HYPERLINK("http://example.invalid","x")', "100000.00")}
    pack = make_pack(basic_tender(), bids, all_scores(["a"]))
    result = invoke("score", pack, "--format", "csv", "--no-ledger")
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["bidder"] == '\'=HYPERLINK("http://example.invalid","x")'


def test_an_excluded_bids_flags_are_shown_in_the_table(make_pack) -> None:
    # Excluded at the gate, yet its £150,000 spend on a £100,000 contract is still valued, and capped (at exactly
    # the contract value, so not also implausible, which needs more than 1.0 × the contract value).
    x = basic_bid("X Ltd", "90000.00", [{"measure": "STK-GRO-1", "quantity": "150000.00"}])
    x["gates"]["modern_slavery"] = "fail"
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100000.00"), "x": x}, all_scores(["a", "x"]))
    result = invoke("score", pack, "--no-ledger")
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("Excluded: X Ltd")]
    assert line.endswith("was answered fail, not pass. Flags: capped.")


def test_codes_read_back_from_a_record_are_guarded_in_csv(make_pack) -> None:
    """The engine makes only snake_case codes, but a result rebuilt from a stored record carries whatever the
    record says: a code that starts a formula is written as text like any other cell."""
    from dataclasses import replace
    from pathlib import Path

    from tenderscore.scoring.evaluate import evaluate
    from tenderscore.scoring.output.csv_out import render_csv
    from tenderscore.scoring.pack import load_pack
    from tenderscore.scoring.result import Flag, Notice

    pack = make_pack(basic_tender(), {"a": basic_bid("Acme Ltd", "100000.00")}, all_scores(["a"]))
    result = evaluate(load_pack(Path(pack))).result
    bid = replace(result.bids[0], flags=[Flag("=cmd|x", "m", "r")], notices=[Notice("@sum", "m", "r")])
    (row,) = list(csv.DictReader(io.StringIO(render_csv(replace(result, bids=[bid])))))
    assert (row["flags"], row["notices"]) == ("'=cmd|x", "'@sum")


HOSTILE = "Acme \x1b[31m<b>bold</b> [x](javascript:alert(1))"
HOSTILE_SCORES = (
    "bid,question,score,rationale\n"
    + "".join(f"a,{q},4,<i>fine</i> [y](javascript:z)\n" for q in ("Q1", "Q2", "SV1"))
    + "".join(f"b,{q},3,Good\n" for q in ("Q1", "Q2", "SV1"))
)


def test_assessment_summaries_write_a_hostile_name_as_text_in_every_format(make_pack, tmp_path) -> None:
    from docx import Document

    bids = {"a": basic_bid(HOSTILE, "90000.00"), "b": basic_bid("Beta Ltd", "100000.00")}
    pack = make_pack(basic_tender(), bids, HOSTILE_SCORES)
    written = {}
    for fmt, ext in (("docx", "docx"), ("html", "html"), ("markdown", "md")):
        done = invoke("summaries", pack, "--output-dir", tmp_path / fmt, "--format", fmt)
        assert done.exit_code == 0, done.output
        written[fmt] = tmp_path / fmt / f"assessment-summary-b.{ext}"
    # The escape is written as the six characters \u001b (safe_text), as `score` writes it; no ESC byte anywhere.
    doc = Document(str(written["docx"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "The most advantageous tender: Acme \\u001b[31m<b>bold</b> [x](javascript:alert(1))" in text
    html = written["html"].read_text(encoding="utf-8")
    assert "\x1b" not in html and "Acme \\u001b[31m&lt;b&gt;bold&lt;/b&gt;" in html
    md = written["markdown"].read_text(encoding="utf-8")
    assert "\x1b" not in md and "<b>" not in md and "<i>" not in md
    assert not re.search(r"(?<!\\)\]\(javascript", md)  # a link's "](" only ever escaped
    # Markdown's own escapes (output.table's): entities for the angle brackets, backslashes for the link brackets.
    assert "&lt;b&gt;bold&lt;/b&gt; \\[x\\](javascript:alert(1))" in md
    assert "&lt;i&gt;fine&lt;/i&gt; \\[y\\](javascript:z)" in md
