"""The README's main job works on the shipped pack."""

from conftest import STOCKPORT_PACK, invoke


def test_validate_shipped_pack_is_valid() -> None:
    result = invoke("validate", STOCKPORT_PACK)
    assert result.exit_code == 0, result.output
    assert "valid: tender STK-2026-014, 6 bids, ruleset stockport@2026.2" in result.output


def test_score_shipped_pack_ranks_castle_first() -> None:
    result = invoke("score", STOCKPORT_PACK)
    assert result.exit_code == 0, result.output
    assert "Castle Infrastructure Group plc ranks first with 76.50 points." in result.output
