"""Documents that print: assessment summaries through LibreOffice, the HTML report through Chromium, evaluator
workbooks through LibreOffice, each to PDF and read back with pdftotext (poppler-utils).

Debian packages: libreoffice-writer (the .docx), libreoffice-calc (the .xlsx), chromium, poppler-utils. Outside
CI a missing tool skips its tests with the reason; under CI=true it fails them, so no check silently vanishes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURES, STOCKPORT_PACK, invoke, load_json
from tenderscore.scoring.numbers import fmt_gbp
from test_html_browser import FLAGS

PANEL_PACK = FIXTURES / "stockport-panel"
A4_POINTS = (595, 842)  # 210 × 297 mm at 72 points to the inch, rounded


def tool(name: str, package: str) -> Path:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if found is None:
        reason = f"{name} is missing: install Debian's {package} package (apt-get install -y {package})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the printing tests: {reason}")
        pytest.skip(reason)
    return Path(found)


@pytest.fixture(scope="module")
def pdftotext() -> Path:
    return tool("pdftotext", "poppler-utils")


def soffice_to_pdf(sources: list[Path], out: Path, profile: Path, package: str) -> None:
    soffice = tool("soffice", package)
    cmd = [str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
    done = subprocess.run([*cmd, "--outdir", str(out), *map(str, sources)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for source in sources:
        assert (out / f"{source.stem}.pdf").is_file(), f"LibreOffice did not convert {source.name}: {done.stdout}"


def text_of(pdftotext: Path, pdf: Path, *options: str) -> str:
    done = subprocess.run([str(pdftotext), *options, str(pdf), "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def page_sizes(pdf: Path) -> set[tuple[int, int]]:
    info = subprocess.run(
        [str(tool("pdfinfo", "poppler-utils")), "-f", "1", "-l", "999", str(pdf)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    sizes = re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    return {(round(float(w)), round(float(h))) for w, h in sizes}


def words(text: str) -> str:
    return " ".join(text.split())


def test_each_assessment_summary_converts_to_an_a4_pdf(tmp_path: Path, pdftotext: Path) -> None:
    assert invoke("score", STOCKPORT_PACK, "--format", "json").exit_code == 0
    out = tmp_path / "summaries"
    assert invoke("summaries", "1", "--output-dir", out).exit_code == 0
    sources = sorted(out.glob("*.docx"))
    assert len(sources) == 6
    soffice_to_pdf(sources, tmp_path / "pdf", tmp_path / "lo-profile", "libreoffice-writer")
    result = {b["bid_id"]: b for b in load_json(invoke("score", STOCKPORT_PACK, "--format", "json").stdout)["bids"]}
    for source in sources:
        pdf = tmp_path / "pdf" / f"{source.stem}.pdf"
        bid = result[source.stem.removeprefix("assessment-summary-")]
        assert page_sizes(pdf) == {A4_POINTS}
        text = words(text_of(pdftotext, pdf))
        assert f"Name: {bid['bidder']}" in text
        total = re.escape(bid["total"] or "no points")
        assert re.search(rf"^Total\s+{total}\s*$", text_of(pdftotext, pdf, "-layout"), re.MULTILINE), source.name


def test_the_report_prints_every_name_and_theme_figure_on_a4(tmp_path: Path, pdftotext: Path) -> None:
    chromium = tool("chromium", "chromium")
    report = tmp_path / "report.html"
    assert invoke("score", STOCKPORT_PACK, "--format", "html", "--output", report, "--no-ledger").exit_code == 0
    pdf = tmp_path / "report.pdf"
    cmd = [str(chromium), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer"]
    done = subprocess.run([*cmd, f"--print-to-pdf={pdf}", report.as_uri()], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and pdf.is_file(), done.stderr[-2000:]
    assert page_sizes(pdf) == {A4_POINTS}
    text = words(text_of(pdftotext, pdf))
    themes = text[text.index("Social value by theme") : text.index("Core outcomes coverage")]
    bids = load_json(invoke("score", STOCKPORT_PACK, "--format", "json", "--no-ledger").stdout)["bids"]
    # pdftotext reads a wrapped column heading's lines in among its neighbours': every word of every bidder's
    # name must be there (a clipped column loses the end of its heading: "Contractin").
    held = Counter(themes.split())
    for bid in bids:
        assert not Counter(bid["bidder"].split()) - held, bid["bidder"]
    # Every figure of the theme table, as many times as the table holds it: each theme's £ and points per bid,
    # then each bid's total social value £, % of the contract and points. A clipped column loses its figures.
    expected: Counter[str] = Counter()
    for bid in bids:
        sv = bid["social_value"]
        for th in sv["themes"].values():
            expected[fmt_gbp(Decimal(th["gbp"]))] += 1
            if th["points"] is not None:
                expected[f"{th['points']} pts"] += 1
        expected[fmt_gbp(Decimal(sv["total_gbp"]))] += 1
        expected[f"{sv['percent_of_contract']}%"] += 1
        if sv["points"] is not None:
            expected[f"{sv['points']} pts"] += 1
    found = Counter(re.findall(r"£[\d,]+\.\d\d|\d+\.\d\d pts|\d+\.\d\d%", themes))
    assert found == expected
    # Spelled out: Evergreen's £1,200,000.00 of local spend, capped at the contract value (README, flags).
    assert expected["£1,200,000.00"] == 1 and "£1,200,000.00" in themes


def test_an_evaluator_sheet_prints_its_score_and_comment_columns_on_page_one(tmp_path: Path, pdftotext: Path) -> None:
    sheets = tmp_path / "sheets"
    assert invoke("panel", "sheets", PANEL_PACK, "--output-dir", sheets).exit_code == 0
    sheet = sheets / "ahmed.xlsx"
    soffice_to_pdf([sheet], tmp_path / "pdf", tmp_path / "lo-profile", "libreoffice-calc")
    pdf = tmp_path / "pdf" / "ahmed.pdf"
    assert page_sizes(pdf) == {(A4_POINTS[1], A4_POINTS[0])}  # landscape
    first = text_of(pdftotext, pdf, "-layout", "-f", "1", "-l", "1")
    assert re.search(r"^bid\s+bidder\s+question\s+title\s+score\s+comment\s*$", first, re.MULTILINE), first
    # The declaration, heading to signature, on one page of its own: the last.
    pages = text_of(pdftotext, pdf, "-layout").split("\f")
    declaration = [page for page in pages if "Conflict of interest declaration" in page]
    assert (
        len(declaration) == 1
        and "signature" in declaration[0]
        and declaration[0] == [p for p in pages if p.strip()][-1]
    )
