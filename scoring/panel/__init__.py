"""Evaluation panels: evaluator sheets, conflict-of-interest declarations, moderation and consensus.

The pack reads its panel through this module's names only; nothing in panel/ knows the pack.
"""

from .consensus import (
    PROPOSAL_FILE,
    DeclaredConflict,
    PanelConsensus,
    individual_scores,
    moderate_sheets,
    panel_consensus,
    proposal_csv,
    proposed_scores,
    rationale_problems,
)
from .reading import IndividualScore, PanelReading, read_panel, tender_panel_problems
from .sheet import SHEET_DIR, XLSX_TEXT_SUFFIX
from .spread import ItemStatistics, Moderation, rag_status
from .workbook import workbook_text

__all__ = [
    "PROPOSAL_FILE",
    "SHEET_DIR",
    "XLSX_TEXT_SUFFIX",
    "DeclaredConflict",
    "IndividualScore",
    "ItemStatistics",
    "Moderation",
    "PanelConsensus",
    "PanelReading",
    "individual_scores",
    "moderate_sheets",
    "panel_consensus",
    "proposal_csv",
    "proposed_scores",
    "rag_status",
    "rationale_problems",
    "read_panel",
    "tender_panel_problems",
    "workbook_text",
]
