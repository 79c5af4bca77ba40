"""Tax on a sale: the buyer's country from its evidence, the rate from the table (or the settings), on the receipt.

Evidence: the billing address's country, the card's issuing country, and the IP country that the proxy in front
of the API put in the header named by HARMONI_IP_COUNTRY_HEADER (`CF-IPCountry`, `X-Country`; none when unset),
taken when the fan starts the checkout and carried in the Stripe subscription's metadata (renewals keep it).

The rule when evidence disagrees (after the EU's for digital services: two pieces that do not contradict each
other): the country at least two pieces agree on; otherwise the billing country, else the card's, else the IP's.
A disagreement is recorded on the receipt (`conflict`) for review.

Rates: the `tax_rates` row of that country in force at the moment of payment (latest `effective_from` at or
before it, not past its `effective_to`); a country without one falls back to HARMONI_TAX_RATES (its code, then
`*`). The receipt keeps the rate and where it came from.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from harmoni.settings import Settings
from payments import config
from payments.errors import TaxRateInvalid
from payments.models import TaxRate

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_NOT_A_COUNTRY = {"XX", "T1", "EU", "AP"}  # Cloudflare's unknown and Tor; MaxMind's continent codes


def country_code(value: str | None) -> str | None:
    """An ISO 3166 alpha-2 code, upper case; None for anything else (missing, unknown, Tor)."""
    code = (value or "").strip().upper()
    return code if _COUNTRY.match(code) and code not in _NOT_A_COUNTRY else None


def ip_country(settings: Settings, headers: Mapping[str, str]) -> str | None:
    """The country the proxy put in the configured header; None when no header is configured or it says nothing."""
    if not settings.ip_country_header:
        return None
    return country_code(headers.get(settings.ip_country_header))


def choose_country(billing: str | None, card: str | None, ip: str | None) -> tuple[str | None, dict]:
    """The buyer's country and the evidence as recorded: each piece, which rule chose, whether they disagree."""
    pieces = {"billing_country": country_code(billing), "card_country": country_code(card),
              "ip_country": country_code(ip)}
    present = [c for c in pieces.values() if c]
    counted = Counter(present).most_common(1)
    if counted and counted[0][1] >= 2:
        country, rule = counted[0][0], "agreed"
    else:
        country = next(iter(present), None)
        rule = next((name for name, c in pieces.items() if c), "none")
    return country, {**pieces, "chosen_by": rule, "conflict": len(set(present)) > 1}


def rate_for(session: Session, settings: Settings, country: str | None, at: datetime) -> tuple[int, str]:
    """The rate (basis points) for a sale to `country` at `at`, and its source (`table:<id>` or `settings`)."""
    if country:
        row = session.scalars(select(TaxRate).where(
            TaxRate.country == country, TaxRate.effective_from <= at,
            or_(TaxRate.effective_to.is_(None), TaxRate.effective_to > at))
            .order_by(TaxRate.effective_from.desc()).limit(1)).one_or_none()
        if row is not None:
            return row.rate_bps, f"table:{row.id}"
    return config.tax_rate_bps(settings, country), "settings"


def set_rate(session: Session, country: str, rate_bps: int, effective_from: datetime,
             effective_to: datetime | None = None) -> TaxRate:
    """Add a rate from `effective_from`; an open-ended earlier rate of the country ends where it starts. Refused
    when it would overlap a rate already set (rates are history: change one by ending it, never by editing)."""
    code = country_code(country)
    if code is None:
        raise TaxRateInvalid(f"{country!r} is not an ISO 3166 alpha-2 country code", field="country")
    if not 0 <= rate_bps <= 10_000:
        raise TaxRateInvalid("the rate is in basis points, 0 to 10000", field="rate_bps")
    if effective_from.tzinfo is None or (effective_to is not None and effective_to.tzinfo is None):
        raise TaxRateInvalid("dates need a time zone (e.g. 2027-01-01T00:00:00Z)", field="effective_from")
    if effective_to is not None and effective_to <= effective_from:
        raise TaxRateInvalid("the rate must end after it starts", field="effective_to")
    rows = list(session.scalars(select(TaxRate).where(TaxRate.country == code).with_for_update()))
    superseded = [r for r in rows if r.effective_to is None and r.effective_from < effective_from]
    for row in rows:
        ends = effective_from if row in superseded else row.effective_to
        if (effective_to is None or row.effective_from < effective_to) and (ends is None or ends > effective_from):
            raise TaxRateInvalid(f"{code} already has {row.rate_bps} bps from {row.effective_from.isoformat()}"
                                 f"{' to ' + ends.isoformat() if ends else ''}", field="effective_from")
    for row in superseded:
        row.effective_to = effective_from
    rate = TaxRate(country=code, rate_bps=rate_bps, effective_from=effective_from, effective_to=effective_to)
    session.add(rate)
    session.flush()
    return rate


def seed_from_settings(session: Session, settings: Settings, effective_from: datetime) -> list[TaxRate]:
    """Put HARMONI_TAX_RATES' countries into the table from `effective_from` (those without a row there yet)."""
    added = []
    for part in filter(None, (p.strip() for p in settings.tax_rates.split(","))):
        code, _, bps = part.partition(":")
        code = country_code(code)
        if code and session.scalar(select(TaxRate.id).where(TaxRate.country == code).limit(1)) is None:
            added.append(set_rate(session, code, int(bps), effective_from))
    return added


def rates(session: Session) -> list[TaxRate]:
    return list(session.scalars(select(TaxRate).order_by(TaxRate.country, TaxRate.effective_from)))
