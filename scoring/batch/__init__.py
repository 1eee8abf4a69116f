"""Many packs (and many decision records) at once, in worker processes, with outcomes in the order given.

`runner` runs tasks in worker processes and isolates one that kills its worker; `packs` finds and scores
packs and writes their results; `records` replays or verifies decision records. The command line's side
(options, progress bar, summary tables) is `scoring.cli.batching`: nothing here prints.
"""
