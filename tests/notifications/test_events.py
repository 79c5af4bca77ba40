"""The platform's existing events notify the people they concern, in the event's own transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from sqlalchemy import select

from identity import invitations
from identity.models import Wallet
from ledger import disputes
from ledger import models as m
from ledger.royalties.models import PayeeEntitlement, RoyaltyPeriod
from notifications import events
from notifications.models import Notification
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
CHAIN = 31337


def _wallet(session, user_id) -> str:
    address = Account.create().address
    session.add(Wallet(user_id=user_id, address=address, kind="linked"))
    session.flush()
    return address


def _notifications(session, user_id) -> list[tuple[str, str, str]]:
    return [(n.kind, n.subject_type, n.subject_id) for n in session.scalars(
        select(Notification).where(Notification.recipient_id == user_id).order_by(Notification.kind))]


def _asset(session, asset_id, controller, recipients, kind="recording") -> m.Asset:
    asset = m.Asset(chain_id=CHAIN, asset_id=asset_id, kind=kind, controller=controller, industry_code="USRC17607839",
                    work_ids=[], metadata_uri=f"ipfs://meta-{asset_id}", split_version=1, split_hash="0x" + "00" * 32,
                    split_recipients=recipients, split_allocations=[1_000_000 // len(recipients)] * len(recipients),
                    split_locked=False, frozen=False, registered_block=1, registered_tx="0x" + "11" * 32,
                    updated_block=1)
    session.add(asset)
    session.flush()
    return asset


def test_an_invitation_to_an_existing_account_notifies_it(sessions, settings):
    invitee = make_user(sessions, settings, "fan")  # unverified: the address is invited, not resolved
    inviter = make_user(sessions, settings, "artist")
    with sessions.begin() as session:
        invitations.payee_wallets(session, settings, [invitee.email, "nobody-yet@example.com"], inviter.id)
        assert [k for k, _, _ in _notifications(session, invitee.id)] == ["invitation"]


def test_a_dispute_notifies_the_controller_and_payees_but_not_the_opener(sessions, settings):
    controller, payee, opener = (make_user(sessions, settings, "artist") for _ in range(3))
    with sessions.begin() as session:
        addresses = [_wallet(session, u.id) for u in (controller, payee, opener)]
        _asset(session, 9001, addresses[0], addresses[1:])
        disputes.open_dispute(session, CHAIN, opener.id, {addresses[2]}, 9001, "I co-wrote it", None)
        assert _notifications(session, controller.id) == [("dispute_opened", "asset", "9001")]
        assert _notifications(session, payee.id) == [("dispute_opened", "asset", "9001")]
        assert _notifications(session, opener.id) == []


def test_an_indexed_batch_notifies_release_claim_and_payout_once(sessions, settings):
    artist, payee = make_user(sessions, settings, "artist"), make_user(sessions, settings, "fan")
    with sessions.begin() as session:
        artist_wallet, payee_wallet = _wallet(session, artist.id), _wallet(session, payee.id)
        now = datetime.now(UTC)
        session.add(RoyaltyPeriod(period_id=77, starts_at=now - timedelta(days=30), ends_at=now, status="closed"))
        session.flush()
        session.add(PayeeEntitlement(period_id=77, account=payee_wallet, amount=1500, cumulative_amount=1500,
                                     tree_index=0))
        session.flush()
        recording = {"asset_id": 5, "kind": "recording", "controller": artist_wallet, "metadata_uri": "ipfs://x",
                     "industry_code": "USRC17607839"}
        rows = {m.PayoutPeriod: [{"period_id": 77}],
                m.PayoutClaim: [{"account": payee_wallet, "amount": 1500, "tx_hash": "0x" + "ab" * 32,
                                 "log_index": 3}]}
        for _ in range(2):  # a replay of the same batch tells nobody twice
            events.chain_batch(session, rows, {5: recording}, [5])
        assert _notifications(session, artist.id) == [("release", "recording", "5")]
        assert _notifications(session, payee.id) == [("claim_confirmed", "claim", "0x" + "ab" * 32 + ":3"),
                                                     ("payout_published", "period", "77")]
        payout = session.scalars(select(Notification).where(Notification.recipient_id == payee.id,
                                                            Notification.kind == "payout_published")).one()
        assert payout.data["amount"] == "1500" and payout.event_count == 1
