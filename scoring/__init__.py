"""tenderscore's scoring layer: tender packs, rulesets, the arithmetic of scoring.md, results and records."""
