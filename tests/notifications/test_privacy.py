"""Data export and erasure, over SQLAlchemy's metadata: every table that references a user is covered by both."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from eth_account import Account
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, Uuid, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import sessionmaker

from harmoni.db import Base, get_engine
from identity.models import ArtistProfile, OutboxEmail, PayeeInvitation, User, Wallet
from ledger.royalties.models import PayeeEntitlement, RoyaltyPeriod
from notifications import privacy, service
from notifications.models import AccountErasure, NotificationKind
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_every_user_linked_table_is_exported_and_has_an_erasure_rule(sessions):
    links = privacy.user_links()
    assert {"artist_profiles", "wallets", "notifications", "refresh_tokens", "uploads"} <= set(links)
    user = uuid.uuid4()
    with sessions() as session:
        exported = privacy.collect(session, user)
    for table, columns in links.items():
        assert table in exported, f"{table} references users but is not exported"
        decided = privacy.plan(table)  # raises for a table no rule decides
        assert set(decided) == {c.name for c in columns}, f"{table}: a user column without an erasure rule"
        assert all(p.action in ("delete", "null", "keep") for p in decided.values())


def test_a_new_table_without_a_rule_is_named():
    table = Table("test_unruled_things", Base.metadata, Column("id", Uuid, primary_key=True),
                  Column("owner_id", ForeignKey("users.id")))
    try:
        assert "test_unruled_things" in privacy.user_links()
        with pytest.raises(RuntimeError, match=r"test_unruled_things.owner_id references users without ON DELETE"):
            privacy.plan("test_unruled_things")
    finally:
        Base.metadata.remove(table)


def _text_columns():
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSONB | JSON | ARRAY):
                yield table, column


def _where_found(session, needle: str) -> list[str]:
    """Every table.column whose text holds `needle` (case-insensitive)."""
    return [f"{table.name}.{column.name}" for table, column in _text_columns()
            if session.scalar(select(func.count()).select_from(table)
                              .where(cast(column, Text).ilike(f"%{needle}%")))]


def _rich_account(sessions, settings):
    """An artist with a profile, a wallet, notifications, an invitation and mails, and a fan who liked them."""
    artist = make_user(sessions, settings, "artist", email_verified=True)
    fan = make_user(sessions, settings, "fan")
    with sessions.begin() as session:
        session.add(ArtistProfile(user_id=artist.id, display_name="Zephyrine Quill", bio="Songs from the coast"))
        session.add(Wallet(user_id=artist.id, address=Account.create().address, kind="linked"))
        session.add(OutboxEmail(id=uuid.uuid4(), to_address=artist.email, subject="Hello", body="Dear Zephyrine"))
        session.add(PayeeInvitation(id=uuid.uuid4(), email=artist.email, token_hash=uuid.uuid4().bytes * 2,
                                    expires_at=datetime.now(UTC), invited_by=fan.id, accepted_by=artist.id))
        session.flush()
        service.notify(session, recipient_id=artist.id, kind=NotificationKind.like, actor_id=fan.id,
                       subject_type="recording", subject_id="1", data={"title": "Blue Hour"}, settings=settings)
        service.notify(session, recipient_id=fan.id, kind=NotificationKind.follow, actor_id=artist.id,
                       subject_type="user", subject_id=fan.id, settings=settings)
    return artist, fan


def test_erasure_leaves_no_email_or_name_outside_legal_hold(api):
    context = api.app.state.context
    artist, fan = _rich_account(context.sessions, context.settings)
    with context.sessions() as session:
        assert "users.email" in _where_found(session, artist.email)
    unconfirmed = api.request("DELETE", "/v1/me", headers=artist.headers, json={"confirm": str(fan.id)})
    assert unconfirmed.status_code == 422 and unconfirmed.json()["field"] == "confirm"
    response = api.request("DELETE", "/v1/me", headers=artist.headers, json={"confirm": str(artist.id)})
    assert response.status_code == 200, response.text
    tables = response.json()["tables"]
    assert tables["artist_profiles"] == "delete" and tables["payee_invitations"] == "null"
    with context.sessions() as session:
        assert _where_found(session, artist.email) == []
        assert _where_found(session, "Zephyrine") == []
        user = session.get(User, artist.id)
        assert (user.email, user.password_hash, user.roles) == (None, None, [])
        assert user.erased_at is not None
        assert session.scalar(select(func.count()).select_from(Wallet).where(Wallet.user_id == artist.id)) == 0
        erasure = session.get(AccountErasure, artist.id)
        invitation = session.scalars(select(PayeeInvitation).where(PayeeInvitation.invited_by == fan.id)).one()
        assert invitation.email == f"erased-{erasure.pseudonym[:32]}@invalid" and invitation.accepted_by is None
        # The fan's own notification stays; the erased artist is no longer among its actors.
        (remaining,) = service.list_page(session, fan.id, None, 10, False).items
        assert remaining.kind == "follow"
        assert service.list_page(session, artist.id, None, 10, False).items == []
    again = api.request("DELETE", "/v1/me", headers=artist.headers, json={"confirm": str(artist.id)})
    assert again.status_code == 401 and again.json()["type"].endswith("/invalid-token")
    with context.sessions.begin() as session, pytest.raises(privacy.AlreadyErased):
        privacy.erase(session, context.settings, artist.id)


def test_erasure_is_refused_with_reasons_while_royalties_are_unclaimed(api):
    context = api.app.state.context
    artist = make_user(context.sessions, context.settings, "artist")
    address = Account.create().address
    with context.sessions.begin() as session:
        session.add(Wallet(user_id=artist.id, address=address, kind="linked"))
        now = datetime.now(UTC)
        session.add(RoyaltyPeriod(period_id=991, starts_at=now - timedelta(days=30), ends_at=now, status="published"))
        session.flush()
        session.add(PayeeEntitlement(period_id=991, account=address, amount=250, cumulative_amount=250, tree_index=0))
    response = api.request("DELETE", "/v1/me", headers=artist.headers, json={"confirm": str(artist.id)})
    assert response.status_code == 409 and response.json()["type"].endswith("/erasure-refused")
    assert response.json()["reasons"] == [f"{address} has 250 of published royalties unclaimed: claim them first "
                                          "(POST /v1/me/claims)"]
    with context.sessions() as session:  # nothing half-done
        assert session.get(User, artist.id).email == artist.email
        assert session.scalar(select(func.count()).select_from(Wallet).where(Wallet.user_id == artist.id)) == 1


def test_export_is_a_zip_of_every_user_linked_table_behind_a_signed_link(live_api):
    context = live_api.app.state.context
    sessions = sessionmaker(bind=get_engine(live_api.database_url), expire_on_commit=False)
    artist, _fan = _rich_account(sessions, context.settings)
    requested = live_api.post("/v1/me/export", headers=artist.headers)
    assert requested.status_code == 202 and requested.json()["status"] == "pending"
    export = live_api.get(f"/v1/me/exports/{requested.json()['id']}", headers=artist.headers).json()
    assert export["status"] == "ready" and export["download_url"]  # the job ran after the commit
    other = make_user(sessions, context.settings, "fan")
    assert live_api.get(f"/v1/me/exports/{export['id']}", headers=other.headers).status_code == 404
    link = urlsplit(export["download_url"])
    download = live_api.get(f"{link.path}?{link.query}")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = set(archive.namelist())
    for table in privacy.user_links():
        assert {f"json/{table}.json", f"csv/{table}.csv"} <= names, table
    profile = json.loads(archive.read("json/artist_profiles.json"))
    assert profile[0]["display_name"] == "Zephyrine Quill"
    account = json.loads(archive.read("json/users.json"))
    assert account[0]["email"] == artist.email and "password_hash" not in account[0]
    assert json.loads(archive.read("manifest.json"))["tables"]["notifications"] == 1
    assert "Zephyrine Quill" in archive.read("csv/artist_profiles.csv").decode()
    forged = live_api.get(f"{link.path}?token=not-a-token")
    assert forged.status_code == 400 and forged.json()["type"].endswith("/invalid-download-link")
