"""The signed-in user's account, artist profile and wallets; who may call which endpoint."""

import pytest
from sqlalchemy import select, text

from identity.custody import Keyring, signer_for
from identity.models import ArtistProfile, Wallet
from tests.identity.factories import count, make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

PROFILE = {"display_name": "Ada Lovelace Trio", "bio": "Analytical jazz.",
           "links": [{"label": "Bandcamp", "url": "https://adatrio.bandcamp.com/"}]}


def _user(api, *roles):
    return make_user(api.app.state.context.sessions, api.app.state.context.settings, *roles)


def test_artist_profile_is_created_then_replaced(api, sessions):
    artist = _user(api, "artist")
    missing = api.get("/v1/me/artist-profile", headers=artist.headers)
    assert missing.status_code == 404 and missing.json()["type"].endswith("/artist-profile-not-found")
    created = api.put("/v1/me/artist-profile", json=PROFILE, headers=artist.headers)
    assert created.status_code == 200
    assert api.get("/v1/me/artist-profile", headers=artist.headers).json()["links"] == PROFILE["links"]
    replaced = api.put("/v1/me/artist-profile", json={"display_name": "Ada"}, headers=artist.headers).json()
    assert (replaced["display_name"], replaced["bio"], replaced["links"]) == ("Ada", "", [])
    with sessions() as session:
        assert count(session, ArtistProfile) == 1


def test_artist_profile_validation_names_the_field(api, sessions):
    artist = _user(api, "artist")
    response = api.put("/v1/me/artist-profile", headers=artist.headers,
                       json={"display_name": "", "links": [{"label": "site", "url": "not a url"}]})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"display_name", "links[0].url"}
    with sessions() as session:
        assert count(session, ArtistProfile) == 0


def test_custodial_wallet_is_created_once_and_its_key_stays_sealed(api, sessions):
    artist = _user(api, "artist")
    created = api.post("/v1/me/wallets/custodial", headers=artist.headers)
    assert created.status_code == 201
    address = created.json()["address"]
    assert created.json()["kind"] == "custodial" and "key" not in created.text.lower()
    listed = api.get("/v1/me/wallets", headers=artist.headers).json()
    assert [(w["address"], w["kind"]) for w in listed] == [(address, "custodial")]

    again = api.post("/v1/me/wallets/custodial", headers=artist.headers)
    assert again.status_code == 409 and again.json()["type"].endswith("/wallet-exists")
    with sessions() as session:
        assert count(session, Wallet) == 1
        signer = signer_for(session, artist.id, Keyring.from_settings(api.app.state.context.settings))
        row = session.execute(text("select row_to_json(w)::text from wallets w")).scalar_one()
        stored = session.scalars(select(Wallet)).one()
    assert signer.address == address
    key = bytes(signer.key)
    assert key not in bytes(stored.encrypted_key) and key.hex() not in row.lower()


# Who may call what: anonymous, fan, artist, admin (401 = sign in, 403 = wrong role).
MATRIX = [
    ("GET", "/v1/me", {"anonymous": 401, "fan": 200, "artist": 200, "admin": 200}),
    ("PUT", "/v1/me/artist-profile", {"anonymous": 401, "fan": 403, "artist": 200, "admin": 403}),
    ("GET", "/v1/me/artist-profile", {"anonymous": 401, "fan": 403, "artist": 200, "admin": 403}),
    ("GET", "/v1/me/wallets", {"anonymous": 401, "fan": 200, "artist": 200, "admin": 200}),
    ("POST", "/v1/me/wallets/custodial", {"anonymous": 401, "fan": 403, "artist": 201, "admin": 403}),
    ("POST", "/v1/auth/users/{target}/roles", {"anonymous": 401, "fan": 403, "artist": 403, "admin": 200}),
    ("DELETE", "/v1/auth/users/{target}/roles/auditor", {"anonymous": 401, "fan": 403, "artist": 403, "admin": 200}),
    ("POST", "/v1/auth/siwe/nonce", {"anonymous": 201, "fan": 201, "artist": 201, "admin": 201}),
]


def test_who_may_call_what(api):
    users = {"anonymous": None, **{role: _user(api, role) for role in ("fan", "artist", "admin")}}
    target = _user(api, "fan")
    bodies = {"/v1/me/artist-profile": PROFILE, "/v1/auth/users/{target}/roles": {"role": "auditor"}}
    seen, expected = {}, {}
    for method, path, statuses in MATRIX:
        for name, user in users.items():
            response = api.request(method, path.format(target=target.id), json=bodies.get(path),
                                   headers=user.headers if user else None)
            seen[(method, path, name)] = response.status_code
            expected[(method, path, name)] = statuses[name]
            if response.status_code in (401, 403):
                assert response.headers["content-type"] == "application/problem+json"
    assert seen == expected
