"""Partners' usage reports: one CSV per period, validated line by line, accepted whole or refused whole.

Format (UTF-8, a byte-order mark and CRLF line ends allowed; fields may be quoted):

    isrc,territory,usage_count,net_revenue,currency
    US-RC1-76-07839,US,1200,4380,USD

The header is line 1, so data starts at line 2; line numbers in errors and in `usage_report_lines.line_no` are
lines of the file. `isrc`: a registered recording (separators allowed). `territory`: ISO 3166-1 alpha-2.
`usage_count`: a whole number ≥ 1. `net_revenue`: a whole number ≥ 0 in the currency's smallest unit (4380 is
43.80 USD). `currency`: the payout currency. One line per ISRC and territory.

Services flush but never commit: the request owns the transaction.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import String, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from ledger.identifiers import InvalidIndustryCode, normalize_isrc
from ledger.models import Asset
from ledger.royalties.models import PeriodStatus, RoyaltyPeriod
from ledger.usage.errors import PeriodNotFound, PeriodNotOpen, UsageReportInvalid, UsageReportNotFound
from ledger.usage.models import UsageReport, UsageReportLine
from ledger.usage.territories import TERRITORIES

HEADER = ("isrc", "territory", "usage_count", "net_revenue", "currency")
MAX_LISTED_ERRORS = 1000
_BIGINT_MAX = 2**63 - 1
_ISRC_COMPACT = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")
_DIGITS = re.compile(r"[0-9]+")  # ASCII digits only: no sign, decimal point, separator or exponent
_REVENUE_HINT = (" in the currency's smallest unit (1234 for 12.34), without sign, decimal point or thousands "
                 "separator")


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message: str


@dataclass(frozen=True)
class ReportLine:
    line_no: int
    isrc: str
    territory: str
    usage_count: int
    net_revenue: int
    currency: str


@dataclass
class ParsedReport:
    lines: list[ReportLine]  # the valid data lines
    errors: list[LineError]
    isrcs: list[tuple[int, str]]  # (line, ISRC) of every line whose ISRC is well formed, to look up


def _whole_number(raw: str, field: str, minimum: int, hint: str = "") -> int | LineError:
    """The number, or what is wrong with it (the line number is filled in by the caller)."""
    if not _DIGITS.fullmatch(raw):
        return LineError(0, field, f"{field} must be a whole number{hint}, digits only; got {raw[:40]!r}")
    value = int(raw)
    if value < minimum:
        return LineError(0, field, f"{field} must be at least {minimum}; got {value}")
    if value > _BIGINT_MAX:
        return LineError(0, field, f"{field} is too large (at most {_BIGINT_MAX})")
    return value


def _isrc(raw: str) -> str | LineError:
    if _ISRC_COMPACT.fullmatch(raw):  # the usual case, already normalised
        return raw
    try:
        return normalize_isrc(raw)
    except InvalidIndustryCode as err:
        return LineError(0, "isrc", f"{err.detail}; got {raw[:40]!r}")


def _line(line_no: int, row: list[str], currency: str, report: ParsedReport) -> ReportLine | None:
    isrc_raw, territory_raw, usage_raw, revenue_raw, currency_raw = row
    isrc = _isrc(isrc_raw.strip())
    territory = territory_raw.strip().upper()
    usage = _whole_number(usage_raw.strip(), "usage_count", 1)
    revenue = _whole_number(revenue_raw.strip(), "net_revenue", 0, _REVENUE_HINT)
    if territory not in TERRITORIES:
        territory = LineError(0, "territory", "territory must be an ISO 3166-1 alpha-2 country code (US, DE, JP, "
                                              f"…); got {territory_raw.strip()[:40]!r}")
    reported_currency = currency_raw.strip().upper()
    if reported_currency != currency:
        reported_currency = LineError(0, "currency", f"currency must be {currency}, the payout currency; got "
                                                     f"{currency_raw.strip()[:40]!r} (convert before reporting)")
    checked = (isrc, territory, usage, revenue, reported_currency)  # in the header's order
    if isinstance(isrc, str):
        report.isrcs.append((line_no, isrc))
    errors = [LineError(line_no, e.field, e.message) for e in checked if isinstance(e, LineError)]
    if errors:
        report.errors += errors
        return None
    return ReportLine(line_no, isrc, territory, usage, revenue, currency)


def parse_report(data: bytes, currency: str) -> ParsedReport:
    """Every data line of the CSV and every error found, by line (nothing is looked up in the database)."""
    report = ParsedReport([], [], [])
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as err:
        report.errors.append(LineError(data.count(b"\n", 0, err.start) + 1, "", "the report is not UTF-8 text"))
        return report
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    first_of: dict[tuple[str, str], int] = {}
    try:
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != list(HEADER):
            report.errors.append(LineError(1, "header", f"the first line must be the header {','.join(HEADER)}"))
            return report
        for row in reader:
            line_no = reader.line_num
            if not row:
                continue  # a blank line
            if len(row) != len(HEADER):
                report.errors.append(LineError(line_no, "", f"expected {len(HEADER)} fields "
                                                            f"({','.join(HEADER)}), got {len(row)}"))
                continue
            line = _line(line_no, row, currency, report)
            if line is None:
                continue
            first = first_of.setdefault((line.isrc, line.territory), line_no)
            if first != line_no:
                report.errors.append(LineError(line_no, "territory", f"{line.isrc} in {line.territory} is "
                                                                     f"already reported on line {first}"))
                continue
            report.lines.append(line)
    except csv.Error as err:
        report.errors.append(LineError(reader.line_num, "", f"not readable as CSV: {err}"))
    if not report.lines and not report.errors:
        report.errors.append(LineError(1, "", "the report has no data lines (data starts on line 2)"))
    return report


def _assets_by_isrc(db: Session, chain_id: int, isrcs: set[str]) -> dict[str, int]:
    if not isrcs:
        return {}
    codes = literal(sorted(isrcs), ARRAY(String(12)))  # one array parameter, however many lines
    rows = db.execute(select(Asset.industry_code, Asset.asset_id).where(
        Asset.chain_id == chain_id, Asset.kind == "recording", Asset.industry_code == any_(codes)))
    return dict(rows.all())


def _open_period(db: Session, period_id: int) -> RoyaltyPeriod:
    """The period, share-locked: a close that sets it `closing` waits for this report's commit."""
    period = db.get(RoyaltyPeriod, period_id, with_for_update={"read": True})
    if period is None:
        raise PeriodNotFound(f"no royalty period {period_id}", period_id=period_id)
    return period


def _refuse_closed(db: Session, period: RoyaltyPeriod) -> None:
    if period.status == PeriodStatus.open.value:
        return
    current = db.scalar(select(func.max(RoyaltyPeriod.period_id)).where(
        RoyaltyPeriod.status == PeriodStatus.open.value))
    hint = f" (period {current})" if current is not None else ""
    raise PeriodNotOpen(f"period {period.period_id} is {period.status}; report in the current period{hint}",
                        period_id=period.period_id, current_period_id=current)


def _existing(db: Session, owner_id: uuid.UUID, period_id: int, digest: bytes) -> UsageReport | None:
    return db.scalar(select(UsageReport).where(UsageReport.owner_id == owner_id,
                                               UsageReport.period_id == period_id, UsageReport.sha256 == digest))


def _refuse_invalid(errors: list[LineError]) -> None:
    errors.sort(key=lambda e: (e.line, HEADER.index(e.field) if e.field in HEADER else -1))
    bad_lines = len({e.line for e in errors})
    raise UsageReportInvalid(
        f"the report is refused: {len(errors)} error(s) on {bad_lines} line(s); nothing was recorded",
        errors=[asdict(e) for e in errors[:MAX_LISTED_ERRORS]], error_count=len(errors),
        errors_truncated=len(errors) > MAX_LISTED_ERRORS)


def _copy_lines(db: Session, report_id: uuid.UUID, lines: list[ReportLine], asset_ids: dict[str, int]) -> None:
    """COPY on the session's own connection (inside its transaction): 100k lines in well under a second."""
    columns = "report_id, line_no, isrc, asset_id, territory, usage_count, net_revenue, currency"
    raw = db.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY usage_report_lines ({columns}) FROM STDIN") as copy:
        for line in lines:
            copy.write_row((report_id, line.line_no, line.isrc, asset_ids[line.isrc], line.territory,
                            line.usage_count, line.net_revenue, line.currency))


def submit_report(db: Session, *, period_id: int, owner_id: uuid.UUID, key_id: uuid.UUID | None, chain_id: int,
                  currency: str, data: bytes, filename: str | None = None) -> tuple[UsageReport, bool]:
    """Record a partner's report for an open period, whole, or refuse it whole.

    Returns (report, created): the same bytes again for the same period return the first report unchanged.
    PeriodNotFound (404), PeriodNotOpen (409), UsageReportInvalid (422, with every line error).
    """
    period = _open_period(db, period_id)
    digest = hashlib.sha256(data).digest()
    existing = _existing(db, owner_id, period_id, digest)
    if existing is not None:
        return existing, False
    _refuse_closed(db, period)
    parsed = parse_report(data, currency)
    asset_ids = _assets_by_isrc(db, chain_id, {isrc for _, isrc in parsed.isrcs})
    errors = parsed.errors + [LineError(line_no, "isrc", f"{isrc} is not a registered recording")
                              for line_no, isrc in parsed.isrcs if isrc not in asset_ids]
    lines = parsed.lines
    if errors:
        _refuse_invalid(errors)
    report_id = uuid.uuid4()
    inserted = db.scalar(insert(UsageReport).values(
        id=report_id, period_id=period_id, owner_id=owner_id, key_id=key_id, chain_id=chain_id, filename=filename,
        sha256=digest, line_count=len(lines), total_usage=sum(line.usage_count for line in lines),
        total_net_revenue=sum(line.net_revenue for line in lines), currency=currency,
    ).on_conflict_do_nothing().returning(UsageReport.id))
    if inserted is None:  # the same file, sent concurrently, committed first
        return _existing(db, owner_id, period_id, digest), False
    _copy_lines(db, report_id, lines, asset_ids)
    return db.get(UsageReport, report_id), True


def report_of(db: Session, owner_id: uuid.UUID, report_id: uuid.UUID) -> UsageReport:
    report = db.get(UsageReport, report_id)
    if report is None or report.owner_id != owner_id:
        raise UsageReportNotFound(f"no usage report {report_id} of this account")
    return report


def reports_of(db: Session, owner_id: uuid.UUID, period_id: int) -> list[UsageReport]:
    """The account's reports of a period, oldest first (PeriodNotFound for an unknown period)."""
    if db.get(RoyaltyPeriod, period_id) is None:
        raise PeriodNotFound(f"no royalty period {period_id}", period_id=period_id)
    return list(db.scalars(select(UsageReport).where(UsageReport.owner_id == owner_id,
                                                     UsageReport.period_id == period_id)
                           .order_by(UsageReport.created_at, UsageReport.id)))


def reported_usage_per_asset(db: Session, period_id: int) -> dict[int, tuple[int, int]]:
    """(usage count, net revenue) per asset over every accepted report of the period (payout currency)."""
    rows = db.execute(select(UsageReportLine.asset_id, func.sum(UsageReportLine.usage_count),
                             func.sum(UsageReportLine.net_revenue))
                      .join(UsageReport, UsageReport.id == UsageReportLine.report_id)
                      .where(UsageReport.period_id == period_id)
                      .group_by(UsageReportLine.asset_id))
    return {asset_id: (int(usage), int(revenue)) for asset_id, usage, revenue in rows}
