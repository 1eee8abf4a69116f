"""The README's example output, as a newcomer reads it: `python tests/readme_example.py score` prints the block the
README says `tenderscore score fixtures/stockport-highways` prints (.ci/run compares a fresh install against it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def printed_block(command: str) -> str:
    """The first ```text block after the ```sh block whose command line ends with `tenderscore <command> ...`."""
    text = README.read_text(encoding="utf-8")
    pattern = rf"```sh\n[^`]*tenderscore {re.escape(command)}[^\n`]*\n```\n[^`]*?```text\n(.*?)```"
    found = re.search(pattern, text, re.S)
    if found is None:
        raise SystemExit(f"README.md: no ```text block follows a `tenderscore {command}` command")
    return found.group(1)


if __name__ == "__main__":
    sys.stdout.write(printed_block(" ".join(sys.argv[1:]) or "score"))
