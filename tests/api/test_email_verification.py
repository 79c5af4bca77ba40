"""E-mail verification: the signed, single-use, expiring link; `/v1/me` shows it; e-mail payees need it.

The attack this guards against (issue #12, item 1): someone signs up first with a payee's address, makes a
wallet, and waits for an artist to name that address in a split.
"""

import re
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import select

from identity import invitations, verification
from identity.models import OutboxEmail, PayeeInvitation, User, Wallet
from tests.identity.factories import (
    PASSWORD,
    count,
    make_user,
    new_account,
    sign,
    siwe_message,
    verification_link_token,
)

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _sign_up(api, email, role="fan"):
    response = api.post("/v1/auth/signup", json={"email": email, "password": PASSWORD, "role": role})
    assert response.status_code == 201, response.text
    body = response.json()
    return body, {"Authorization": f"Bearer {body['access_token']}"}


def _payee(api, email, inviter) -> str:
    with api.app.state.context.sessions.begin() as session:
        return invitations.payee_wallets(session, api.app.state.context.settings, [email], inviter)[email]


def _invitation_tokens(sessions, email):
    with sessions() as session:
        bodies = session.scalars(select(OutboxEmail.body).where(
            OutboxEmail.to_address == email, OutboxEmail.subject == invitations.SUBJECT)).all()
    return [re.search(r'"token": "([^"]+)"', body).group(1) for body in bodies]


def test_sign_up_emails_a_link_that_verifies_once(api, sessions):
    body, headers = _sign_up(api, "ada@example.org")
    assert body["user"]["email_verified"] is None
    assert api.get("/v1/me", headers=headers).json()["email_verified"] is None
    with sessions() as session:
        email = session.scalars(select(OutboxEmail).where(OutboxEmail.subject == verification.SUBJECT)).one()
        token = verification_link_token(session, "ada@example.org")
    assert email.to_address == "ada@example.org" and "http://127.0.0.1:8000/v1/auth/verify-email?token=" in email.body

    confirmed = api.get("/v1/auth/verify-email", params={"token": token})
    assert confirmed.status_code == 200, confirmed.text
    verified_at = datetime.fromisoformat(confirmed.json()["email_verified"])
    assert abs(verified_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert api.get("/v1/me", headers=headers).json()["email_verified"] == confirmed.json()["email_verified"]

    again = api.get("/v1/auth/verify-email", params={"token": token})
    assert again.status_code == 409 and again.json()["type"].endswith("/email-already-verified")
    resend = api.post("/v1/me/email-verification", headers=headers)
    assert resend.status_code == 409 and resend.json()["type"].endswith("/email-already-verified")


def test_forged_expired_and_foreign_tokens_are_refused(api, sessions):
    body, _ = _sign_up(api, "ada@example.org")
    settings = api.app.state.context.settings
    with sessions() as session:
        user = session.get(User, body["user"]["id"])
        expired = verification.issue_token(settings, user, now=datetime.now(UTC) - timedelta(days=30))
        token = verification_link_token(session, "ada@example.org")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-secret-key-of-this-platform", algorithm="HS256")
    other_address = jwt.encode({**claims, "email": "eve@example.org"}, settings.secret_key.get_secret_value(),
                               algorithm="HS256")
    cases = {
        expired: (410, "email-verification-expired"),
        forged: (422, "email-verification-invalid"),
        other_address: (422, "email-verification-invalid"),
        body["access_token"]: (422, "email-verification-invalid"),  # an access token is no verification link
        "garbage": (422, "email-verification-invalid"),
    }
    for value, (status, slug) in cases.items():
        response = api.get("/v1/auth/verify-email", params={"token": value})
        assert response.status_code == status and response.json()["type"].endswith("/" + slug), response.json()
        assert response.headers["content-type"] == "application/problem+json"
    # …and a verification link is no access token.
    assert api.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with sessions() as session:
        assert session.get(User, body["user"]["id"]).email_verified_at is None


def test_resend_sends_a_new_link_and_is_throttled(api, sessions):
    _, headers = _sign_up(api, "ada@example.org")
    limit = api.app.state.context.settings.email_verifications_per_hour
    for _ in range(limit):
        sent = api.post("/v1/me/email-verification", headers=headers)
        assert sent.status_code == 202 and sent.json()["sent_to"] == "ada@example.org"
    refused = api.post("/v1/me/email-verification", headers=headers)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json()["type"].endswith("/rate-limited")
    with sessions() as session:
        sent = session.scalars(select(OutboxEmail).where(OutboxEmail.subject == verification.SUBJECT)).all()
        token = verification_link_token(session, "ada@example.org")
    assert len(sent) == 1 + limit
    assert api.get("/v1/auth/verify-email", params={"token": token}).status_code == 200


def test_a_wallet_only_account_has_nothing_to_verify(api):
    account = new_account()
    nonce = api.post("/v1/auth/siwe/nonce").json()["nonce"]
    text = siwe_message(account, nonce).to_text()
    login = api.post("/v1/auth/siwe/verify", json={"message": text, "signature": sign(account, text)}).json()
    response = api.post("/v1/me/email-verification", headers={"Authorization": f"Bearer {login['access_token']}"})
    assert response.status_code == 409 and response.json()["type"].endswith("/no-email-address")


def test_signing_up_first_with_a_payees_email_does_not_capture_their_royalties(api, sessions):
    """The probe's attack: the squatter's wallet must not go on chain, and the real payee gets an invitation."""
    context = api.app.state.context
    _, squatter = _sign_up(api, "lee@example.org", role="artist")
    own = api.post("/v1/me/wallets/custodial", headers=squatter).json()["address"]
    artist = make_user(context.sessions, context.settings, "artist")

    paid_at = _payee(api, "lee@example.org", artist.id)
    assert paid_at != own
    with sessions() as session:
        held = session.scalars(select(Wallet).where(Wallet.address == paid_at)).one()
        invitation = session.scalars(select(PayeeInvitation)).one()
    assert held.user_id is None and held.invitation_id == invitation.id and invitation.email == "lee@example.org"
    [token] = _invitation_tokens(sessions, "lee@example.org")  # goes to the mailbox, which the squatter lacks

    # Whoever reads lee's mail accepts it, and that proves the address: the account is verified from then on.
    accepted = api.post("/v1/invitations/accept", json={"token": token}, headers=squatter)
    assert accepted.status_code == 200
    assert api.get("/v1/me", headers=squatter).json()["email_verified"] is not None


def test_a_verified_account_is_paid_at_its_own_wallet(api, sessions):
    context = api.app.state.context
    _, headers = _sign_up(api, "lee@example.org", role="artist")
    own = api.post("/v1/me/wallets/custodial", headers=headers).json()["address"]
    with sessions() as session:
        token = verification_link_token(session, "lee@example.org")
    assert api.get("/v1/auth/verify-email", params={"token": token}).status_code == 200
    artist = make_user(context.sessions, context.settings, "artist")
    assert _payee(api, "lee@example.org", artist.id) == own
    with sessions() as session:
        assert count(session, PayeeInvitation) == 0


def test_a_fan_with_a_siwe_linked_wallet_is_paid_there_only_once_verified(api, sessions):
    context = api.app.state.context
    fan = make_user(context.sessions, context.settings, "fan", email="fan@example.org")
    account = new_account()
    nonce = api.post("/v1/auth/siwe/nonce", json={"purpose": "link"}, headers=fan.headers).json()["nonce"]
    text = siwe_message(account, nonce).to_text()
    linked = api.post("/v1/auth/siwe/verify", headers=fan.headers,
                      json={"message": text, "signature": sign(account, text), "purpose": "link"})
    assert linked.status_code == 200, linked.json()
    artist = make_user(context.sessions, context.settings, "artist")

    unverified = _payee(api, "fan@example.org", artist.id)
    assert unverified != account.address
    with sessions() as session:
        assert session.scalars(select(Wallet).where(Wallet.address == unverified)).one().user_id is None
        session.get(User, fan.id).email_verified_at = datetime.now(UTC)
        session.commit()
    # A pending invitation keeps its wallet (rule 1); a fresh address of a verified fan goes to the linked wallet.
    assert _payee(api, "fan@example.org", artist.id) == unverified
    other = make_user(context.sessions, context.settings, "fan", email="other@example.org", email_verified=True)
    other_account = new_account()
    nonce = api.post("/v1/auth/siwe/nonce", json={"purpose": "link"}, headers=other.headers).json()["nonce"]
    text = siwe_message(other_account, nonce).to_text()
    assert api.post("/v1/auth/siwe/verify", headers=other.headers,
                    json={"message": text, "signature": sign(other_account, text), "purpose": "link"}
                    ).status_code == 200
    assert _payee(api, "other@example.org", artist.id) == other_account.address
