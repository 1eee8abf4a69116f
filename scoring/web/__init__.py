"""The browser application for evaluation panels: officers, evaluators, moderators and auditors, per tender.

It is the top layer, like the command line: packs are read and checked by scoring.pack, sheets are written and
read by scoring.panel, tenders are scored by scoring.evaluate and recorded by scoring.audit. The app keeps what a
pack holds (its files, the evaluators' sheets in the CSV layout `panel sheets --format csv` writes, the moderated
scores.csv) so that a pack downloaded from it is one the command line reads, and its decision records are the
command line's own.
"""
