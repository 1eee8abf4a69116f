"""Who gets what: every URL of the app, as every role (and anonymously, and as a user on neither tender), on two
tenders; and no page an evaluator can reach holds any bid's price.

Tender A has been through the whole workflow (it has a decision record); tender B is open with nobody's sheet
in. A user with no role on a tender gets 404 (its existence is not revealed), a member in another role 403,
an anonymous visitor the sign-in page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import PANEL, PANEL_PACK, Panel, client_for, fixture_scores, make_user, text_of

# URL name -> (path under /tenders/<pk>/, the roles that may GET it); evaluator:<id> is that panel member.
EVERYONE = {"officer", "moderator", "auditor", *(f"evaluator:{p}" for p in PANEL)}
EVALUATORS = {f"evaluator:{p}" for p in PANEL}
TENDER_URLS: dict[str, tuple[str, set[str]]] = {
    "tender": ("", EVERYONE),
    "trail": ("trail/", {"officer", "auditor"}),
    "panel": ("panel/", {"officer"}),
    "status": ("status/", {"officer"}),
    "score": ("score/", {"officer"}),
    "declare": ("declaration/", EVALUATORS),
    "sheet": ("sheet/", EVALUATORS),
    "submit": ("sheet/submit/", EVALUATORS),
    "bid_scores": ("sheet/bids/northway/", EVALUATORS),
    "moderation": ("moderation/", {"moderator"}),
    "moderate_item": ("moderation/tame/Q1/", {"moderator"}),
    "result": ("result/", {"officer", "auditor"}),
    "download_pack": ("download/pack/", {"officer", "auditor"}),
    "download": ("download/json/", {"officer", "auditor"}),
    "ledger": ("ledger/", {"auditor"}),
    "record": ("records/{record}/", {"auditor"}),
    "record_json": ("records/{record}/json/", {"auditor"}),
    "explain": ("records/{record}/explain/peak/", {"auditor"}),
}
# POST-only: who may change the tender's state or reopen a sheet.
POST_URLS: dict[str, tuple[str, set[str]]] = {
    "change_state": ("state/closed/", {"officer"}),
    "reopen_sheet": ("sheets/ahmed/reopen/", {"officer"}),
}
OTHER_URLS = {"home", "login", "logout", "new_tender", "health"}  # health: tests/test_web_service.py
# Pages that exist only once the tender is scored (tender B has no decision record yet).
NEEDS_RECORD = {"download_pack", "download", "record", "record_json", "explain"}


@pytest.fixture(scope="module")
def tenders(web: Path) -> tuple[Panel, Panel]:
    a = Panel()
    a.run_all()
    b = Panel()
    b.open()
    return a, b


def actors(panel: Panel) -> Iterator[tuple[str, Any]]:
    for role in ("officer", "moderator", "auditor", *(f"evaluator:{p}" for p in PANEL)):
        yield role, panel.client(role)


def test_every_url_is_in_this_table(web: Path) -> None:
    from tenderscore.scoring.web.urls import urlpatterns

    names = {p.name for p in urlpatterns}
    assert names == set(TENDER_URLS) | set(POST_URLS) | OTHER_URLS


def record_of(panel: Panel) -> int:
    decision = panel.tender.decisions.first()
    return decision.record_id if decision is not None else 999999


def url(panel: Panel, path: str, record: int) -> str:
    return f"/tenders/{panel.pk}/{path.format(record=record)}"


def test_who_gets_each_tender_page(tenders: tuple[Panel, Panel]) -> None:
    a, b = tenders
    record = record_of(a)
    outsider = client_for(make_user("officer"))
    anonymous = client_for(None)
    failures = []
    for name, (path, allowed) in TENDER_URLS.items():
        for tender, other in ((a, b), (b, a)):
            target = url(tender, path, record)
            for role, client in actors(tender):
                status = client.get(target).status_code
                if role in allowed:
                    # B has no record yet, and the declaration page sends a declared evaluator on to their sheet.
                    ok = {200, 302} | ({404} if tender is b and name in NEEDS_RECORD else set())
                else:
                    ok = {403}
                if status not in ok:
                    failures.append(f"{name} on {tender.tender.reference}#{tender.pk} as {role}: {status}")
            # Members of the other tender, and a user on neither, are told nothing about this one.
            for role, client in actors(other):
                if client.get(target).status_code != 404:
                    failures.append(f"{name} as {role} of the other tender: not 404")
            if outsider.get(target).status_code != 404:
                failures.append(f"{name} as a user on neither tender: not 404")
            response = anonymous.get(target)
            if response.status_code != 302 or not response["Location"].startswith("/sign-in/"):
                failures.append(f"{name} anonymously: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_allowed_roles_see_the_page_itself(tenders: tuple[Panel, Panel]) -> None:
    a, _ = tenders
    record = record_of(a)
    for name, (path, allowed) in TENDER_URLS.items():
        for role in sorted(allowed):
            response = a.client(role).get(url(a, path, record))
            expected = 302 if name in ("declare", "submit") and role.startswith("evaluator") else 200
            if name == "submit":
                expected = 200  # a submitted sheet shows that it is submitted
            assert response.status_code == expected, (name, role, response.status_code)


def test_who_may_post_state_changes(tenders: tuple[Panel, Panel]) -> None:
    a, b = tenders
    for name, (path, allowed) in POST_URLS.items():
        for role, client in actors(b):
            status = client.post(url(b, path, 0)).status_code
            assert status == (302 if role in allowed else 403), (name, role, status)
        for role, client in actors(a):
            assert client.post(url(b, path, 0)).status_code == 404, (name, role)
        response = client_for(None).post(url(b, path, 0))
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_other_pages(tenders: tuple[Panel, Panel]) -> None:
    a, _ = tenders
    anonymous = client_for(None)
    assert anonymous.get("/").status_code == 302
    assert anonymous.get("/tenders/new/").status_code == 302
    assert anonymous.get("/sign-in/").status_code == 200
    assert a.client("officer").get("/tenders/new/").status_code == 200
    for role in ("moderator", "auditor", "evaluator:ahmed"):
        assert a.client(role).get("/tenders/new/").status_code == 403
    home = text_of(a.client("evaluator:ahmed").get("/"))
    assert f"/tenders/{a.pk}/" in home


def prices() -> list[str]:
    """Every bid's price, in each way a page could write it: 468500.00, 468500, 468,500.00, 468,500."""
    found = []
    for path in sorted((PANEL_PACK / "bids").glob("*.yaml")):
        match = re.search(r'price_gbp: "?([0-9.]+)"?', path.read_text(encoding="utf-8"))
        assert match is not None
        value = match.group(1)
        whole = value.split(".")[0]
        grouped = f"{int(whole):,}"
        found += [value, whole, grouped, f"{grouped}.00"]
    return found


def crawl(client: Any, start: list[str]) -> dict[str, str]:
    """Every page reachable by following the app's own links (and forms' GET targets) from `start`."""
    seen: dict[str, str] = {}
    queue = list(start)
    while queue:
        page = queue.pop()
        if page in seen or "/sign-out/" in page:
            continue
        response = client.get(page)
        seen[page] = f"{response.status_code} {text_of(response)}"
        if response.status_code == 302:
            queue.append(response["Location"])
            continue
        for href in re.findall(r'(?:href|action)="(/[^"#]*)"', seen[page]):
            if href not in seen and not href.startswith("/static/"):
                queue.append(href)
    return seen


def shows_whole(comment: str, body: str) -> bool:
    """A comment shown whole, as an element's text (a textarea, a cell), not as part of a longer one."""
    return re.search(rf">\s*{re.escape(html.escape(comment))}\s*<", body) is not None


def test_no_page_an_evaluator_reaches_holds_a_price_or_another_evaluators_comment(tenders: tuple[Panel, Panel]) -> None:
    money = prices()
    assert "468500.00" in money  # Peak's price, as bids/peak.yaml gives it
    checked = 0
    for tender in tenders:
        record = record_of(tender)
        for panel_id in PANEL:
            client = tender.client(f"evaluator:{panel_id}")
            start = ["/", *(url(tender, path, record) for path, _ in TENDER_URLS.values())]
            start += [url(tender, f"sheet/bids/{bid}/", record) for bid in ("northway", "peak", "tame")]
            own = {comment for _, comment in fixture_scores(panel_id).values()}
            # What the other evaluators wrote (tender A has their sheets): never shown to this one.
            theirs = {c for other in PANEL if other != panel_id for _, c in fixture_scores(other).values()} - own
            for page, body in crawl(client, start).items():
                checked += 1
                leaked = [m for m in money if re.search(rf"(?<![0-9]){re.escape(m)}(?![0-9])", body)]
                assert not leaked, f"{page} shows {leaked} to evaluator {panel_id}"
                seen = [c for c in theirs if c and shows_whole(c, body)]
                assert not seen, f"{page} shows other evaluators' comments {seen} to {panel_id}"
    # The same crawl as the officer does find the prices on the result page: the check can fail.
    officer_pages = crawl(tenders[0].client("officer"), [f"/tenders/{tenders[0].pk}/result/"])
    assert any("468500.00" in body for body in officer_pages.values())
    moderator = tenders[0].client("moderator").get(f"/tenders/{tenders[0].pk}/moderation/tame/Q1/")
    assert html.escape("Good practice but policy gaps") in text_of(moderator)  # Chen's comment, for the moderator
    # The comment check finds a comment where one is shown: Ahmed's own, on his own page.
    (ahmed_tame,) = [c for (bid, q), (_, c) in fixture_scores("ahmed").items() if (bid, q) == ("tame", "Q1")]
    own_page = text_of(tenders[0].client("evaluator:ahmed").get(f"/tenders/{tenders[0].pk}/sheet/bids/tame/"))
    assert shows_whole(ahmed_tame, own_page)
    assert checked > 50
