"""The platform's events that notify someone, each called in the transaction that records the event:

- an invitation naming an e-mail address that already has an account (`identity.invitations`);
- a dispute opened on an asset: its controller and payees, other than the opener (`ledger.disputes`);
- from the indexer's batch at the chain's pace: a recording registered (its controller), a payout period
  published (each payee with an entitlement in it), a claim confirmed (the claiming account's owner).

Chain addresses name wallets; a wallet's owner is the recipient (a wallet held for a pending invitation has none
yet, so nobody is told). Social kinds (follow, like, ...) are notified by the social area with `service.notify`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.models import Wallet
from notifications.models import NotificationKind
from notifications.service import notify


def owners(session: Session, addresses: Iterable[str]) -> dict[str, set[uuid.UUID]]:
    """Lower-cased address -> the users owning a wallet at it."""
    wanted = {a.lower() for a in addresses if a}
    found: dict[str, set[uuid.UUID]] = {}
    if not wanted:
        return found
    for address, user_id in session.execute(select(func.lower(Wallet.address), Wallet.user_id).where(
            func.lower(Wallet.address).in_(wanted), Wallet.user_id.is_not(None))):
        found.setdefault(address, set()).add(user_id)
    return found


def invitation_sent(session: Session, *, invitation_id: uuid.UUID, email: str, invited_by: uuid.UUID | None,
                    wallet_address: str) -> None:
    from identity.models import User

    user_id = session.scalar(select(User.id).where(User.email == email))
    if user_id is not None:
        notify(session, recipient_id=user_id, kind=NotificationKind.invitation, actor_id=invited_by,
               subject_type="invitation", subject_id=invitation_id, data={"account": wallet_address})


def dispute_opened(session: Session, *, dispute_id: uuid.UUID, asset_id: int, opened_by: uuid.UUID,
                   parties: Iterable[str]) -> None:
    for recipient in sorted({u for users in owners(session, parties).values() for u in users} - {opened_by}):
        notify(session, recipient_id=recipient, kind=NotificationKind.dispute_opened, actor_id=opened_by,
               subject_type="asset", subject_id=asset_id, group_key=str(dispute_id),
               data={"title": f"asset {asset_id}", "dispute_id": str(dispute_id)})


def chain_batch(session: Session, rows: dict[type, list[dict[str, Any]]], assets: dict[int, dict[str, Any]],
                registered: Iterable[int]) -> None:
    """Notifications of one indexed batch (after its rows are written, in its transaction)."""
    from ledger import models as m
    from ledger.royalties.models import PayeeEntitlement

    recordings = [assets[a] for a in registered if a in assets and assets[a]["kind"] == "recording"]
    claims = rows.get(m.PayoutClaim, [])
    periods = rows.get(m.PayoutPeriod, [])
    entitlements = []
    if periods:
        entitlements = list(session.execute(select(PayeeEntitlement.period_id, PayeeEntitlement.account,
                                                   PayeeEntitlement.amount)
                                            .where(PayeeEntitlement.period_id.in_({p["period_id"] for p in periods}),
                                                   PayeeEntitlement.amount > 0)))
    addresses = ([r["controller"] for r in recordings] + [c["account"] for c in claims]
                 + [e.account for e in entitlements])
    if not addresses:
        return
    found = owners(session, addresses)
    if not found:  # the usual batch at the head: nobody here owns these addresses
        return
    titles = _titles(session, [r["metadata_uri"] for r in recordings if r["controller"].lower() in found])
    for recording in recordings:
        for user_id in found.get(recording["controller"].lower(), ()):
            notify(session, recipient_id=user_id, kind=NotificationKind.release, subject_type="recording",
                   subject_id=recording["asset_id"],
                   data={"title": titles.get(recording["metadata_uri"]) or f"recording {recording['asset_id']}",
                         "isrc": recording.get("industry_code")})
    for claim in claims:
        for user_id in found.get(claim["account"].lower(), ()):
            notify(session, recipient_id=user_id, kind=NotificationKind.claim_confirmed, subject_type="claim",
                   subject_id=f"{claim['tx_hash']}:{claim['log_index']}",
                   data={"amount": str(claim["amount"]), "account": claim["account"]})
    for entitlement in entitlements:
        for user_id in found.get(entitlement.account.lower(), ()):
            notify(session, recipient_id=user_id, kind=NotificationKind.payout_published, subject_type="period",
                   subject_id=entitlement.period_id, group_key=entitlement.account.lower(),
                   data={"amount": str(entitlement.amount), "account": entitlement.account,
                         "period_id": entitlement.period_id})


def _titles(session: Session, metadata_uris: list[str]) -> dict[str, str]:
    from ledger.catalog import AssetMetadata

    if not metadata_uris:
        return {}
    rows = session.execute(select(AssetMetadata.metadata_uri, AssetMetadata.title)
                           .where(AssetMetadata.metadata_uri.in_(metadata_uris)))
    return {row.metadata_uri: row.title for row in rows}
