"""Sign-up, login, refresh rotation and reuse detection, logout, SIWE and role grants, through HTTP."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import select, update

from identity.models import RefreshToken, SiweNonce, User, Wallet
from identity.tokens import refresh_token_hash
from tests.identity.factories import PASSWORD, count, make_user, new_account, sign, siwe_message

PROBLEM = "application/problem+json"
# The test settings keep the development placeholder secret, shorter than HS256 would like.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _sign_up(api, email="ada@example.com", role="fan"):
    response = api.post("/v1/auth/signup", json={"email": email, "password": PASSWORD, "role": role})
    assert response.status_code == 201, response.text
    return response.json()


def _counts(sessions):
    with sessions() as session:
        return {model.__tablename__: count(session, model) for model in (User, RefreshToken, Wallet, SiweNonce)}


def test_sign_up_issues_a_token_pair_for_a_fan(api, sessions):
    body = _sign_up(api, email="  Ada@Example.COM ")
    assert body["user"]["email"] == "ada@example.com" and body["user"]["roles"] == ["fan"]
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    claims = jwt.decode(body["access_token"], api.app.state.context.settings.secret_key.get_secret_value(),
                        algorithms=["HS256"])
    assert claims["sub"] == body["user"]["id"] and claims["roles"] == ["fan"]
    assert claims["exp"] - claims["iat"] == 900 and len(claims["jti"]) == 32
    me = api.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == body["user"]["id"]
    with sessions() as session:
        user = session.scalars(select(User)).one()
        stored = session.scalars(select(RefreshToken)).one()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert stored.token_hash == refresh_token_hash(body["refresh_token"])  # only the hash is kept


def test_a_token_signed_with_the_old_development_secret_is_refused(api):
    """`change-me` signed valid tokens, in test too (issue #12, item 11): the test API has a generated secret."""
    user = make_user(api.app.state.context.sessions, api.app.state.context.settings, "admin")
    forged = jwt.encode({"sub": str(user.id), "roles": ["admin"], "iat": int(datetime.now(UTC).timestamp()),
                         "exp": int(datetime.now(UTC).timestamp()) + 600, "jti": "f" * 32}, "change-me",
                        algorithm="HS256")
    response = api.get("/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.json()["type"].endswith("/invalid-token")
    assert api.get("/v1/me", headers=user.headers).status_code == 200


def test_sign_up_as_an_artist(api):
    assert _sign_up(api, role="artist")["user"]["roles"] == ["artist"]
    refused = api.post("/v1/auth/signup", json={"email": "b@example.com", "password": PASSWORD, "role": "admin"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "role"


def test_duplicate_of_a_verified_email_is_409_and_writes_nothing(api, sessions):
    _sign_up(api)
    with sessions.begin() as session:  # an unverified holder would be claimed from (tests/api/test_email_claims.py)
        session.execute(update(User).where(User.email == "ada@example.com").values(email_verified_at=datetime.now(UTC)))
    before = _counts(sessions)
    response = api.post("/v1/auth/signup", json={"email": "ADA@example.com", "password": PASSWORD + "!"})
    assert response.status_code == 409 and response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/email-taken")
    assert _counts(sessions) == before


def test_validation_errors_name_the_field_and_never_echo_the_password(api, sessions):
    response = api.post("/v1/auth/signup", json={"email": "not-an-email", "password": "tiny-pass"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"email", "password"}
    assert "tiny-pass" not in response.text
    assert _counts(sessions)["users"] == 0


def test_login_refuses_wrong_password_and_unknown_email_alike(api):
    _sign_up(api)
    ok = api.post("/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["user"]["email"] == "ada@example.com"
    wrong = api.post("/v1/auth/login", json={"email": "ada@example.com", "password": "not the password"})
    unknown = api.post("/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    for response in (wrong, unknown):
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert response.json()["type"].endswith("/invalid-credentials")
        assert PASSWORD not in response.text
    assert wrong.json() == unknown.json()


def test_refresh_rotates_within_one_family(api, sessions):
    first = _sign_up(api)["refresh_token"]
    second = api.post("/v1/auth/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    pair = second.json()
    assert pair["refresh_token"] != first and pair["refresh_expires_in"] == 30 * 86400
    assert api.get("/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"}).status_code == 200
    third = api.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert third.status_code == 200
    with sessions() as session:
        rows = {bytes(r.token_hash): r for r in session.scalars(select(RefreshToken))}
    a, b, c = (rows[refresh_token_hash(t)] for t in (first, pair["refresh_token"], third.json()["refresh_token"]))
    assert a.family_id == b.family_id == c.family_id
    assert (b.parent_id, c.parent_id) == (a.id, b.id)
    assert a.used_at is not None and b.used_at is not None and c.used_at is None
    assert all(r.revoked_at is None for r in rows.values())


def test_reusing_a_rotated_refresh_token_revokes_the_family(api, sessions):
    first = _sign_up(api)["refresh_token"]
    other_login = api.post("/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}).json()
    second = api.post("/v1/auth/refresh", json={"refresh_token": first}).json()["refresh_token"]

    reused = api.post("/v1/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401 and reused.json()["type"].endswith("/refresh-token-reused")
    assert 'error="invalid_token"' in reused.headers["www-authenticate"]
    # The refusal was committed: the legitimate holder's newer token is dead too.
    after = api.post("/v1/auth/refresh", json={"refresh_token": second})
    assert after.status_code == 401 and after.json()["type"].endswith("/invalid-token")
    with sessions() as session:
        family = session.scalars(select(RefreshToken).where(
            RefreshToken.token_hash == refresh_token_hash(first))).one().family_id
        rows = session.scalars(select(RefreshToken)).all()
    assert all(r.revoked_at is not None for r in rows if r.family_id == family)
    # Another login of the same user is another family, untouched.
    assert api.post("/v1/auth/refresh", json={"refresh_token": other_login["refresh_token"]}).status_code == 200


def test_logout_revokes_the_family(api):
    pair = _sign_up(api)
    rotated = api.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).json()["refresh_token"]
    assert api.post("/v1/auth/logout", json={"refresh_token": rotated}).status_code == 204
    response = api.post("/v1/auth/refresh", json={"refresh_token": rotated})
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    unknown = api.post("/v1/auth/logout", json={"refresh_token": "never-issued"})
    assert unknown.status_code == 401 and unknown.json()["type"].endswith("/invalid-token")


def test_expired_or_unknown_refresh_tokens_are_refused(api, sessions):
    token = _sign_up(api)["refresh_token"]
    with sessions.begin() as session:
        session.execute(update(RefreshToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    expired = api.post("/v1/auth/refresh", json={"refresh_token": token})
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert api.post("/v1/auth/refresh", json={"refresh_token": token + "x"}).status_code == 401


def test_bearer_tokens_are_checked(api):
    user = make_user(api.app.state.context.sessions, api.app.state.context.settings, "fan")
    secret = api.app.state.context.settings.secret_key.get_secret_value()
    missing = api.get("/v1/me")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["type"].endswith("/unauthenticated")
    old = datetime.now(UTC) - timedelta(minutes=16)
    forged = {"sub": str(user.id), "roles": ["admin"], "iat": int(old.timestamp()) + 120,
              "exp": int(old.timestamp()) + 10**6, "jti": "x"}
    for token in (jwt.encode({**forged, "exp": int(old.timestamp()) + 900, "iat": int(old.timestamp())}, secret),
                  jwt.encode(forged, "another-secret-of-32-characters!!"),
                  jwt.encode(forged, None, algorithm="none"),
                  "not-a-jwt"):
        response = api.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and response.json()["type"].endswith("/invalid-token"), token
    assert api.get("/v1/me", headers=user.headers).json()["roles"] == ["fan"]


# Sign-In With Ethereum


def _nonce(api, purpose=None, headers=None) -> str:
    response = api.post("/v1/auth/siwe/nonce", json={"purpose": purpose} if purpose else None, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["domain"] == "127.0.0.1:8000" and body["chain_id"] == 31337
    assert body["purpose"] == (purpose or "login") and body["uri"] == "http://127.0.0.1:8000"
    return body["nonce"]


def _verify(api, account, message, purpose="login", headers=None, signer=None):
    text = message.to_text()
    return api.post("/v1/auth/siwe/verify", headers=headers,
                    json={"message": text, "signature": sign(signer or account, text), "purpose": purpose})


def test_siwe_login_creates_a_fan_account_once(api, sessions):
    account = new_account()
    first = _verify(api, account, siwe_message(account, _nonce(api)))
    assert first.status_code == 200, first.text
    user = first.json()["user"]
    assert user["roles"] == ["fan"] and user["email"] is None
    again = _verify(api, account, siwe_message(account, _nonce(api)))
    assert again.status_code == 200 and again.json()["user"]["id"] == user["id"]
    wallets = api.get("/v1/me/wallets", headers={"Authorization": f"Bearer {again.json()['access_token']}"}).json()
    assert [(w["address"], w["kind"]) for w in wallets] == [(account.address, "linked")]
    with sessions() as session:
        assert count(session, User) == 1
        assert all(n.used_at is not None for n in session.scalars(select(SiweNonce)))


def _expire_nonces(sessions):
    with sessions.begin() as session:
        session.execute(update(SiweNonce).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))


REJECTIONS = {
    "wrong domain": (lambda a, n: siwe_message(a, n, domain="evil.example"), None, 422, "siwe-domain-mismatch"),
    "wrong chain": (lambda a, n: siwe_message(a, n, chain_id=137), None, 422, "siwe-chain-mismatch"),
    "bad signature": (lambda a, n: siwe_message(a, n), "other signer", 401, "siwe-signature-invalid"),
    "expired message": (lambda a, n: siwe_message(a, n, expiration_time=datetime.now(UTC) - timedelta(seconds=5)),
                        None, 422, "siwe-message-expired"),
    "issued in the future": (lambda a, n: siwe_message(a, n, issued_at=datetime.now(UTC) + timedelta(hours=1)),
                             None, 422, "siwe-message-expired"),
    "expired nonce": (lambda a, n: siwe_message(a, n), "expire nonces", 422, "siwe-nonce-invalid"),
    "unknown nonce": (lambda a, n: siwe_message(a, "abcdef0123456789"), None, 422, "siwe-nonce-invalid"),
    # The probe's: a URI elsewhere, and an `Issued At` of 2020 with a fresh nonce.
    "foreign URI": (lambda a, n: replace(siwe_message(a, n), uri="https://evil.example"), None, 422,
                    "siwe-domain-mismatch"),
    "issued long ago": (lambda a, n: siwe_message(a, n, issued_at=datetime(2020, 1, 1, tzinfo=UTC)), None, 422,
                        "siwe-message-expired"),
}


@pytest.mark.parametrize("case", REJECTIONS)
def test_siwe_rejections_are_documented_4xx_and_write_nothing(api, sessions, case):
    build, twist, status, slug = REJECTIONS[case]
    account = new_account()
    message = build(account, _nonce(api))
    if twist == "expire nonces":
        _expire_nonces(sessions)
    before = _counts(sessions)
    response = _verify(api, account, message, signer=new_account() if twist == "other signer" else None)
    assert response.status_code == status and response.json()["type"].endswith("/" + slug), response.text
    assert response.headers["content-type"] == PROBLEM
    assert _counts(sessions) == before
    with sessions() as session:
        assert all(n.used_at is None for n in session.scalars(select(SiweNonce)))
    documented = api.get("/openapi.json").json()["paths"]["/v1/auth/siwe/verify"]["post"]["responses"]
    assert slug in documented[str(status)]["description"]


def test_a_nonce_is_single_use(api, sessions):
    account = new_account()
    message = siwe_message(account, _nonce(api))
    assert _verify(api, account, message).status_code == 200
    before = _counts(sessions)
    replay = _verify(api, account, message)
    assert replay.status_code == 422 and "already used" in replay.json()["detail"]
    assert _counts(sessions) == before


def test_a_malformed_message_is_422(api):
    response = api.post("/v1/auth/siwe/verify", json={"message": "hello", "signature": "0x" + "00" * 65})
    assert response.status_code == 422 and response.json()["type"].endswith("/siwe-message-invalid")


def test_siwe_link_adds_the_wallet_to_the_bearers_account(api, sessions):
    context = api.app.state.context
    artist = make_user(context.sessions, context.settings, "artist")
    account = new_account()
    anonymous = _verify(api, account, siwe_message(account, _nonce(api)), purpose="link")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert api.post("/v1/auth/siwe/nonce", json={"purpose": "link"}).status_code == 401  # to link, say to whom

    linked = _verify(api, account, siwe_message(account, _nonce(api, "link", artist.headers)), purpose="link",
                     headers=artist.headers)
    assert linked.status_code == 200 and linked.json()["address"] == account.address
    assert linked.json()["kind"] == "linked"
    assert [w["address"] for w in api.get("/v1/me/wallets", headers=artist.headers).json()] == [account.address]
    login = _verify(api, account, siwe_message(account, _nonce(api)))
    assert login.json()["user"]["id"] == str(artist.id)

    someone_else = make_user(context.sessions, context.settings, "fan")
    before = _counts(sessions)
    taken = _verify(api, account, siwe_message(account, _nonce(api, "link", someone_else.headers)), purpose="link",
                    headers=someone_else.headers)
    assert taken.status_code == 409 and taken.json()["type"].endswith("/wallet-taken")
    assert _counts(sessions)["wallets"] == before["wallets"]


def test_a_siwe_nonce_works_only_for_its_purpose_and_account(api, sessions):
    """The probe's replay: wallet A signs in; another account sends that message with `purpose: link`."""
    context = api.app.state.context
    victim, attacker = new_account(), make_user(context.sessions, context.settings, "artist")
    login_message = siwe_message(victim, _nonce(api))
    before = _counts(sessions)
    replayed = _verify(api, victim, login_message, purpose="link", headers=attacker.headers)
    assert replayed.status_code == 422 and replayed.json()["type"].endswith("/siwe-nonce-invalid")
    assert "issued for login, not link" in replayed.json()["detail"]
    assert _counts(sessions) == before
    assert _verify(api, victim, login_message).status_code == 200  # still good for what it was signed for

    # A link nonce asked for by one account does not link to another.
    owner = make_user(context.sessions, context.settings, "artist")
    wallet = new_account()
    message = siwe_message(wallet, _nonce(api, "link", owner.headers))
    stolen = _verify(api, wallet, message, purpose="link", headers=attacker.headers)
    assert stolen.status_code == 422 and "another account" in stolen.json()["detail"]
    as_login = _verify(api, wallet, message)
    assert as_login.status_code == 422 and "issued for link, not login" in as_login.json()["detail"]
    assert _verify(api, wallet, message, purpose="link", headers=owner.headers).status_code == 200


# Roles


def test_admins_grant_and_revoke_roles(api):
    context = api.app.state.context
    admin = make_user(context.sessions, context.settings, "admin")
    fan = make_user(context.sessions, context.settings, "fan")
    assert api.get("/v1/me/artist-profile", headers=fan.headers).status_code == 403
    granted = api.post(f"/v1/auth/users/{fan.id}/roles", json={"role": "artist"}, headers=admin.headers)
    assert granted.status_code == 200 and granted.json()["roles"] == ["fan", "artist"]
    # Roles are read from the database: the fan's existing token now opens artist endpoints.
    assert api.get("/v1/me/artist-profile", headers=fan.headers).status_code == 404
    revoked = api.delete(f"/v1/auth/users/{fan.id}/roles/artist", headers=admin.headers)
    assert revoked.status_code == 200 and revoked.json()["roles"] == ["fan"]
    self_demotion = api.delete(f"/v1/auth/users/{admin.id}/roles/admin", headers=admin.headers)
    assert self_demotion.status_code == 409 and self_demotion.json()["type"].endswith("/role-change-refused")
    missing = api.post("/v1/auth/users/00000000-0000-0000-0000-000000000000/roles", json={"role": "fan"},
                       headers=admin.headers)
    assert missing.status_code == 404
    assert api.post(f"/v1/auth/users/{fan.id}/roles", json={"role": "king"}, headers=admin.headers).json()[
        "errors"][0]["field"] == "role"
