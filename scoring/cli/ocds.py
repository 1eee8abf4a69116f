"""`tenderscore ocds PACK_OR_RECORD`: the award, every bid and the bid statistics as an OCDS 1.1 release package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import emit, ledger_option, output_option, user_errors

if TYPE_CHECKING:
    from ..audit.location import LedgerLocation


@click.command()
@click.argument("source", metavar="PACK_OR_RECORD")
@output_option
@click.option(
    "--ocid-prefix",
    metavar="PREFIX",
    default="ocds-000000",
    show_default=True,
    help="Your registered OCDS prefix; the ocid is PREFIX-<tender id>. The default is a placeholder.",
)
@click.option(
    "--report-url",
    metavar="URL",
    default=None,
    help="Where the HTML evaluation report (score --format html) is published; linked from the award and each bid.",
)
@ledger_option
@user_errors
def ocds(source: str, output: Path | None, ocid_prefix: str, report_url: str | None, ledger: LedgerLocation) -> None:
    """Publish the award as an OCDS 1.1 release package: the tender (title, value, award criteria broken down by
    price, quality and social value with their weights), every bid (tenderer, value, status valid or
    disqualified, rank), bid statistics (bids, valid and disqualified bids, lowest and highest valid bid values,
    tenders excluded as abnormally low) and the award (supplier, value, related bid), using the lots, award
    criteria breakdown and bids extensions. OCDS has no field for a bid's scores: the evaluation report is
    linked as a document instead.

    PACK_OR_RECORD is a decision record file, a record id in the ledger, or a pack folder (scored now, its
    decision record appended to the ledger first). The release's date is the decision record's. Exit codes:
    0, 2 bad input (or no single most advantageous tender), 3 a pack its ruleset's policy refuses, 4 a record
    that does not verify.

    \b
    Examples:
      tenderscore ocds fixtures/stockport-highways --output award.json
      tenderscore ocds fixtures/stockport-highways --ocid-prefix ocds-213czf --report-url https://example.org/report.html
    """
    from ..award import release_package
    from .decided import open_decision

    package = release_package(open_decision(source, ledger), ocid_prefix, report_url)
    emit(json.dumps(package, indent=2, ensure_ascii=False) + "\n", output)
