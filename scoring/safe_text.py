"""Text that is safe to print: no control character a terminal would act on.

A bidder named "\\x1b[2J\\x1b]0;pwned\\x07" must not clear the screen or retitle the window of whoever prints the
result, now or later (`cat result.txt`, `ledger show`). Every text a command prints or writes passes through
`safe_text` once, where it leaves: C0 controls but newline and tab, DEL and the C1 controls are written as
`\\u001b`-style escapes. In JSON that is the same string (JSON escapes them so), so no figure or name changes;
in text it is visible, so a person sees that something odd was in the input rather than nothing.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_text(text: str) -> str:
    """`text` with every control character but newline and tab written as a `\\u001b`-style escape."""
    return _CONTROL.sub(_escaped, text)
