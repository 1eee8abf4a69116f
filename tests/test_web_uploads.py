"""Bad uploads get the pack's own error messages in the page's error summary, every one at once, and leave
nothing stored: a broken pack, a zip with `../` paths, an oversized file, a file that is not a zip."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, invoke
from web_support import client_for, make_user, pack_zip, upload

BROKEN = FIXTURES / "broken" / "several-problems"


@pytest.fixture
def officer(web: Path) -> Any:
    return client_for(make_user("officer"))


def stored() -> tuple[int, int, int]:
    from tenderscore.scoring.web.models import Action, PackFile, Tender

    return Tender.objects.count(), PackFile.objects.count(), Action.objects.count()


def summary(response: Any) -> list[str]:
    page = response.content.decode()
    box = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S)
    assert box is not None, page[:2000]
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li>(.*?)</li>", box[1], re.S)]


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_broken_pack_lists_every_problem_the_validator_finds(officer: Any) -> None:
    before = stored()
    response = upload(officer, pack_zip(BROKEN), "several-problems.zip")
    assert response.status_code == 200
    shown = summary(response)
    validate = invoke("validate", BROKEN)
    assert validate.exit_code == 2
    # The validator's own messages, file by file; scores.csv is set aside by the app (the panel scores here).
    expected = [
        line.removeprefix("Error: ").replace(str(BROKEN), "several-problems")
        for line in validate.stderr.splitlines()
        if "scores.csv" not in line
    ]
    assert len(expected) == 5
    assert sorted(shown) == sorted(expected)
    assert all('href="#id_pack"' in response.content.decode() for _ in expected)
    assert stored() == before


def test_zip_slip_is_refused_and_nothing_is_written(officer: Any, tmp_path: Path) -> None:
    before = stored()
    # Other tests' packs may hold a bids/evil.yaml of their own: only a new one would be this upload's.
    evil_before = set(tmp_path.parent.glob("**/evil.yaml"))
    entries = {"pack/tender.yaml": b"id: X\n", "pack/../../evil.yaml": b"x: 1\n", "/etc/evil.yaml": b"x: 1\n"}
    response = upload(officer, zip_of(entries), "slip.zip")
    shown = summary(response)
    assert shown == [
        "slip.zip/pack/../../evil.yaml: refused: the path leads outside the pack",
        "slip.zip//etc/evil.yaml: refused: the path leads outside the pack",
    ]
    assert stored() == before
    assert set(tmp_path.parent.glob("**/evil.yaml")) == evil_before


def test_oversized_file_is_refused(officer: Any) -> None:
    before = stored()
    big = b"# padding\n" * 300_000  # 3,000,000 bytes: over the 2 MiB limit for one file
    response = upload(officer, pack_zip(extra={"stockport-panel/bids/huge.yaml": big}), "big.zip")
    assert summary(response) == [
        "big.zip/stockport-panel/bids/huge.yaml: too large: expected at most 2097152 bytes, found 3000000"
    ]
    assert stored() == before


def test_not_a_zip_and_a_loose_file_of_the_wrong_kind(officer: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = stored()
    assert summary(upload(officer, b"not a zip", "pack.zip")) == ["pack.zip: expected a zip file, found something else"]
    files = [SimpleUploadedFile("notes.txt", b"x"), SimpleUploadedFile("tender.yaml", b"id: [")]
    shown = summary(officer.post("/tenders/new/", {"pack": files}))
    assert shown == ["notes.txt: expected tender.yaml, bid files (.yaml, .yml, .json) or a zip"]
    assert stored() == before


def test_a_good_upload_of_loose_files_is_stored_whole(officer: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tenderscore.scoring.web.models import Tender

    pack = FIXTURES / "stockport-panel"
    files = [
        SimpleUploadedFile(p.name, p.read_bytes()) for p in [pack / "tender.yaml", *sorted((pack / "bids").iterdir())]
    ]
    response = officer.post("/tenders/new/", {"pack": files})
    assert response.status_code == 302
    tender = Tender.objects.latest("pk")
    assert sorted(f.name for f in tender.files.all()) == [
        "bids/northway.yaml",
        "bids/peak.yaml",
        "bids/tame.yaml",
        "tender.yaml",
    ]
