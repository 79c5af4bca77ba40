import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from identity import passwords, tokens
from identity.errors import InvalidToken

SECRET = "s" * 40


def test_access_tokens_carry_the_claims_and_expire_after_15_minutes():
    user_id = uuid.uuid4()
    now = datetime.now(UTC).replace(microsecond=0)
    token = tokens.issue_access_token(user_id, ["artist", "fan"], SECRET, now)
    claims = tokens.decode_access_token(token, SECRET)
    assert claims.user_id == user_id and claims.roles == ("artist", "fan")
    assert claims.expires_at - claims.issued_at == timedelta(minutes=15) and claims.issued_at == now
    assert tokens.decode_access_token(tokens.issue_access_token(user_id, [], SECRET), SECRET).token_id != \
        claims.token_id
    with pytest.raises(InvalidToken, match="expired"):
        tokens.decode_access_token(tokens.issue_access_token(user_id, [], SECRET, now - timedelta(minutes=16)), SECRET)


@pytest.mark.parametrize("token", [
    jwt.encode({"sub": str(uuid.uuid4()), "roles": [], "iat": 0, "exp": 2**40, "jti": "a"}, "t" * 40),
    jwt.encode({"sub": str(uuid.uuid4()), "roles": [], "iat": 0, "exp": 2**40, "jti": "a"}, None, algorithm="none"),
    jwt.encode({"sub": str(uuid.uuid4()), "roles": [], "iat": 0, "exp": 2**40}, SECRET),  # no jti
    jwt.encode({"sub": "not-a-uuid", "roles": [], "iat": 0, "exp": 2**40, "jti": "a"}, SECRET),
    "a.b.c",
])
def test_foreign_or_incomplete_tokens_are_refused(token):
    with pytest.raises(InvalidToken):
        tokens.decode_access_token(token, SECRET)


def test_refresh_tokens_are_random_and_stored_as_sha256():
    first, second = tokens.new_refresh_token(), tokens.new_refresh_token()
    assert first != second and len(first) >= 43
    assert len(tokens.refresh_token_hash(first)) == 32 and first.encode() not in tokens.refresh_token_hash(first)


def test_passwords_are_argon2id_and_a_missing_hash_never_matches():
    stored = passwords.hash_password("a long enough password")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "a long enough password")
    assert not passwords.verify_password(stored, "a long enough passwore")
    assert not passwords.verify_password(None, "harmoni-dummy-password")
    assert not passwords.verify_password("not-a-hash", "x")
