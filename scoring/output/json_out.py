"""`score --format json`: the published shape of formats.md (scoring.published), as indented JSON."""

from __future__ import annotations

import json

from scoring.published import result_to_dict
from scoring.result import Result


def render_json(result: Result) -> str:
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
