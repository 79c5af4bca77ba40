"""A user's data export and erasure, designed over SQLAlchemy's metadata so every table that references a user
is covered, including tables added after this module was written.

**What belongs to an account** is found by walking the metadata: every table with a foreign key to `users.id`
(rows whose key is the user), and every table with a wallet-address column (`account`, `recipient`,
`controller`, ... of 42 characters) whose rows name one of the user's wallets (statements, claims, credits).

**Export** (`POST /v1/me/export`, a job): one JSON and one CSV file per such table, in a zip, plus the account
row. Columns holding secrets (password and token hashes, encrypted keys) are left out; the manifest says which.
The zip is served by a signed link that expires.

**Erasure** (`DELETE /v1/me`): refused with reasons while a dispute by or about the user is open or money is
owed to their wallets (an unclaimed payout, an unwithdrawn vault balance). Otherwise, per user-linked table:
- `delete` the user's rows (the default where the foreign key cascades: profile, tokens, keys, wallets, ...);
- `null` the column (the default where it is `ON DELETE SET NULL`: "invited by", "voided by");
- `keep` the rows under legal hold (ledger inputs and chain operations), with the personal columns listed here
  scrubbed. A foreign key without an `ON DELETE` rule has no default: it must be named in `POLICIES`, and
  `plan()` refuses a table it cannot decide (the test walks the metadata with it).
The account row stays (ledger rows point at it), without e-mail, password or roles. Where the e-mail address
appears outside a foreign key (invitations) it is replaced by a keyed hash (HMAC-SHA-256) under a random key
that is never stored, so nobody can reverse it or link it to the person. Mails to the
address are deleted. What is on chain (addresses, splits, claims) cannot be erased: see the README.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import hmac
import importlib
import io
import json
import logging
import secrets
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jwt
from sqlalchemy import Column, String, Table, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from harmoni.db import Base
from harmoni.errors import Conflict, HarmoniError, NotFound
from harmoni.settings import Settings
from identity.models import OutboxEmail, PayeeInvitation, User, Wallet
from notifications.models import AccountErasure, DataExport, EmailSuppression, ExportStatus

log = logging.getLogger(__name__)
ENV_FILE = Path(__file__).resolve().parent.parent / "harmoni" / "migrations" / "env.py"
ADDRESS_COLUMNS = frozenset({"account", "recipient", "controller", "sender", "payee", "address", "to_address_wallet"})
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "secret_hash", "encrypted_key", "nonce", "key_id",
                            "signing_secret"})
DOWNLOAD_AUDIENCE = "harmoni:data-export"
ERASED = "[erased]"


@dataclass(frozen=True)
class Policy:
    action: str  # delete | null | keep
    scrub: dict[str, Any] = field(default_factory=dict)  # keep: personal columns and what replaces them
    reason: str = ""


# Decisions the foreign keys cannot make: legal hold (ledger inputs, chain operations), or a cascade overridden.
POLICIES: dict[str, Policy] = {
    "rights_operations": Policy("keep", {}, "registrations and split changes sent to the chain: the ledger's trail"),
    "disputes.opened_by": Policy("keep", {"reason": ERASED, "evidence_uri": None},
                                 "arbitration record of an asset (the reason's hash is on chain)"),
    "disputes.resolved_by": Policy("null"),
    "playback_sessions": Policy("keep", {"ip": None}, "plays counted into royalty statements"),
    "recording_gates": Policy("keep", {}, "who gated a recording: the edition gate stays in force"),
    "uploads": Policy("keep", {"filename": None, "tags": None},
                      "masters of registered recordings that other payees are paid for"),
    "usage_reports": Policy("keep", {"filename": ERASED}, "partners' usage behind published statements"),
    "users": Policy("keep", {}, "the account row other rows point at; emptied below"),
    "account_erasures": Policy("keep", {}, "that the account was erased, and when"),
    "bonus_files": Policy("keep", {}, "files attached to registered recordings, owed to their editions' holders"),
    "edition_listings": Policy("keep", {}, "terms and fiat prices of editions on chain that holders bought"),
    "payment_invoices": Policy("keep", {}, "receipts: tax records the journal and royalty periods refer to"),
    "card_orders": Policy("keep", {}, "card sales of editions: tax records, revenue of royalty periods, mints"),
    "subscriptions": Policy("keep", {}, "what the receipts paid for: subscription revenue of royalty periods"),
}


# The metadata


def load_models() -> None:
    """Import every module that declares tables: the same list the migrations use (one source of truth)."""
    tree = ast.parse(ENV_FILE.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MODEL_MODULES":
            for module in ast.literal_eval(node.value):
                importlib.import_module(module)
            importlib.import_module("notifications.models")
            return
    raise RuntimeError(f"{ENV_FILE} has no MODEL_MODULES")


def user_links() -> dict[str, list[Column]]:
    """Table name -> its columns that are a foreign key to users.id (users itself excluded)."""
    load_models()
    links: dict[str, list[Column]] = {}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "users" and table.name != "users":
                links.setdefault(table.name, []).append(fk.parent)
    return links


def address_links() -> dict[str, list[Column]]:
    """Table name -> its wallet-address columns."""
    load_models()
    return {table.name: cols for table in Base.metadata.sorted_tables
            if (cols := [c for c in table.columns if c.name in ADDRESS_COLUMNS and isinstance(c.type, String)
                         and c.type.length == 42])}


def plan(table_name: str) -> dict[str, Policy]:
    """How erasure handles each user column of a table (`table.column` in POLICIES, else `table`, else the
    foreign key's ON DELETE rule); raises when nothing decides one."""
    decided = {}
    for column in user_links().get(table_name, []):
        ondelete = next(fk.ondelete for fk in column.foreign_keys if fk.column.table.name == "users")
        chosen = POLICIES.get(f"{table_name}.{column.name}") or POLICIES.get(table_name)
        if chosen is not None:
            decided[column.name] = chosen
        elif ondelete and ondelete.upper() == "CASCADE":
            decided[column.name] = Policy("delete")
        elif ondelete and ondelete.upper() == "SET NULL":
            decided[column.name] = Policy("null")
        else:
            raise RuntimeError(f"{table_name}.{column.name} references users without ON DELETE: say in "
                               "notifications.privacy.POLICIES whether erasure deletes, nulls or keeps it")
    return decided


# Export


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _rows(session: Session, table: Table, where) -> tuple[list[str], list[dict[str, Any]]]:
    columns = [c for c in table.columns if c.name not in SECRET_COLUMNS]
    rows = session.execute(select(*columns).where(where)).mappings().all()
    return [c.name for c in columns], [{k: _plain(v) for k, v in row.items()} for row in rows]


def collect(session: Session, user_id: uuid.UUID) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """Every row about the account, by table (empty tables included, so the export shows what was looked at)."""
    tables = Base.metadata.tables
    found = {"users": _rows(session, tables["users"], tables["users"].c.id == user_id)}
    for name, columns in user_links().items():
        found[name] = _rows(session, tables[name], _any(columns, user_id))
    wallets = [a.lower() for a in session.scalars(select(Wallet.address).where(Wallet.user_id == user_id))]
    for name, columns in address_links().items():
        if name in found:
            continue
        found[name] = _rows(session, tables[name], _any([func.lower(c) for c in columns], wallets, many=True))
    return found


def _any(columns, value, many: bool = False):
    if many:
        return or_(*[c.in_(value) for c in columns]) if value else false()
    return or_(*[c == value for c in columns])


def build_zip(session: Session, user_id: uuid.UUID, path: Path) -> int:
    data = collect(session, user_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {"account": str(user_id), "created_at": datetime.now(UTC).isoformat(),
                "tables": {name: len(rows) for name, (_, rows) in sorted(data.items())},
                "left_out_columns": sorted(SECRET_COLUMNS),
                "on_chain": "wallet addresses, splits, claims and payouts recorded on chain are public and permanent"}
    temporary = path.with_suffix(".part")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name, (columns, rows) in sorted(data.items()):
            archive.writestr(f"json/{name}.json", json.dumps(rows, indent=2, default=str))
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()})
            archive.writestr(f"csv/{name}.csv", text.getvalue())
    temporary.replace(path)
    return path.stat().st_size


class ExportNotFound(NotFound):
    slug = "export-not-found"
    title = "Export not found"


class InvalidDownloadLink(HarmoniError):
    status = 400
    slug = "invalid-download-link"
    title = "Invalid or expired download link"


def export_path(settings: Settings, export_id: uuid.UUID) -> Path:
    return settings.data_dir / "exports" / f"{export_id}.zip"


def request_export(session: Session, user_id: uuid.UUID) -> DataExport:
    export = DataExport(id=uuid.uuid4(), user_id=user_id, status=ExportStatus.pending.value)
    session.add(export)
    session.flush()
    return export


def run_export(session: Session, settings: Settings, export_id: uuid.UUID) -> DataExport:
    export = session.get(DataExport, export_id, with_for_update=True)
    if export is None or export.status != ExportStatus.pending.value:
        return export
    try:
        export.size_bytes = build_zip(session, export.user_id, export_path(settings, export.id))
        export.status, export.ready_at = ExportStatus.ready.value, datetime.now(UTC)
        export.expires_at = export.ready_at + timedelta(hours=settings.export_link_ttl_hours)
    except OSError as err:
        export.status, export.error = ExportStatus.failed.value, str(err)[:500]
    session.flush()
    return export


def get_export(session: Session, user_id: uuid.UUID, export_id: uuid.UUID) -> DataExport:
    export = session.get(DataExport, export_id)
    if export is None or export.user_id != user_id:
        raise ExportNotFound(f"you have no export {export_id}")
    return export


def download_token(settings: Settings, export: DataExport) -> str:
    return jwt.encode({"sub": str(export.id), "aud": DOWNLOAD_AUDIENCE, "exp": int(export.expires_at.timestamp())},
                      settings.secret_key.get_secret_value(), algorithm="HS256")


def download_url(settings: Settings, export: DataExport) -> str | None:
    if export.status != ExportStatus.ready.value:
        return None
    return (f"{settings.api_url.rstrip('/')}/v1/exports/{export.id}/download"
            f"?token={download_token(settings, export)}")


def file_for_download(session: Session, settings: Settings, export_id: uuid.UUID, token: str) -> Path:
    try:
        claims = jwt.decode(token, settings.secret_key.get_secret_value(), algorithms=["HS256"],
                            audience=DOWNLOAD_AUDIENCE, options={"require": ["sub", "exp"]})
    except jwt.InvalidTokenError as err:
        raise InvalidDownloadLink("this download link is not valid or has expired: ask for a new export",
                                  field="token") from err
    export = session.get(DataExport, export_id)
    path = export_path(settings, export_id)
    if claims["sub"] != str(export_id) or export is None or not path.exists():
        raise InvalidDownloadLink("this download link is for another export, or its file is gone", field="token")
    return path


# Erasure


class ErasureRefused(Conflict):
    slug = "erasure-refused"
    title = "Account cannot be erased yet"


class AlreadyErased(Conflict):
    slug = "account-erased"
    title = "Account already erased"


def blockers(session: Session, user_id: uuid.UUID) -> list[str]:
    """Why the account cannot be erased now (empty: it can)."""
    from ledger import models as m
    from ledger.disputes import OPEN_STATUSES, Dispute
    from ledger.royalties.models import PayeeEntitlement, RoyaltyPeriod

    reasons = []
    wallets = list(session.scalars(select(Wallet.address).where(Wallet.user_id == user_id)))
    lowered = [w.lower() for w in wallets]
    mine = session.scalars(select(Dispute.id).where(Dispute.opened_by == user_id,
                                                    Dispute.status.in_(OPEN_STATUSES))).all()
    about = session.scalars(select(Dispute.id).join(m.Asset, (m.Asset.chain_id == Dispute.chain_id)
                                                    & (m.Asset.asset_id == Dispute.asset_id))
                            .where(Dispute.status.in_(OPEN_STATUSES), func.lower(m.Asset.controller).in_(lowered))
                            ).all() if lowered else []
    for dispute_id in sorted(set(mine) | set(about)):
        reasons.append(f"dispute {dispute_id} is open: wait for its resolution")
    for address in wallets:
        owed = session.scalar(select(func.max(PayeeEntitlement.cumulative_amount))
                              .join(RoyaltyPeriod, RoyaltyPeriod.period_id == PayeeEntitlement.period_id)
                              .where(func.lower(PayeeEntitlement.account) == address.lower(),
                                     RoyaltyPeriod.status == "published")) or 0
        claimed = session.scalar(select(func.max(m.PayoutClaim.cumulative_amount))
                                 .where(func.lower(m.PayoutClaim.account) == address.lower())) or 0
        if owed > claimed:
            reasons.append(f"{address} has {owed - claimed} of published royalties unclaimed: claim them first "
                           "(POST /v1/me/claims)")
        credited = session.scalar(select(func.sum(m.VaultCredit.amount))
                                  .where(func.lower(m.VaultCredit.account) == address.lower())) or 0
        withdrawn = session.scalar(select(func.sum(m.VaultWithdrawal.amount))
                                   .where(func.lower(m.VaultWithdrawal.account) == address.lower())) or 0
        if credited > withdrawn:
            reasons.append(f"{address} has {credited - withdrawn} in the split vault not withdrawn: withdraw it first")
    return reasons


def erase(session: Session, settings: Settings, user_id: uuid.UUID) -> dict[str, str]:
    """Erase the account (in the caller's transaction); what happened to each user-linked table."""
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound("no such account")
    if session.get(AccountErasure, user_id) is not None:
        raise AlreadyErased("this account is erased already: nothing about it is left to remove")
    reasons = blockers(session, user_id)
    if reasons:
        raise ErasureRefused("the account cannot be erased yet: " + "; ".join(reasons), reasons=reasons)
    tables = Base.metadata.tables
    email = user.email
    key = secrets.token_bytes(32)  # never stored: the pseudonyms below cannot be reversed or linked
    pseudonym = hmac.new(key, f"{user_id}|{email}".encode(), hashlib.sha256).hexdigest()
    del key
    for export_id in session.scalars(select(DataExport.id).where(DataExport.user_id == user_id)):
        export_path(settings, export_id).unlink(missing_ok=True)
    done: dict[str, str] = {}
    # Children before parents, so a cascade never hides a row we meant to keep.
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in user_links():
            continue
        for column_name, policy in plan(table.name).items():
            column = table.c[column_name]
            if policy.action == "delete":
                session.execute(delete(table).where(column == user_id))
            elif policy.action == "null":
                session.execute(update(table).where(column == user_id).values({column_name: None}))
            elif policy.scrub:
                session.execute(update(table).where(column == user_id).values(policy.scrub))
            done[table.name] = policy.action
    if email:
        session.execute(delete(OutboxEmail).where(func.lower(OutboxEmail.to_address) == email))
        session.execute(delete(EmailSuppression).where(EmailSuppression.address == email))
        session.execute(update(PayeeInvitation).where(PayeeInvitation.email == email)
                        .values(email=f"erased-{pseudonym[:32]}@invalid"))
    session.execute(update(tables["users"]).where(tables["users"].c.id == user_id)
                    .values(email=None, password_hash=None, email_verified_at=None, roles=[],
                            erased_at=func.now()))
    session.add(AccountErasure(user_id=user_id, pseudonym=pseudonym))
    session.flush()
    log.info("account erased", extra={"user_id": str(user_id)})
    return done
