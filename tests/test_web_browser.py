"""The Done-when of issue 14, end to end in real Chromium (Playwright driving Debian's /usr/bin/chromium, never a
downloaded browser), on the app's own production server (waitress) in a thread:

an officer uploads fixtures/stockport-panel and names the panel; four evaluators, each in their own browser
context, declare (Chen a conflict with Peak) and score as the fixture's sheets do; the moderator resolves the
red item (Tameside Q1: 2, 5, 3) with a rationale; the officer scores. Three of the evaluators' browsers run no
JavaScript: every form works without it. The result page's totals equal
`tenderscore score` on the pack downloaded from the app, and the decision record verifies and replays.
axe-core (from npm: .ci/node/node_modules/axe-core) runs on every page visited and on pages showing an error
summary; no serious or critical violation is allowed.

Outside CI a missing browser, Playwright or axe-core skips these tests with the reason; under CI=true it fails.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, invoke
from web_support import PANEL, PASSWORD, LiveServer, fixture_scores, make_user, pack_zip, unique, web_ledger

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(web: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install -y chromium")
    if not AXE.exists():
        _missing(f"{AXE} is missing: npm install --prefix .ci/node axe-core@4")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: pip install '.[test]'")
    # Playwright's sync API keeps an event loop on this thread; the test reads the database between its calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(web: Path) -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.close()


class Axe:
    """axe-core run on each page: every serious or critical violation, with the page it was on."""

    def __init__(self) -> None:
        self.script = AXE.read_text(encoding="utf-8")
        self.pages: list[str] = []
        self.violations: list[str] = []

    def check(self, page: Any) -> None:
        page.add_script_tag(content=self.script)
        found = page.evaluate("async () => (await axe.run(document)).violations")
        self.pages.append(page.url)
        for v in found:
            if v["impact"] in ("serious", "critical"):
                nodes = "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
                self.violations.append(f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {nodes}")


def sign_in(browser: Any, base: str, username: str, axe: Axe | None = None, javascript: bool = True) -> Any:
    context = browser.new_context(accept_downloads=True, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/sign-in/")
    if axe is not None:
        axe.check(page)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    assert page.url == f"{base}/", page.url
    return page


def submit(page: Any, label: str) -> None:
    page.click(f"button:has-text('{label}')")


def error_summary(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".govuk-error-summary__list li").all_inner_texts()]


def test_panel_scores_in_the_browser_and_the_cli_agrees(
    browser: Any,
    server: LiveServer,
    web: Path,
    tmp_path: Path,
) -> None:
    base = server.url
    axe = Axe()
    officer = make_user("officer")
    evaluators = {pid: make_user("evaluator", unique(f"{pid}-b")) for pid in PANEL}
    moderator = make_user("moderator")
    auditor = make_user("auditor")

    # The officer uploads the pack (a zip of the folder) and names the panel.
    page = sign_in(browser, base, officer.username, axe)
    axe.check(page)
    page.click("text=Create a tender from a pack")
    submit(page, "Upload and check")  # nothing chosen: the error summary, linked to the field
    assert error_summary(page) == ["Choose the tender pack to upload"]
    assert page.get_attribute(".govuk-error-summary__list a", "href") == "#id_pack"
    axe.check(page)
    upload = tmp_path / "stockport-panel.zip"
    upload.write_bytes(pack_zip())
    page.set_input_files("#id_pack", str(upload))
    submit(page, "Upload and check")
    assert "/panel/" in page.url, page.content()[:2000]
    tender_path = page.url[len(base) :].removesuffix("panel/")
    axe.check(page)
    for pid, user in evaluators.items():
        page.select_option(f"#id_evaluator_{pid}", label=user.username)
    page.check(f"input[name=moderators][value='{moderator.pk}']")
    page.check(f"input[name=auditors][value='{auditor.pk}']")
    submit(page, "Save the panel")
    assert page.url.endswith("/status/")
    axe.check(page)
    submit(page, "Open evaluation")
    assert "Evaluation open" in page.inner_text("main")
    page.goto(f"{base}{tender_path}")
    axe.check(page)

    # Four evaluators, each in their own browser context; Chen declares a conflict with Peak.
    # Beth, Chen and Dana's browsers run no JavaScript at all: every form works without it.
    for pid, user in evaluators.items():
        ev = sign_in(browser, base, user.username, javascript=pid == "ahmed")
        ev.click(f"a[href='{tender_path}']")
        ev.click("text=Your evaluation sheet")
        assert ev.url.endswith("/declaration/")  # no bid before the declaration
        if pid == "ahmed":
            submit(ev, "Sign the declaration")
            assert "Enter your full name" in error_summary(ev)
            axe.check(ev)
        ev.fill("#id_full_name", f"{pid.title()} Evaluator")
        if pid == "chen":
            ev.check("#id_has_conflict_1")
            ev.check("input[name=conflicts][value='peak']")
        else:
            ev.check("#id_has_conflict_0")
        ev.check("#id_confirm")
        submit(ev, "Sign the declaration")
        assert ev.url.endswith("/sheet/")
        if pid == "ahmed":
            axe.check(ev)
        scores = fixture_scores(pid)
        for bid in ("northway", "peak", "tame"):
            items = {q: sc for (b, q), sc in scores.items() if b == bid}
            if pid == "chen" and bid == "peak":
                assert ev.locator(f"a[href$='/sheet/bids/{bid}/']").count() == 0
                continue
            ev.click(f"a[href$='/sheet/bids/{bid}/']")
            for question, (score, comment) in items.items():
                ev.check(f"input[name=score_{question}][value='{score}']")
                ev.fill(f"#id_comment_{question}", comment)
            if pid == "ahmed" and bid == "northway":
                axe.check(ev)
            submit(ev, "Save draft")
            assert ev.url.endswith("/sheet/")
        ev.click("text=Check and submit your sheet")
        if pid == "ahmed":
            axe.check(ev)
        ev.check("#id_confirm")
        submit(ev, "Submit your sheet")
        assert "You submitted this sheet" in ev.inner_text("main")
        if pid == "ahmed":
            # A submitted sheet, a page for another role, and a tender the evaluator is not on.
            ev.goto(f"{base}{tender_path}sheet/submit/")
            axe.check(ev)
            assert ev.goto(f"{base}{tender_path}result/").status == 403
            axe.check(ev)
            assert ev.goto(f"{base}/tenders/999999/").status == 404
            axe.check(ev)
        ev.context.close()

    # The moderator resolves the red item with a rationale, then completes moderation.
    mod = sign_in(browser, base, moderator.username)
    mod.goto(f"{base}{tender_path}moderation/")
    axe.check(mod)
    assert mod.locator(".govuk-tag--red").count() >= 1
    mod.click(f"a[href='{tender_path}moderation/tame/Q1/']")
    axe.check(mod)
    mod.check("input[name=score][value='3']")
    submit(mod, "Save the agreed score")
    assert "Enter a rationale: the panel's spread on this item was red" in error_summary(mod)
    axe.check(mod)
    mod.fill("#id_rationale", "Red spread (2 to 5): the written safeguarding policy decides, so the panel agreed 3")
    submit(mod, "Save the agreed score")
    mod.check("#id_confirm")
    submit(mod, "Complete moderation")
    assert "Moderation complete" in mod.inner_text("main")
    mod.context.close()

    # The officer scores: the result page.
    page.goto(f"{base}{tender_path}score/")
    axe.check(page)
    submit(page, "Score and record the decision")
    assert page.url.endswith("/result/")
    axe.check(page)
    totals = {
        row.get_attribute("data-bid"): row.locator("[data-total]").inner_text()
        for row in page.locator("#result-table tbody tr").all()
    }
    with page.expect_download() as download:
        page.click("text=The whole pack as scored")
    folder = tmp_path / "downloaded"
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        archive.extractall(folder)
    (pack,) = list(folder.iterdir())
    cli = invoke("score", pack, "--format", "json", "--no-ledger")
    assert cli.exit_code == 0, cli.output
    assert totals == {b["bid_id"]: b["total"] for b in json.loads(cli.stdout)["bids"]}
    page.goto(f"{base}{tender_path}trail/")
    axe.check(page)
    page.context.close()

    # The auditor: ledger (verified, head hash shown), the record (replays identically), explain.
    aud = sign_in(browser, base, auditor.username)
    aud.goto(f"{base}{tender_path}ledger/")
    axe.check(aud)
    assert "The whole ledger verifies" in aud.inner_text("#ledger-verified")
    aud.click("a:has-text('Record ')")
    axe.check(aud)
    assert aud.inner_text("#replay").startswith("Identical")
    record_id = aud.url.rstrip("/").rsplit("/", 1)[1]
    aud.click("text=Explain Peak Accessible Travel Ltd")
    axe.check(aud)
    assert "How Peak Accessible Travel Ltd scored" in aud.inner_text("h1")
    aud.context.close()

    ledger = web_ledger()
    assert invoke("ledger", "verify", "--ledger", ledger).exit_code == 0
    replayed = invoke("replay", record_id, "--ledger", ledger)
    assert replayed.exit_code == 0, replayed.output

    assert len(axe.pages) >= 22
    assert not axe.violations, "\n".join(axe.violations)
