"""Address claims (issue #12, item 1's residue): whoever signs up first with someone's address, never verifying
it, does not keep the real owner out. The owner's sign-up answers as any sign-up does (it reveals nothing about the
address), the link goes to the address, and following it moves the address to the owner's account, verified."""

import pytest
from sqlalchemy import select, update

from identity import verification
from identity.models import OutboxEmail, User
from tests.identity.factories import PASSWORD, verification_link_token

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
LEE = "lee@example.org"


def _sign_up(api, email, password=PASSWORD):
    return api.post("/v1/auth/signup", json={"email": email, "password": password, "role": "fan"})


def _headers(response):
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _links_to(sessions, email):
    with sessions() as session:
        return session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == email,
                                                         OutboxEmail.subject == verification.SUBJECT)).all()


def _shape(response):
    """What a sign-up answers, less what differs between any two accounts (ids, tokens, times)."""
    body = response.json()
    user = {key: value for key, value in body["user"].items() if key not in ("id", "created_at")}
    return response.status_code, sorted(body), user, response.headers["content-type"]


def test_a_held_unverified_address_answers_as_a_free_one_and_the_link_moves_it(api, sessions):
    squatter = _sign_up(api, LEE)
    owner = _sign_up(api, LEE, password=PASSWORD + " (the owner)")
    free = _sign_up(api, "free@example.org")
    assert _shape(owner) == _shape(squatter)
    assert _shape(owner)[2] == {**_shape(free)[2], "email": LEE}  # same status, keys and user fields as a free one
    assert owner.json()["user"]["email"] == LEE and owner.json()["user"]["email_verified"] is None
    assert len(_links_to(sessions, LEE)) == 2  # each sign-up e-mailed its own link to the address
    assert api.get("/v1/me", headers=_headers(owner)).json()["email"] == LEE

    with sessions() as session:
        owner_link = verification_link_token(session, LEE)  # the newest link to the address
        bodies = session.scalars(select(OutboxEmail.body).where(OutboxEmail.to_address == LEE)
                                 .order_by(OutboxEmail.created_at)).all()
    assert "loses it" in bodies[-1] and "loses it" not in bodies[0]  # the owner is told the address moves
    confirmed = api.get("/v1/auth/verify-email", params={"token": owner_link})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["id"] == owner.json()["user"]["id"]
    assert confirmed.json()["email"] == LEE and confirmed.json()["email_verified"] is not None

    # The address is the owner's now: the squatter's account lost it, and the owner signs in with it.
    assert api.get("/v1/me", headers=_headers(squatter)).json()["email"] is None
    login = api.post("/v1/auth/login", json={"email": LEE, "password": PASSWORD + " (the owner)"})
    assert login.status_code == 200 and login.json()["user"]["id"] == owner.json()["user"]["id"]
    assert api.post("/v1/auth/login", json={"email": LEE, "password": PASSWORD}).status_code == 401
    with sessions() as session:
        rows = session.scalars(select(User).where((User.email == LEE) | (User.claimed_email == LEE))).all()
    assert [str(row.id) for row in rows] == [owner.json()["user"]["id"]] and rows[0].claimed_email is None


def test_the_squatters_own_link_is_spent_once_the_address_moved(api, sessions):
    _sign_up(api, LEE)
    with sessions() as session:
        squatter_link = verification_link_token(session, LEE)
    _sign_up(api, LEE, password=PASSWORD + "!")
    with sessions() as session:
        owner_link = verification_link_token(session, LEE)
    assert api.get("/v1/auth/verify-email", params={"token": owner_link}).status_code == 200
    refused = api.get("/v1/auth/verify-email", params={"token": squatter_link})
    assert refused.status_code == 422 and refused.json()["type"].endswith("/email-verification-invalid")


def test_of_two_claims_the_first_confirmed_wins(api, sessions):
    _sign_up(api, LEE)
    first = _sign_up(api, LEE, password=PASSWORD + " one")
    with sessions() as session:
        first_link = verification_link_token(session, LEE)
    second = _sign_up(api, LEE, password=PASSWORD + " two")
    with sessions() as session:
        second_link = verification_link_token(session, LEE)
    assert api.get("/v1/auth/verify-email", params={"token": first_link}).status_code == 200
    late = api.get("/v1/auth/verify-email", params={"token": second_link})
    assert late.status_code == 409 and late.json()["type"].endswith("/email-already-verified")
    assert api.get("/v1/me", headers=_headers(first)).json()["email"] == LEE
    assert api.get("/v1/me", headers=_headers(second)).json()["email_verified"] is None


def test_a_verified_address_is_not_claimed(api, sessions):
    holder = _sign_up(api, LEE)
    with sessions.begin() as session:
        session.execute(update(User).where(User.email == LEE).values(email_verified_at=User.created_at))
    refused = _sign_up(api, LEE, password=PASSWORD + "!")
    assert refused.status_code == 409 and refused.json()["type"].endswith("/email-taken")
    assert len(_links_to(sessions, LEE)) == 1
    assert api.get("/v1/me", headers=_headers(holder)).json()["email"] == LEE


def test_a_claim_link_can_be_asked_for_again(api, sessions):
    _sign_up(api, LEE)
    owner = _sign_up(api, LEE, password=PASSWORD + "!")
    again = api.post("/v1/me/email-verification", headers=_headers(owner))
    assert again.status_code == 202, again.text
    with sessions() as session:
        link = verification_link_token(session, LEE)
    confirmed = api.get("/v1/auth/verify-email", params={"token": link})
    assert confirmed.status_code == 200 and confirmed.json()["id"] == owner.json()["user"]["id"]
