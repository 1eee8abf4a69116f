"""`measures import`: a council's TOMs table becomes a new ruleset version that scores exactly as its proxies say."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import STOCKPORT_PACK, invoke
from tenderscore import rulesets
from tenderscore.scoring.ruleset import load_ruleset_file, resolve_ruleset


def shipped_table() -> str:
    """The Stockport catalogue as a council would hand it over: a CSV with a title column too."""
    rows = ["code,theme,unit,proxy_gbp,title,source"]
    for m in resolve_ruleset("stockport").model.measures:
        rows.append(f'{m.code},{m.theme},{m.unit},{m.proxy_gbp},"{m.title}","{m.source}"')
    return "\n".join(rows) + "\n"


def licensed_table() -> str:
    # The council's licence values: NT1 local employment £15,000.00 per FTE-year (was £12,654.00) and
    # STK-ENV-1 carbon avoided £250.00 per tonne (was £69.00); everything else as shipped.
    table = shipped_table()
    table = table.replace("NT1,jobs,FTE-year,12654.00,", "NT1,jobs,FTE-year,15000.00,")
    table = table.replace("STK-ENV-1,environment,tonnes CO2e,69.00,", "STK-ENV-1,environment,tonnes CO2e,250.00,")
    assert table.count("15000.00") == 1 and table.count(",250.00,") == 1
    return table


def score_json(pack: Path) -> dict[str, Any]:
    result = invoke("score", pack, "--format", "json", "--no-ledger")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_an_imported_table_changes_the_shipped_pack_exactly_as_its_proxies_imply(tmp_path: Path) -> None:
    table = tmp_path / "toms.csv"
    table.write_text(licensed_table(), encoding="utf-8")
    pack = tmp_path / "pack"
    shutil.copytree(STOCKPORT_PACK, pack)
    result = invoke("measures", "import", table, "--ruleset", "stockport", "--output", pack / "council.yaml")
    assert result.exit_code == 0, result.output
    assert "    NT1: £12,654.00 -> £15,000.00" in result.stdout
    assert "    STK-ENV-1: £69.00 -> £250.00" in result.stdout
    tender = (pack / "tender.yaml").read_text(encoding="utf-8")
    (pack / "tender.yaml").write_text(tender.replace("ruleset: stockport@2026.1", "ruleset: ./council.yaml"))

    before = {b["bid_id"]: b for b in score_json(STOCKPORT_PACK)["bids"]}
    after_data = score_json(pack)
    after = {b["bid_id"]: b for b in after_data["bids"]}
    assert after_data["ruleset"]["version"].startswith("2026.1+import.")

    acme = after["acme"]["social_value"]
    # Acme's jobs: NT1 6 × £15,000 = £90,000.00 + NT8 12 × £32 = £384.00 + STK-JOB-1 2 × £13,500 = £27,000.00
    # = £117,384.00 (was £103,308.00 with NT1 at £12,654).
    assert acme["themes"]["jobs"]["gbp"] == "117384.00"
    # The best jobs value is Castle's: NT1 10 × £15,000 + STK-JOB-3 2 × £22,400 + NT7 400 × £32
    # = 150,000 + 44,800 + 12,800 = £207,600.00; Acme's jobs points 6 × 117,384 / 207,600 = 3.3926 -> 3.39.
    assert after["castle"]["social_value"]["themes"]["jobs"]["gbp"] == "207600.00"
    assert acme["themes"]["jobs"]["points"] == "3.39"
    # Acme's environment: STK-ENV-1 40 t × £250 = £10,000.00, now the best (Castle's STK-ENV-3 is still
    # 120 × £69 = £8,280.00): Acme 2.00, Castle 2 × 8,280 / 10,000 = 1.656 -> 1.66.
    assert acme["themes"]["environment"] == {"gbp": "10000.00", "points": "2.00"}
    assert after["castle"]["social_value"]["themes"]["environment"]["points"] == "1.66"
    # Acme's social value: 3.39 + growth 0.50 + social 1.29 + environment 2.00 + innovation 0.00 + SV1 3.00 = 10.18;
    # its total: price 29.91 + quality 32.00 + 10.18 = 72.09 (was 70.74).
    assert acme["points"] == "10.18"
    assert after["acme"]["total"] == "72.09"
    # Its social value in pounds: 259,908.00 + (90,000 − 75,924) + (10,000 − 2,760) = 281,224.00.
    assert acme["total_gbp"] == "281224.00"
    # Brennan: jobs NT1 4 × 15,000 + STK-JOB-2 52 × 1,404 = 133,008.00 -> 6 × 133,008 / 207,600 = 3.84;
    # environment 2 × 5,899.50 / 10,000 = 1.18; SV 3.84 + 0.73 + 1.69 + 1.18 + 4.00 = 11.44; total 31.42 + 27.00
    # + 11.44 = 69.86.
    assert after["brennan"]["total"] == "69.86"
    # Castle: 6.00 + 0.20 + 3.00 + 1.66 + 4.00 = 14.86; 27.30 + 34.00 + 14.86 = 76.16: still first.
    assert after["castle"]["total"] == "76.16"
    assert after["castle"]["rank"] == 1
    # What the new proxies do not touch stays exactly as it was.
    for bid_id, bid in before.items():
        assert after[bid_id]["price"] == bid["price"]
        assert after[bid_id]["quality"] == bid["quality"]
        assert after[bid_id]["status"] == bid["status"]
        for theme in ("growth", "social", "innovation"):
            assert after[bid_id]["social_value"]["themes"][theme] == bid["social_value"]["themes"][theme]


def test_the_new_file_has_its_own_version_and_sha256_passes_lint_and_is_reproducible(tmp_path: Path) -> None:
    table = tmp_path / "toms.csv"
    text = licensed_table()
    table.write_text(text, encoding="utf-8")
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert invoke("measures", "import", table, "-r", "stockport", "-o", first).exit_code == 0
    assert invoke("measures", "import", table, "-r", "stockport", "-o", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    loaded = load_ruleset_file(first)
    base = resolve_ruleset("stockport")
    assert loaded.version == "2026.1+import." + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    assert loaded.sha256 != base.sha256
    # Policy, themes, outcomes, gates and rules are the base's; only the catalogue is the table's.
    for section in ("policy", "themes", "core_outcomes", "gates", "rules"):
        assert getattr(loaded.model, section) == getattr(base.model, section)
    assert loaded.measures["NT1"].proxy_gbp == base.measures["NT1"].proxy_gbp + 2346
    # Proxies are written as strings, exactly as the table gives them.
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    assert data["measures"][0] == {
        "code": "NT1",
        "theme": "jobs",
        "unit": "FTE-year",
        "proxy_gbp": "15000.00",
        "title": "Local people employed directly on the contract",
        "source": "indicative: public TOMs calculators, local employment per FTE-year",
    }
    lint = invoke("rules", "lint", first)
    assert lint.exit_code == 0
    assert lint.stdout.endswith("0 errors, 0 warnings\n")


def test_a_version_can_be_given_and_a_measure_dropped(tmp_path: Path) -> None:
    table = tmp_path / "toms.csv"
    lines = shipped_table().splitlines()
    table.write_text("\n".join(line for line in lines if not line.startswith("NT99")) + "\nNT99,jobs,hours,10,,\n")
    out = tmp_path / "council.yaml"
    result = invoke("measures", "import", table, "-r", "stockport", "-o", out, "--version", "2026.2")
    assert result.exit_code == 0, result.output
    assert "  added: NT99" in result.stdout
    assert "  removed: none" in result.stdout
    assert "  proxies changed: none" in result.stdout
    loaded = load_ruleset_file(out)
    assert loaded.version == "2026.2"
    assert str(loaded.measures["NT99"].proxy_gbp) == "10"


def test_every_bad_line_of_a_table_is_named_at_once_and_nothing_is_written(tmp_path: Path) -> None:
    table = tmp_path / "toms.csv"
    table.write_text(
        "code,theme,unit,proxy_gbp\n"
        "NT1,jobs,FTE-year,12654.00\n"  # line 2: fine
        "NT7,Jobs,hours,32.00\n"  # line 3: unknown theme (themes are lower case)
        "NT8,jobs,hours,-32.00\n"  # line 4: negative proxy
        "NT15,growth,hours,forty\n"  # line 5: not a number
        "NT1,jobs,FTE-year,13000.00\n",  # line 6: duplicate of line 2
        encoding="utf-8",
    )
    out = tmp_path / "council.yaml"
    result = invoke("measures", "import", table, "--ruleset", "stockport", "--output", out)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {table}: line 3: theme: expected one of jobs, growth, social, environment, innovation, found 'Jobs'",
        f"Error: {table}: line 4: proxy_gbp: expected a number of 0 or more, found -32.00",
        f"Error: {table}: line 5: proxy_gbp: expected a number, found 'forty'",
        f"Error: {table}: line 6: code: duplicate code 'NT1', first on line 2",
    ]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [table]  # no temporary file left behind either


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "code,theme,proxy_gbp\nNT1,jobs,1\n",
            "line 1: expected the columns code,theme,unit,proxy_gbp,[title],[source]",
        ),
        ("code,theme,unit,proxy_gbp\n", "expected at least one measure row under the header"),
        ("code,theme,unit,proxy_gbp\nNT 1,jobs,h,1\n", "line 2: code: expected letters, digits and - _ . : @ only"),
    ],
)
def test_table_shape_problems(tmp_path: Path, content: str, message: str) -> None:
    table = tmp_path / "toms.csv"
    table.write_text(content, encoding="utf-8")
    result = invoke("measures", "import", table, "-r", "stockport", "-o", tmp_path / "out.yaml")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_table_for_a_theme_the_base_does_not_score_is_refused(tmp_path: Path) -> None:
    # A base ruleset without the innovation theme: a measure under it would count towards nothing.
    text = load_ruleset_file(rulesets.SHIPPED_DIR / "ppn002.yaml").text
    for old, new in (
        ("  innovation: {number: 5, title: Promoting new ideas and community initiatives}\n", ""),
        ("[jobs, growth, innovation]", "[jobs, growth]"),
        ("[environment, innovation]", "[environment]"),
    ):
        assert old in text
        text = text.replace(old, new)
    base = tmp_path / "no-innovation.yaml"
    base.write_text(text, encoding="utf-8")
    table = tmp_path / "toms.csv"
    table.write_text("code,theme,unit,proxy_gbp\nNT1,innovation,FTE,1\n", encoding="utf-8")
    result = invoke("measures", "import", table, "-r", base, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 2
    assert "line 2: theme: expected one of jobs, growth, social, environment, found 'innovation'" in result.stderr
