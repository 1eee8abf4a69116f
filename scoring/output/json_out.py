"""`score --format json`: the published shape of formats.md (scoring.published), as indented JSON."""

from __future__ import annotations

import orjson

from ..published import result_to_dict
from ..result import Result


def render_json(result: Result) -> str:
    # orjson writes exactly what json.dumps(indent=2, ensure_ascii=False) wrote (checked over every character
    # but lone surrogates, which the input models refuse), where the standard library's indenting encoder is
    # pure Python and several times slower on a batch's results.
    return orjson.dumps(result_to_dict(result), option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
