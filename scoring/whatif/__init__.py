"""`tenderscore whatif`: how close the decision was, and whether a third bid decided it."""

from .analysis import MethodRanking, Reversal, WhatIf, analyse
from .shape import whatif_to_dict

__all__ = ["MethodRanking", "Reversal", "WhatIf", "analyse", "whatif_to_dict"]
