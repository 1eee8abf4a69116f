"""A misspelt field is reported with the field the user most likely meant, at any depth of the file."""

from conftest import all_scores, basic_bid, basic_tender, invoke


def test_typos_name_the_field_meant(make_pack) -> None:
    tender = basic_tender()
    tender["quality"]["scale_mx"] = tender["quality"].pop("scale_max")
    tender["quality"]["questions"][0]["wieght"] = tender["quality"]["questions"][0].pop("weight")
    tender["gatez"] = tender.pop("gates")
    bid = basic_bid("A Ltd", "100000.00", [{"measure": "NT1", "qty": 2}])
    bid["fact"] = {"sme": True}
    pack = make_pack(tender, {"a": bid}, all_scores(["a"]))

    result = invoke("validate", pack)

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert f"Error: {pack}/tender.yaml: quality.scale_mx: unknown field; did you mean scale_max?" in lines
    assert f"Error: {pack}/tender.yaml: quality.questions[0].wieght: unknown field; did you mean weight?" in lines
    assert f"Error: {pack}/tender.yaml: gatez: unknown field; did you mean gates?" in lines
    assert f"Error: {pack}/bids/a.yaml: fact: unknown field; did you mean facts?" in lines
    # Nothing close enough to guess: the allowed fields are listed instead.
    assert (
        f"Error: {pack}/bids/a.yaml: commitments[0].qty: unknown field; expected one of measure, quantity, note"
        in lines
    )
