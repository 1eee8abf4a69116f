"""Concurrency without lost work: saves that race each other, in real threads on the app's database. Two tabs
of one evaluator: one save wins, the other is told to check and stored nothing. Different evaluators at the
same moment: every save is kept. Two moderators agreeing the same item: the second is refused, not silently
written over the first."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web_support import PANEL, Panel, fixture_scores, text_of

ROUNDS = 4


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each thread closes its own database connection."""
    from django.db import connection

    gate = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            gate.wait()
            results[i] = calls[i]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def declared(panel: Panel, pid: str) -> Any:
    client = panel.client(f"evaluator:{pid}")
    form = {"full_name": pid.title(), "has_conflict": "no", "confirm": "on"}
    assert client.post(f"/tenders/{panel.pk}/declaration/", form).status_code == 302
    return client


def score_row(panel: Panel, pid: str) -> Any:
    return panel.tender.sheets.get(panel_id=pid).scores.get(bid="tame", question="Q1")


def test_two_tabs_saving_at_the_same_moment_one_wins_the_other_is_told(web: Path) -> None:
    panel = Panel()
    panel.open()
    beth = declared(panel, "beth")
    url = f"/tenders/{panel.pk}/sheet/bids/tame/"
    version = 0
    for r in range(ROUNDS):
        forms = [
            {"score_Q1": str(1 + tab), "comment_Q1": f"round {r} tab {tab}", "version_Q1": str(version)}
            for tab in (0, 1)
        ]
        responses = at_once([lambda f=f: beth.post(url, f) for f in forms])
        codes = sorted(response.status_code for response in responses)
        assert codes == [200, 302], codes
        loser = next(response for response in responses if response.status_code == 200)
        assert "changed in another window since this page was shown" in text_of(loser)
        winner = forms[[response.status_code for response in responses].index(302)]
        row = score_row(panel, "beth")
        # The winner's save, whole, and one version further: the loser changed nothing.
        assert (row.score, row.comment, row.version) == (winner["score_Q1"], winner["comment_Q1"], version + 1)
        version = row.version


def test_every_evaluator_saving_at_the_same_moment_is_kept(web: Path) -> None:
    panel = Panel()
    panel.open()
    clients = {pid: declared(panel, pid) for pid in PANEL}
    # Each evaluator's first item on the fixture's sheets (not everyone scores every question).
    items = {pid: next(iter(fixture_scores(pid))) for pid in PANEL}
    for r in range(ROUNDS):
        calls = [
            lambda c=c, pid=pid, r=r: c.post(
                f"/tenders/{panel.pk}/sheet/bids/{items[pid][0]}/",
                {
                    f"score_{items[pid][1]}": "3",
                    f"comment_{items[pid][1]}": f"{pid} {r}",
                    f"version_{items[pid][1]}": r,
                },
            )
            for pid, c in clients.items()
        ]
        assert [response.status_code for response in at_once(calls)] == [302] * len(PANEL)
        for pid in PANEL:
            bid, question = items[pid]
            row = panel.tender.sheets.get(panel_id=pid).scores.get(bid=bid, question=question)
            assert (row.comment, row.version) == (f"{pid} {r}", r + 1)


def test_a_second_moderator_saving_an_item_first_agreed_meanwhile_is_refused(web: Path) -> None:
    from tenderscore.scoring.web.models import Consensus

    panel = Panel()
    panel.open()
    for pid in PANEL:
        panel.evaluate(pid)
    moderator = panel.client("moderator")
    url = f"/tenders/{panel.pk}/moderation/tame/Q1/"
    # Two pages shown while no score was agreed yet (version 0); the first save creates the agreed score.
    first = {"score": "3", "rationale": "Agreed at the panel meeting", "version": "0"}
    second = {"score": "1", "rationale": "Shown before the first was saved", "version": "0"}
    assert moderator.post(url, first).status_code == 302
    page = moderator.post(url, second)
    assert page.status_code == 200 and "changed this item since the page was shown" in text_of(page)
    agreed = Consensus.objects.get(tender=panel.tender, bid="tame", question="Q1")
    assert (agreed.score, agreed.rationale) == ("3", "Agreed at the panel meeting")
    # The one who must retry sees the current version and can save over it on purpose.
    assert moderator.post(url, second | {"version": str(agreed.version)}).status_code == 302
    assert Consensus.objects.get(pk=agreed.pk).rationale == "Shown before the first was saved"
