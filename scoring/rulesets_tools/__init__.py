"""Tools for rulesets as a product: listing, linting, test cases, measure catalogues and imports.

Nothing is imported here: `scoring.ruleset` uses `network` while loading, and the other modules import
`scoring.ruleset`, so each module is imported by its own name.
"""
