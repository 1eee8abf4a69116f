"""read_utf8 returns and raises exactly what Path.read_text(encoding="utf-8") does, for every kind of file.

Packs and rulesets are read with it (one unbuffered read) instead of read_text; the text enters decision
records and hashes, so one character of difference (a newline not translated) would change a record.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tenderscore.scoring.yamlio import read_text, read_utf8

CONTENTS = {
    "plain": b"bidder: Acme Ltd\nprice_gbp: 100\n",
    "windows newlines": b"bidder: Acme Ltd\r\nprice_gbp: 100\r\n",
    "old mac newlines": b"bidder: Acme Ltd\rprice_gbp: 100\r",
    "mixed newlines": b"a\r\n\r\rb\n\r\n\rc",
    "a lone cr at the end": b"a: 1\r",
    "byte order mark": b"\xef\xbb\xbfa: 1\n",
    "non-ascii": "bidder: Ça Café Ltd — £\r\n".encode(),
    "empty": b"",
    "large": b"x: " + b"y" * 100_000 + b"\r\n" * 3,
}


@pytest.mark.parametrize("content", CONTENTS.values(), ids=CONTENTS.keys())
def test_the_text_is_read_texts(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bid.yaml"
    path.write_bytes(content)
    assert read_utf8(path) == path.read_text(encoding="utf-8")


def test_newlines_are_translated_as_text_mode_does(tmp_path: Path) -> None:
    path = tmp_path / "bid.yaml"
    path.write_bytes(b"a\r\nb\rc\n")
    # \r\n -> \n, then the lone \r -> \n: three lines.
    assert read_utf8(path) == "a\nb\nc\n"


@pytest.mark.parametrize("offset", [0, 5, 9000, 70_000])
def test_a_bad_byte_is_reported_at_the_same_offset(offset: int, tmp_path: Path) -> None:
    path = tmp_path / "bid.yaml"
    path.write_bytes(b"a" * offset + b"\xff" + b"\r\nrest")
    with pytest.raises(UnicodeDecodeError) as expected:
        path.read_text(encoding="utf-8")
    with pytest.raises(UnicodeDecodeError) as got:
        read_utf8(path)
    assert got.value.start == expected.value.start == offset
    problem = read_text(path, "r.yaml")[1]
    # issue 13, item 7: the byte is named by line and column (all on line 1 here), with how to fix the file.
    assert str(problem) == (
        f"r.yaml: line 1, column {offset + 1}: expected UTF-8 text, found the byte 0xFF (in Windows-1252, 'ÿ'): "
        'save the file as UTF-8 (in Excel: File > Save As > "CSV UTF-8")'
    )


def test_missing_files_and_folders_raise_as_read_text_does(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.yaml", tmp_path):
        with pytest.raises(OSError) as expected:
            path.read_text(encoding="utf-8")
        with pytest.raises(OSError) as got:
            read_utf8(path)
        assert (type(got.value), got.value.strerror) == (type(expected.value), expected.value.strerror)
