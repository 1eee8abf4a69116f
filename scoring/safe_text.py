"""Text that is safe to print: no control character a terminal would act on.

A bidder named "\\x1b[2J\\x1b]0;pwned\\x07" must not clear the screen or retitle the window of whoever prints the
result, now or later (`cat result.txt`, `ledger show`). Every text a command prints or writes passes through
`safe_text` once, where it leaves: C0 controls but newline and tab, DEL and the C1 controls are written as
`\\u001b`-style escapes. In JSON that is the same string (JSON escapes them so), so no figure or name changes;
in text it is visible, so a person sees that something odd was in the input rather than nothing.

Markdown is text with markup of its own: `markdown_text` and `markdown_cell` keep input from adding any, for
every output written as Markdown (`score --format markdown`, assessment summaries).
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_text(text: str) -> str:
    """`text` with every control character but newline and tab written as a `\\u001b`-style escape."""
    return _CONTROL.sub(_escaped, text)


# Markdown passes raw HTML and links through: a bidder named "<script>..." or "[x](javascript:...)" must be
# text. Entities for the HTML brackets (and an & that would start an entity), backslashes for the link brackets
# and the backslash itself; "Brennan & Shaw" stays as written.
_MARKDOWN = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]", "<": "&lt;", ">": "&gt;"})
_ENTITY = re.compile(r"&(?=#?\w+;)")


def markdown_text(text: str) -> str:
    return _ENTITY.sub("&amp;", text).translate(_MARKDOWN)


def markdown_cell(text: str) -> str:
    # A bidder called "Acme | Sons" must not add a column and shift every figure after it.
    return markdown_text(text).replace("|", "\\|")
