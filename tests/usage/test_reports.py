"""Partners' usage reports: every line checked, errors by file line, accepted whole or refused whole."""

from __future__ import annotations

import codecs
import hashlib
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from identity.models import User
from ledger.usage import reports
from ledger.usage.errors import PeriodNotFound, PeriodNotOpen, UsageReportInvalid
from ledger.usage.models import UsageReport, UsageReportLine
from tests.usage.factories import CHAIN_ID, add_period, add_recording

HEADER = "isrc,territory,usage_count,net_revenue,currency"


def _csv(*lines: str, newline: str = "\n") -> bytes:
    return newline.join([HEADER, *lines]).encode() + newline.encode()


def _errors(data: bytes, currency: str = "USD") -> list[tuple[int, str]]:
    return [(e.line, e.field) for e in reports.parse_report(data, currency).errors]


@pytest.fixture
def partner(db_session) -> uuid.UUID:
    user = User(id=uuid.uuid4(), email=f"label-{uuid.uuid4().hex[:8]}@example.com", roles=["partner"])
    db_session.add(user)
    db_session.flush()
    return user.id


@pytest.fixture
def catalogue(db_session):
    add_recording(db_session, 1, "USRC17607839")
    add_recording(db_session, 2, "USHRM2600002")
    add_recording(db_session, 3, "T0345246801", kind="work")
    add_period(db_session, 1, "closed")
    add_period(db_session, 2, "open")


def _submit(db, owner, data: bytes, period_id: int = 2, filename: str | None = "label-2026-02.csv"):
    return reports.submit_report(db, period_id=period_id, owner_id=owner, key_id=None, chain_id=CHAIN_ID,
                                 currency="USD", data=data, filename=filename)


def _counts(db) -> tuple[int, int]:
    return (db.scalar(select(func.count()).select_from(UsageReport)),
            db.scalar(select(func.count()).select_from(UsageReportLine)))


def test_a_bom_crlf_and_quoted_fields_are_read_and_values_normalised():
    data = codecs.BOM_UTF8 + _csv('"US-RC1-76-07839",us,1200,4380,usd', "", " USHRM2600002 , DE , 7 , 0 , USD ",
                                  newline="\r\n")
    parsed = reports.parse_report(data, "USD")
    assert parsed.errors == []
    assert parsed.lines == [reports.ReportLine(2, "USRC17607839", "US", 1200, 4380, "USD"),
                            reports.ReportLine(4, "USHRM2600002", "DE", 7, 0, "USD")]  # the blank line 3 is skipped


@pytest.mark.parametrize(("line", "field"), [
    ("USRC1760783,US,1,1,USD", "isrc"), ("USRC17607839,XX,1,1,USD", "territory"),
    ("USRC17607839,USA,1,1,USD", "territory"), ("USRC17607839,US,0,1,USD", "usage_count"),
    ("USRC17607839,US,-3,1,USD", "usage_count"), ("USRC17607839,US,1.5,1,USD", "usage_count"),
    ("USRC17607839,US,1,12.34,USD", "net_revenue"), ("USRC17607839,US,1,-1,USD", "net_revenue"),
    ("USRC17607839,US,1,+5,USD", "net_revenue"), ("USRC17607839,US,1,\"1,234\",USD", "net_revenue"),
    ("USRC17607839,US,1,1e3,USD", "net_revenue"), ("USRC17607839,US,1,١٢,USD", "net_revenue"),
    ("USRC17607839,US,1,9223372036854775808,USD", "net_revenue"), ("USRC17607839,US,1,1,EUR", "currency"),
    ("USRC17607839,US,1,1", ""), ("USRC17607839,US,1,1,USD,extra", "")])
def test_each_bad_value_is_named_with_its_line(line, field):
    assert _errors(_csv("USHRM2600002,US,1,1,USD", line)) == [(3, field)]


def test_every_error_of_every_line_is_listed_in_line_order():
    data = _csv("bad-isrc,ZZ,0,1.00,EUR", "USRC17607839,US,5,100,USD", "USRC17607839,us,5,100,USD")
    assert _errors(data) == [(2, "isrc"), (2, "territory"), (2, "usage_count"), (2, "net_revenue"),
                             (2, "currency"), (4, "territory")]
    duplicate = reports.parse_report(data, "USD").errors[-1]
    assert duplicate.message == "USRC17607839 in US is already reported on line 3"
    eur = reports.parse_report(_csv("USRC17607839,US,5,100,EUR"), "USD").errors[0]
    assert "currency must be USD" in eur.message and "'EUR'" in eur.message


def test_a_wrong_header_an_empty_report_and_bytes_that_are_not_utf8_are_refused():
    assert _errors(b"isrc;territory;usage_count;net_revenue;currency\nUSRC17607839;US;1;1;USD\n") == [(1, "header")]
    assert _errors(b"") == [(1, "header")]
    assert _errors(_csv()) == [(1, "")]
    assert _errors(_csv("USRC17607839,US,1,1,USD") + b"USHRM2600002,DE,1,1,US\xff\n") == [(3, "")]


def test_an_accepted_report_is_stored_whole_with_file_line_numbers(db_session, partner, catalogue):
    report, created = _submit(db_session, partner, _csv("US-RC1-76-07839,US,1200,4380,USD",
                                                        "USHRM2600002,DE,310,1022,USD", "USRC17607839,JP,3,0,USD"))
    assert created
    assert (report.period_id, report.line_count, report.total_usage, report.total_net_revenue, report.currency) \
        == (2, 3, 1513, 5402, "USD")
    assert report.owner_id == partner and report.filename == "label-2026-02.csv" and report.chain_id == CHAIN_ID
    lines = db_session.execute(select(UsageReportLine.line_no, UsageReportLine.isrc, UsageReportLine.asset_id,
                                      UsageReportLine.territory, UsageReportLine.usage_count,
                                      UsageReportLine.net_revenue)
                               .where(UsageReportLine.report_id == report.id).order_by(UsageReportLine.line_no)).all()
    assert lines == [(2, "USRC17607839", 1, "US", 1200, 4380), (3, "USHRM2600002", 2, "DE", 310, 1022),
                     (4, "USRC17607839", 1, "JP", 3, 0)]
    assert reports.reported_usage_per_asset(db_session, 2) == {1: (1203, 4380), 2: (310, 1022)}
    assert reports.reports_of(db_session, partner, 2) == [report]


def test_a_report_with_bad_lines_is_refused_whole_and_writes_nothing(db_session, partner, catalogue):
    before = _counts(db_session)
    data = _csv("USRC17607839,US,1200,4380,USD", "USHRM2699999,US,1,1,USD", "T-034.524.680-1,US,1,1,USD",
                "USHRM2600002,DE,-1,10.22,USD", "USHRM2699998,FR,2,2,EUR")
    with pytest.raises(UsageReportInvalid) as refused:
        _submit(db_session, partner, data)
    problem = refused.value.problem()
    assert problem["status"] == 422 and problem["error_count"] == 6 and not problem["errors_truncated"]
    assert [(e["line"], e["field"]) for e in problem["errors"]] == [
        (3, "isrc"), (4, "isrc"), (5, "usage_count"), (5, "net_revenue"), (6, "isrc"), (6, "currency")]
    assert problem["errors"][0]["message"] == "USHRM2699999 is not a registered recording"
    assert "4 line(s)" in problem["detail"]
    assert _counts(db_session) == before


def test_at_most_1000_errors_are_listed(db_session, partner, catalogue):
    data = _csv(*(f"USRC17607839,US,{n},x,USD" for n in range(1, 1501)))
    with pytest.raises(UsageReportInvalid) as refused:
        _submit(db_session, partner, data)
    problem = refused.value.problem()
    assert (len(problem["errors"]), problem["error_count"], problem["errors_truncated"]) == (1000, 1500, True)
    assert problem["errors"][-1]["line"] == 1001


def test_the_same_file_again_is_the_same_report(db_session, partner, catalogue):
    data = _csv("USRC17607839,US,1200,4380,USD")
    first, created = _submit(db_session, partner, data)
    again, created_again = _submit(db_session, partner, data, filename="retry.csv")
    assert (created, created_again, again.id, again.filename) == (True, False, first.id, "label-2026-02.csv")
    assert bytes(first.sha256) == hashlib.sha256(data).digest()
    assert _counts(db_session)[1] == 1
    other, created_other = _submit(db_session, partner, _csv("USRC17607839,DE,1,1,USD"))
    assert created_other and other.id != first.id  # another file is another report
    assert reports.reported_usage_per_asset(db_session, 2) == {1: (1201, 4381)}


def test_only_an_open_period_takes_reports(db_session, partner, catalogue):
    with pytest.raises(PeriodNotOpen, match="period 1 is closed; report in the current period") as refused:
        _submit(db_session, partner, _csv("USRC17607839,US,1,1,USD"), period_id=1)
    assert refused.value.extra["current_period_id"] == 2
    with pytest.raises(PeriodNotFound):
        _submit(db_session, partner, _csv("USRC17607839,US,1,1,USD"), period_id=99)
    assert _counts(db_session) == (0, 0)


@given(st.binary(max_size=400) | st.text(alphabet=st.sampled_from(list(',"\r\n\x00 \ufeffUSRC1760783901-.xé')),
                                          max_size=200).map(lambda t: (HEADER + "\n" + t).encode()))
@settings(max_examples=300, deadline=None)
def test_any_bytes_give_lines_or_errors_never_an_exception(data):
    parsed = reports.parse_report(data, "USD")
    assert parsed.lines or parsed.errors
    assert all(error.line >= 1 for error in parsed.errors)
    assert all(line.line_no >= 2 and line.usage_count >= 1 and line.net_revenue >= 0 for line in parsed.lines)
