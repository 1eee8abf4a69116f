"""A tender's pack as files, from what the app stores: the uploaded files, each evaluator's sheet in the CSV
layout `tenderscore panel sheets --format csv` writes, scores.csv from moderation, and the audit trail.

These are the texts scoring.pack builds a pack from, so the app scores, records and offers for download
exactly what the command line would read from the same folder.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import UTC

from ..models import Tender as TenderSpec
from ..numbers import fmt_plain
from ..pack import SCORES_FILE, Pack, build_pack
from ..panel import SHEET_DIR, Moderation
from ..panel.scale import Scale
from ..panel.sheet import NO_CONFLICT, assigned_items, render_sheet
from .models import Action, Consensus, Sheet, Tender
from .packcache import cached_pack
from .serial import ENGINE

# Carried by the pack (and so by every decision record) but read by no scoring step: who did what, and when.
TRAIL_FILE = "audit-trail.csv"
CONFLICT_NOTE = "Conflict of interest declared: not scored"


def stored_files(tender: Tender) -> dict[str, str]:
    return {f.name: f.text for f in tender.files.all()}


def base_pack(tender: Tender) -> Pack:
    """The tender and its bids, as the panel works from them (no scores yet)."""
    files = stored_files(tender)

    def build() -> Pack:
        with ENGINE:
            return build_pack(files, tender.reference, consensus=False)

    return cached_pack(tender.reference, files, build)


def sheet_text(sheet: Sheet, spec: TenderSpec, bidders: dict[str, str]) -> str:
    evaluator = next(e for e in spec.panel or [] if e.id == sheet.panel_id)
    conflicts = sheet.conflicted_bids()
    declaration = {}
    if sheet.declared_on is not None:
        declaration = {
            "name": sheet.declared_name,
            "date": sheet.declared_on.isoformat(),
            "conflicts": "; ".join(conflicts) or NO_CONFLICT,
            "signature": sheet.signature,
        }
    scores = {(s.bid, s.question): s for s in sheet.scores.all()}
    rows = []
    for item in assigned_items(spec, bidders, evaluator):
        found = scores.get((item.bid, item.question))
        if item.bid in conflicts:
            rows.append([item.bid, item.bidder, item.question, item.title, "", CONFLICT_NOTE])
        else:
            score, comment = (found.score, found.comment) if found is not None else ("", "")
            rows.append([item.bid, item.bidder, item.question, item.title, score, comment])
    return render_sheet(declaration, Scale.of(spec), rows)


def sheet_files(tender: Tender, pack: Pack, submitted_only: bool = True) -> dict[str, str]:
    sheets = tender.sheets.all() if not submitted_only else tender.sheets.filter(submitted_at__isnull=False)
    bidders = pack.bidders()
    return {f"{SHEET_DIR}{s.panel_id}.csv": sheet_text(s, pack.tender, bidders) for s in sheets.order_by("panel_id")}


def scores_text(tender: Tender, moderation: Moderation) -> str:
    """scores.csv: each item's agreed score and rationale, or the panel's proposal where none was recorded."""
    agreed = {(c.bid, c.question): c for c in Consensus.objects.filter(tender=tender)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["bid", "question", "score", "rationale"])
    for item in moderation.items:
        row = agreed.get((item.bid, item.question))
        if row is not None:
            writer.writerow([item.bid, item.question, row.score, row.rationale])
        else:
            writer.writerow([item.bid, item.question, fmt_plain(item.proposed), ""])
    return out.getvalue()


def trail_rows(actions: Iterable[Action]) -> list[list[str]]:
    return [
        [a.at.astimezone(UTC).isoformat(timespec="seconds"), a.username, a.role, a.action, a.detail] for a in actions
    ]


def trail_text(tender: Tender) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["at", "user", "role", "action", "detail"])
    writer.writerows(trail_rows(tender.actions.all()))
    return out.getvalue()


def full_files(tender: Tender, pack: Pack, moderation: Moderation | None) -> dict[str, str]:
    """Every file of the pack as it stands: what is scored, recorded and downloaded."""
    files = stored_files(tender) | sheet_files(tender, pack)
    if moderation is not None:
        files[SCORES_FILE] = scores_text(tender, moderation)
    files[TRAIL_FILE] = trail_text(tender)
    return files


def pack_zip(files: dict[str, str], folder: str) -> bytes:
    """The pack as a zip of one folder, with fixed timestamps: the same pack gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"))
    return out.getvalue()
