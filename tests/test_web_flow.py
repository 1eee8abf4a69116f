"""The panel's workflow through the app's own views (Django's test client): declare, score, submit, moderate,
score the tender; the downloaded pack is one the command line scores to the same bytes, and the app's decision
record verifies and replays with the command line.

Figures worked by hand from fixtures/stockport-panel: Peak's price points are 40 × 431,000 / 468,500 =
36.798... -> 36.80 (Tameside's is the lowest price). Tameside's Q1 was scored 2, 5 and 3 (spread 3 of 5 = 60%,
red, as the fixture's comments say); the moderator agrees 3, so Q1 is worth 3 / 5 × 25 = 15.00 points.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import invoke
from web_support import Panel, make_user, text_of, web_ledger


@pytest.fixture(scope="module")
def scored(web: Path) -> Panel:
    panel = Panel()
    panel.run_all()
    return panel


def unzip(data: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
    (folder,) = list(into.iterdir())
    return folder


def test_downloaded_pack_scores_to_the_same_json_on_the_command_line(scored: Panel, tmp_path: Path) -> None:
    officer = scored.client("officer")
    app_json = text_of(officer.get(f"/tenders/{scored.pk}/download/json/"))
    folder = unzip(text_bytes(officer.get(f"/tenders/{scored.pk}/download/pack/")), tmp_path)
    assert sorted(p.name for p in (folder / "panel").iterdir()) == ["ahmed.csv", "beth.csv", "chen.csv", "dana.csv"]
    cli = invoke("score", folder, "--format", "json", "--no-ledger")
    assert cli.exit_code == 0, cli.output
    assert cli.stdout == app_json
    published = json.loads(app_json)
    bids = {b["bid_id"]: b for b in published["bids"]}
    assert bids["peak"]["price"]["points"] == "36.80"
    assert bids["tame"]["quality"]["questions"]["Q1"] == {"score": "3", "points": "15.00"}


def text_bytes(response: Any) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else bytes(response.content)


def test_result_page_shows_the_recorded_totals(scored: Panel) -> None:
    page = text_of(scored.client("officer").get(f"/tenders/{scored.pk}/result/"))
    published = json.loads(text_of(scored.client("officer").get(f"/tenders/{scored.pk}/download/json/")))
    for bid in published["bids"]:
        assert f'<tr data-bid="{bid["bid_id"]}">' in page
        assert f"data-total>{bid['total']}</td>" in page


def test_record_verifies_replays_and_carries_the_audit_trail(scored: Panel, web: Path) -> None:
    ledger = web_ledger()
    decision = scored.tender.decisions.first()
    assert decision is not None
    verify = invoke("ledger", "verify", "--ledger", ledger)
    assert verify.exit_code == 0, verify.output
    replay = invoke("replay", str(decision.record_id), "--ledger", ledger)
    assert replay.exit_code == 0, replay.output
    exported = invoke("ledger", "export", str(decision.record_id), "--ledger", ledger)
    record = json.loads(exported.stdout)
    files = {f["name"]: f["text"] for f in record["pack"]["files"]}
    assert {"scores.csv", "panel/chen.csv", "audit-trail.csv"} <= set(files)
    trail = list(csv.DictReader(io.StringIO(files["audit-trail.csv"])))
    actions = {row["action"] for row in trail}
    assert {"upload", "panel", "open", "declaration", "draft", "submission", "moderation", "scoring"} <= actions
    chen = scored.evaluators["chen"].username
    assert any(r["user"] == chen and r["action"] == "declaration" and "peak" in r["detail"] for r in trail)
    # Chen's sheet is the CLI's own layout: the conflict declared, the conflicted bid left unscored.
    assert "declaration,,conflicts," in files["panel/chen.csv"]
    assert "peak,Peak Accessible Travel Ltd,Q1,Service delivery and safeguarding,,Conflict" in files["panel/chen.csv"]
    assert 'tame,Q1,3,"Red spread: the written safeguarding policy decides' in files["scores.csv"]


def test_evaluator_sees_no_bid_before_declaring(web: Path) -> None:
    panel = Panel()
    panel.open()
    ahmed = panel.client("evaluator:ahmed")
    for url in ("sheet/", "sheet/bids/peak/", "sheet/submit/"):
        response = ahmed.get(f"/tenders/{panel.pk}/{url}")
        assert response.status_code == 302
        assert response["Location"] == f"/tenders/{panel.pk}/declaration/"


def test_conflicted_bid_is_not_shown_and_submitted_sheet_is_locked(web: Path) -> None:
    panel = Panel()
    panel.open()
    panel.evaluate("chen")
    chen = panel.client("evaluator:chen")
    assert chen.get(f"/tenders/{panel.pk}/sheet/bids/peak/").status_code == 404
    assert "Peak Accessible Travel Ltd" in text_of(chen.get(f"/tenders/{panel.pk}/sheet/"))  # named, as conflicted
    before = panel.tender.sheets.get(panel_id="chen").scores.get(bid="tame", question="Q1").score
    form = {"score_Q1": "0", "comment_Q1": "changed after submission", "version_Q1": "1"}
    page = chen.post(f"/tenders/{panel.pk}/sheet/bids/tame/", form)
    assert page.status_code == 200 and "locked" in text_of(page)
    assert panel.tender.sheets.get(panel_id="chen").scores.get(bid="tame", question="Q1").score == before == "3"


def test_a_save_over_a_newer_one_is_refused(web: Path) -> None:
    panel = Panel()
    panel.open()
    beth = panel.client("evaluator:beth")
    beth.post(f"/tenders/{panel.pk}/declaration/", {"full_name": "Beth", "has_conflict": "no", "confirm": "on"})
    url = f"/tenders/{panel.pk}/sheet/bids/tame/"
    first = {"score_Q1": "4", "comment_Q1": "first window", "version_Q1": "0", "score_Q2": "", "version_Q2": "0"}
    assert beth.post(url, first).status_code == 302
    second = {"score_Q1": "1", "comment_Q1": "second window", "version_Q1": "0", "score_Q2": "", "version_Q2": "0"}
    page = beth.post(url, second)
    assert page.status_code == 200
    assert "changed in another window" in text_of(page)
    assert panel.tender.sheets.get(panel_id="beth").scores.get(bid="tame", question="Q1").comment == "first window"


def test_red_item_needs_a_rationale_and_scoring_waits_for_moderation(web: Path) -> None:
    panel = Panel()
    panel.open()
    for pid in ("ahmed", "beth", "chen", "dana"):
        panel.evaluate(pid)
    officer = panel.client("officer")
    officer.post(f"/tenders/{panel.pk}/score/")
    assert not panel.tender.decisions.exists()
    moderator = panel.client("moderator")
    page = moderator.get(f"/tenders/{panel.pk}/moderation/")
    html = text_of(page)
    # The panel code's statistics for Tameside Q1: scores 2, 5, 3; mean 3.33; median 3; 60.00% of the scale.
    assert "ahmed 2, beth 5, chen 3" in html and "3.33" in html and "60.00%" in html
    response = moderator.post(f"/tenders/{panel.pk}/moderation/tame/Q1/", {"score": "3", "version": "0"})
    assert response.status_code == 200
    assert "Enter a rationale: the panel&#x27;s spread on this item was red" in text_of(response)
    # Completing moderation without it is refused with the pack's own message.
    refused = text_of(moderator.post(f"/tenders/{panel.pk}/moderation/", {"confirm": "on"}))
    assert "required for bid tame, question Q1: the panel&#x27;s spread was red" in refused


def test_reopening_a_sheet_is_recorded(web: Path) -> None:
    panel = Panel()
    panel.open()
    panel.evaluate("dana")
    officer = panel.client("officer")
    assert officer.post(f"/tenders/{panel.pk}/sheets/dana/reopen/").status_code == 302
    assert panel.tender.sheets.get(panel_id="dana").submitted_at is None
    trail = text_of(officer.get(f"/tenders/{panel.pk}/trail/"))
    assert "reopening" in trail and "sheet of dana reopened" in trail


def test_only_officers_create_tenders(web: Path) -> None:
    from web_support import client_for, pack_zip, upload

    assert upload(client_for(make_user("evaluator")), pack_zip()).status_code == 403


def test_a_tender_the_policy_refuses_is_not_scored_and_says_why(web: Path) -> None:
    from conftest import FIXTURES
    from web_support import PANEL, pack_zip

    # Social value at 10%, under Stockport's 15% floor for a £480,000 contract, with no exemption recorded.
    tender = (FIXTURES / "stockport-panel" / "tender.yaml").read_text(encoding="utf-8")
    tender = tender.replace(
        "weights: {price: 40, quality: 40, social_value: 20}", "weights: {price: 50, quality: 40, social_value: 10}"
    )
    tender = tender.replace(
        "themes: {jobs: 6, growth: 4, social: 3, environment: 2, innovation: 0}", "themes: {jobs: 3, growth: 2}"
    )
    assert "social_value: 10" in tender and "themes: {jobs: 3, growth: 2}" in tender
    panel = Panel(pack_zip(extra={"stockport-panel/tender.yaml": tender.encode()}, top="stockport-panel"))
    panel.open()
    for pid in PANEL:
        panel.evaluate(pid)
    panel.moderate()
    page = panel.client("officer").post(f"/tenders/{panel.pk}/score/")
    assert page.status_code == 200
    assert "weights.social_value:" in text_of(page) and "There is a problem" in text_of(page)
    assert not panel.tender.decisions.exists()
    assert not panel.tender.actions.filter(action="scoring").exists()


def test_an_evaluator_may_declare_conflicts_with_several_bidders(web: Path) -> None:
    panel = Panel()
    panel.open()
    beth = panel.client("evaluator:beth")
    page = text_of(beth.get(f"/tenders/{panel.pk}/declaration/"))
    assert page.count('name="conflicts" type="checkbox"') == 3  # one box per bidder, not one choice of three
    form = {"full_name": "Beth Morley", "has_conflict": "yes", "conflicts": ["peak", "tame"], "confirm": "on"}
    assert beth.post(f"/tenders/{panel.pk}/declaration/", form).status_code == 302
    assert panel.tender.sheets.get(panel_id="beth").conflicted_bids() == ["peak", "tame"]
    assert beth.get(f"/tenders/{panel.pk}/sheet/bids/tame/").status_code == 404
    assert beth.get(f"/tenders/{panel.pk}/sheet/bids/northway/").status_code == 200


def test_a_question_marked_out_of_its_own_scale_is_scored_and_moderated_on_it(web: Path) -> None:
    import re

    from conftest import FIXTURES
    from web_support import CONFLICTS, PANEL, fixture_scores, pack_zip

    # Q1 out of 60 in steps of 5 (as in test_panel_question_scale.py); Q2 and SV1 stay on the tender's 0 to 5.
    tender = (FIXTURES / "stockport-panel" / "tender.yaml").read_text(encoding="utf-8")
    tender = tender.replace("weight: 25, min_score: 2}", "weight: 25, min_score: 2, scale_max: 60, scale_step: 5}")
    assert "scale_max: 60, scale_step: 5" in tender
    panel = Panel(pack_zip(extra={"stockport-panel/tender.yaml": tender.encode()}, top="stockport-panel"))
    panel.open()
    for pid in PANEL:
        c = panel.client(f"evaluator:{pid}")
        conflicts = CONFLICTS.get(pid, [])
        form: dict[str, Any] = {"full_name": pid.title(), "has_conflict": "yes" if conflicts else "no"}
        form |= {"confirm": "on", "conflicts": conflicts}
        assert c.post(f"/tenders/{panel.pk}/declaration/", form).status_code == 302
        pages: dict[str, dict[str, str]] = {}
        for (bid, question), (score, comment) in fixture_scores(pid).items():
            if bid in conflicts:
                continue
            # The fixture's Q1 scores out of 5, times 10: on Q1's steps of 5, and over the tender's maximum of 5.
            given = str(int(score) * 10) if question == "Q1" else score
            page = pages.setdefault(bid, {})
            page |= {f"score_{question}": given, f"comment_{question}": comment, f"version_{question}": "0"}
        if pid == "ahmed":
            html = text_of(c.get(f"/tenders/{panel.pk}/sheet/bids/tame/"))
            q1 = re.findall(r'name="score_Q1"[^>]*value="([^"]*)"', html)
            assert q1 == [str(n) for n in range(0, 65, 5)], q1
            assert re.findall(r'name="score_Q2"[^>]*value="([^"]*)"', html) == ["0", "1", "2", "3", "4", "5"]
            # The tender's descriptors describe its 0 to 5 only (Q2 and SV1); Q1 gets the default words at its ends.
            assert "60: Excellent" in html and html.count("5: Excellent: exceeds the requirement") == 2
        for bid, page in pages.items():
            response = c.post(f"/tenders/{panel.pk}/sheet/bids/{bid}/", page)
            assert response.status_code == 302, response.content.decode()[:3000]
        assert c.post(f"/tenders/{panel.pk}/sheet/submit/", {"confirm": "on"}).status_code == 302
    moderator = panel.client("moderator")
    url = f"/tenders/{panel.pk}/moderation/tame/Q1/"
    # Tameside Q1: 20, 50, 30; median 30. A 3 is on the tender's scale but off Q1's steps of 5.
    off_step = moderator.post(url, {"score": "3", "rationale": "Out of 5 by mistake", "version": "0"})
    assert off_step.status_code == 200 and "Select a valid choice" in text_of(off_step)
    agreed = moderator.post(
        url, {"score": "45", "rationale": "The policy is sound once a lead is named", "version": "0"}
    )
    assert agreed.status_code == 302, text_of(agreed)[:3000]
    assert panel.tender.consensus.get(bid="tame", question="Q1").score == "45"
