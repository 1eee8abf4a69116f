"""The pack format reference is in the repository (issue 13, item 11): docs/formats.md names every field the
models read, its examples validate, and the README links it rather than a file outside the repository."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, STOCKPORT_PACK, invoke
from pydantic import BaseModel
from tenderscore.scoring import models

FORMATS = ROOT / "docs" / "formats.md"
MODELS = [
    models.Tender,
    models.Weights,
    models.PriceSpec,
    models.Quality,
    models.Question,
    models.SocialValueSpec,
    models.Exemption,
    models.Evaluator,
    models.Bid,
    models.Commitment,
    models.Contact,
]


def _documented_rows() -> set[str]:
    """The first cell of every table row in the reference, without its backticks: `quality.method` and the like."""
    text = FORMATS.read_text(encoding="utf-8")
    return {m[1] for m in re.finditer(r"^\| `([^`]+)` \|", text, re.M)}


def test_the_readme_links_the_reference_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/formats.md)" in readme
    assert "shared/spec" not in readme
    assert FORMATS.is_file()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_of_every_model_is_in_the_reference(model: type[BaseModel]) -> None:
    # Each field has a table row of its own: `name`, or `section.name` under its parent's table. Contact's
    # fields are described in its parent's row (`contact`), where they are named as `address` and `email`.
    rows = _documented_rows()
    if model is models.Contact:
        text = FORMATS.read_text(encoding="utf-8")
        row = next(line for line in text.splitlines() if line.startswith("| `contact` |"))
        missing = [name for name in model.model_fields if f"`{name}`" not in row]
    else:
        missing = [
            name for name in model.model_fields if name not in rows and not any(r.endswith(f".{name}") for r in rows)
        ]
    assert missing == []


def test_the_examples_validate(tmp_path: Path) -> None:
    text = FORMATS.read_text(encoding="utf-8")
    tender, bid = re.findall(r"```yaml\n(.*?)```", text, re.S)[:2]
    pack = tmp_path / "pack"
    shutil.copytree(STOCKPORT_PACK, pack)
    (pack / "tender.yaml").write_text(tender, encoding="utf-8")
    (pack / "bids" / "acme.yaml").write_text(bid, encoding="utf-8")
    result = invoke("validate", pack)
    assert result.exit_code == 0, result.output
