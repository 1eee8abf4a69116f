"""Evaluation panels: evaluator sheets, conflict-of-interest declarations, moderation and consensus."""

from .consensus import (
    PROPOSAL_FILE,
    PanelConsensus,
    individual_scores,
    moderate_pack,
    proposal_csv,
)
from .reading import IndividualScore, PanelReading, read_panel
from .spread import ItemStatistics, Moderation, rag_status

__all__ = [
    "PROPOSAL_FILE",
    "IndividualScore",
    "ItemStatistics",
    "Moderation",
    "PanelConsensus",
    "PanelReading",
    "individual_scores",
    "moderate_pack",
    "proposal_csv",
    "rag_status",
    "read_panel",
]
