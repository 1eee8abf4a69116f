"""scores.csv as Excel saves it ("CSV UTF-8": a byte order mark and CRLF line ends) reads like any other."""

from pathlib import Path

from conftest import all_scores, basic_bid, basic_tender, invoke, load_json


def test_scores_csv_saved_by_excel_scores_the_same(make_pack, tmp_path: Path) -> None:
    bids = {"a": basic_bid("A Ltd", "100000.00"), "b": basic_bid("B Ltd", "80000.00")}
    plain = make_pack(basic_tender(), bids, all_scores(["a", "b"]))
    excel = make_pack(basic_tender(), bids, all_scores(["a", "b"]))
    text = (excel / "scores.csv").read_text(encoding="utf-8")
    (excel / "scores.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))

    first = invoke("score", plain, "--format", "json", "--no-ledger")
    second = invoke("score", excel, "--format", "json", "--no-ledger")

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    # Same bids, same scores: b is cheapest, so 40 × 80000/80000 = 40.00 price points; a gets 40 × 0.8 = 32.00.
    assert load_json(second.stdout)["bids"] == load_json(first.stdout)["bids"]
    prices = {b["bid_id"]: b["price"]["points"] for b in load_json(second.stdout)["bids"]}
    assert prices == {"a": "32.00", "b": "40.00"}
