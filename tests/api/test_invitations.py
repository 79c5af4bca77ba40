"""Payees invited by e-mail: the wallet held for them, the e-mail with the token, and accepting it.

The full path through registration and the chain is in tests/api/test_rights.py; here invitations are made by
the service the registration endpoints call, and refused payees show that nothing is written.
"""

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from identity import invitations
from identity.custody import Keyring, signer_for, unseal
from identity.models import OutboxEmail, PayeeInvitation, Wallet
from ledger.registration import RightsOperation
from tests.identity.factories import count, make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
B = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
WORK = {"title": "Blue Hour", "iswc": "T-034.524.680-1"}


def _invite(api, *emails, invited_by=None) -> dict[str, str]:
    context = api.app.state.context
    inviter = invited_by or make_user(context.sessions, context.settings, "artist").id
    with context.sessions.begin() as session:
        return invitations.payee_wallets(session, context.settings, list(emails), inviter)


def _tokens(sessions, email: str) -> list[str]:
    """The tokens of the invitation e-mails to `email` (sign-up also e-mails it a verification link)."""
    with sessions() as session:
        bodies = session.scalars(select(OutboxEmail.body).where(OutboxEmail.to_address == email,
                                                                OutboxEmail.subject == invitations.SUBJECT)
                                 .order_by(OutboxEmail.created_at)).all()
    return [re.search(r'"token": "([^"]+)"', body).group(1) for body in bodies]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.getMessage()} {record.__dict__}")


def test_an_invited_address_gets_a_held_wallet_and_one_email(api, sessions):
    records = _Records()
    logging.getLogger().addHandler(records)
    try:
        address = _invite(api, "lee@example.org")["lee@example.org"]
        again = _invite(api, "lee@example.org")["lee@example.org"]  # another artist, same address
    finally:
        logging.getLogger().removeHandler(records)
    assert again == address
    with sessions() as session:
        invitation = session.scalars(select(PayeeInvitation)).one()
        wallet = session.scalars(select(Wallet).where(Wallet.address == address)).one()
        email = session.scalars(select(OutboxEmail)).one()  # the token is still valid: no second e-mail
        key = unseal(wallet, Keyring.from_settings(api.app.state.context.settings))
    assert (wallet.user_id, wallet.kind, wallet.invitation_id) == (None, "custodial", invitation.id)
    assert key.address == address and bytes(key.key) not in bytes(wallet.encrypted_key)
    assert email.to_address == "lee@example.org" and address in email.body and email.sent_at is None
    [token] = _tokens(sessions, "lee@example.org")
    assert invitation.token_hash == invitations.token_hash(token)
    assert records.lines and not any(token in line for line in records.lines)


def test_the_invitee_accepts_once_and_the_wallet_is_theirs(api, sessions):
    context = api.app.state.context
    address = _invite(api, "lee@example.org")["lee@example.org"]
    [token] = _tokens(sessions, "lee@example.org")
    signed_up = api.post("/v1/auth/signup", json={"email": "Lee@Example.org", "password": "correct horse 42!"})
    headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}

    stranger = make_user(context.sessions, context.settings, "fan")
    refused = api.post("/v1/invitations/accept", json={"token": token}, headers=stranger.headers)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/invitation-not-yours")
    assert api.post("/v1/invitations/accept", json={"token": token}).status_code == 401
    unknown = api.post("/v1/invitations/accept", json={"token": "not-a-token"}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/invitation-not-found")

    accepted = api.post("/v1/invitations/accept", json={"token": token}, headers=headers)
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["wallet"]["address"] == address and accepted.json()["email"] == "lee@example.org"
    wallets = api.get("/v1/me/wallets", headers=headers).json()
    assert [(w["address"], w["kind"]) for w in wallets] == [(address, "custodial")]
    reused = api.post("/v1/invitations/accept", json={"token": token}, headers=headers)
    assert reused.status_code == 409 and reused.json()["type"].endswith("/invitation-already-accepted")

    user_id = signed_up.json()["user"]["id"]
    with sessions() as session:
        assert signer_for(session, user_id, Keyring.from_settings(context.settings)).address == address
    # Named by e-mail again: the account's wallet now, no new invitation or e-mail.
    assert _invite(api, "lee@example.org") == {"lee@example.org": address}
    with sessions() as session:
        assert count(session, PayeeInvitation) == 1 and len(_tokens(sessions, "lee@example.org")) == 1


def test_an_expired_token_is_refused_and_replaced(api, sessions):
    address = _invite(api, "lee@example.org")["lee@example.org"]
    [old] = _tokens(sessions, "lee@example.org")
    with sessions.begin() as session:
        session.scalars(select(PayeeInvitation)).one().expires_at = datetime.now(UTC) - timedelta(seconds=1)
    signed_up = api.post("/v1/auth/signup", json={"email": "lee@example.org", "password": "correct horse 42!"})
    headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}

    expired = api.post("/v1/invitations/accept", json={"token": old}, headers=headers)
    assert expired.status_code == 410 and expired.json()["type"].endswith("/invitation-expired")
    old_again, new = _tokens(sessions, "lee@example.org")  # the refusal e-mailed a new token
    assert old_again == old and new != old
    assert api.post("/v1/invitations/accept", json={"token": old}, headers=headers).status_code == 404
    accepted = api.post("/v1/invitations/accept", json={"token": new}, headers=headers)
    assert accepted.status_code == 200 and accepted.json()["wallet"]["address"] == address


def test_inviting_an_expired_invitation_again_sends_a_new_token_for_the_same_wallet(api, sessions):
    address = _invite(api, "lee@example.org")["lee@example.org"]
    with sessions.begin() as session:
        session.scalars(select(PayeeInvitation)).one().expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert _invite(api, "lee@example.org") == {"lee@example.org": address}
    assert len(_tokens(sessions, "lee@example.org")) == 2
    with sessions() as session:
        assert session.scalars(select(PayeeInvitation)).one().expires_at > datetime.now(UTC)


def test_an_existing_verified_account_is_paid_at_its_own_wallet(api, sessions):
    artist = make_user(api.app.state.context.sessions, api.app.state.context.settings, "artist",
                       email="ada@example.org", email_verified=True)
    own = api.post("/v1/me/wallets/custodial", headers=artist.headers).json()["address"]
    assert _invite(api, "ada@example.org") == {"ada@example.org": own}
    # An account without a wallet is invited like anyone (it accepts with the e-mailed token).
    make_user(api.app.state.context.sessions, api.app.state.context.settings, "fan", email="fan@example.org",
              email_verified=True)
    held = _invite(api, "fan@example.org")["fan@example.org"]
    with sessions() as session:
        assert session.scalars(select(Wallet).where(Wallet.address == held)).one().user_id is None
        assert count(session, PayeeInvitation) == 1


def test_an_artist_with_a_wallet_of_their_own_keeps_signing_with_it(api, sessions):
    context = api.app.state.context
    held = _invite(api, "ada@example.org")["ada@example.org"]
    [token] = _tokens(sessions, "ada@example.org")
    artist = make_user(context.sessions, context.settings, "artist", email="ada@example.org")
    own = api.post("/v1/me/wallets/custodial", headers=artist.headers).json()["address"]
    assert api.post("/v1/invitations/accept", json={"token": token}, headers=artist.headers).status_code == 200
    listed = {w["address"] for w in api.get("/v1/me/wallets", headers=artist.headers).json()}
    assert listed == {own, held}
    with sessions() as session:
        assert signer_for(session, artist.id, Keyring.from_settings(context.settings)).address == own


def test_bad_payees_are_refused_and_write_nothing(api, sessions):
    context = api.app.state.context
    artist = make_user(context.sessions, context.settings, "artist", email="ada@example.org",
                       email_verified=True)
    own = api.post("/v1/me/wallets/custodial", headers=artist.headers).json()["address"]
    cases = [
        ([{"email": "not an email", "share_percent": "100"}], "split[0].email"),
        ([{"address": B, "email": "lee@example.org", "share_percent": "100"}], "split[0]"),
        ([{"share_percent": "100"}], "split[0]"),
        ([{"email": "lee@example.org", "share_percent": "50"}, {"email": "LEE@example.org", "share_percent": "50"}],
         "split[1].email"),
        ([{"email": "lee@example.org", "share_percent": "60"}], "split"),
        ([{"address": own, "share_percent": "50"}, {"email": "ada@example.org", "share_percent": "50"}],
         "split[1].email"),
    ]
    for split, field in cases:
        response = api.post("/v1/works", json={**WORK, "split": split}, headers=artist.headers)
        assert response.status_code == 422, (split, response.json())
        problem = response.json()
        assert problem.get("field") == field or field in {e["field"] for e in problem.get("errors", [])}, problem
    # A valid payee whose request fails later (no contracts on this test's chain): the invitation is undone too.
    later = api.post("/v1/works", json={**WORK, "split": [{"email": "lee@example.org", "share_percent": "100"}]},
                     headers=artist.headers)
    assert later.status_code == 503, later.json()
    with sessions() as session:
        assert count(session, PayeeInvitation) == count(session, OutboxEmail) == count(session, RightsOperation) == 0
        assert count(session, Wallet) == 1
