import pytest

from ledger.identifiers import (
    InvalidIndustryCode,
    iswc_check_digit,
    normalize_isrc,
    normalize_iswc,
    onchain_code,
)


@pytest.mark.parametrize(("written", "compact"), [
    ("T-034.524.680-1", "T0345246801"),  # the ISO 15707 example
    ("T-345.246.800-3", "T3452468003"),
    ("t0000000010", "T0000000010"),
])
def test_valid_iswcs_normalize(written, compact):
    assert normalize_iswc(written) == compact


def test_check_digit_is_verified():
    assert iswc_check_digit("034524680") == 1
    with pytest.raises(InvalidIndustryCode, match="check digit") as info:
        normalize_iswc("T-034.524.680-2")
    assert info.value.extra["field"] == "iswc"


@pytest.mark.parametrize("bad", ["", "T12345", "X0345246801", "T03452468011", "T-034.524.68A-1"])
def test_malformed_iswcs_are_refused(bad):
    with pytest.raises(InvalidIndustryCode):
        normalize_iswc(bad)


@pytest.mark.parametrize(("written", "compact"), [("US-RC1-76-07839", "USRC17607839"),
                                                  ("gbaym0000001", "GBAYM0000001")])
def test_valid_isrcs_normalize(written, compact):
    assert normalize_isrc(written) == compact


@pytest.mark.parametrize("bad", ["US-RC1-76-0783", "1SRC17607839", "USRC1760783X", "US_RC17607839"])
def test_malformed_isrcs_are_refused(bad):
    with pytest.raises(InvalidIndustryCode) as info:
        normalize_isrc(bad, field="recording.isrc")
    assert info.value.extra["field"] == "recording.isrc"


def test_onchain_code_pads_iswcs():
    assert onchain_code("T0345246801") == b"T0345246801\0"
    assert onchain_code("USRC17607839") == b"USRC17607839"
