"""Tools for rulesets as a product: listing, linting, test cases, measure catalogues and imports.

Nothing is imported here, so a command loads only the tools it uses: each module is imported by its own name.
(durable-rules' network and limits are the engine's: engine.limits.)
"""
