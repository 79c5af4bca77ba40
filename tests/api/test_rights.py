"""End to end: sign up as an artist, register a work with a split through the relayer, follow the
operation until the indexer has it, and read it back with the block it reflects."""

import re

import pytest
from eth_account.messages import encode_typed_data
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from chain.wallets import anvil_dev_account
from harmoni.db import normalize_url
from identity import invitations
from identity.models import OutboxEmail, PayeeInvitation, User, Wallet
from ledger.registration import RightsOperation
from tests.api.conftest import index_chain as _index

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
B = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


def _artist(client) -> dict:
    signed_up = client.post("/v1/auth/signup", json={"email": "ada@example.org", "password": "correct horse 42!",
                                                      "role": "artist"})
    assert signed_up.status_code == 201, signed_up.json()
    headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}
    assert client.post("/v1/me/wallets/custodial", headers=headers).status_code == 201
    return headers


def test_register_a_work_and_read_it_back(live_api, chain):
    headers = _artist(live_api)
    wallet = live_api.get("/v1/me/wallets", headers=headers).json()[0]["address"]
    body = {"title": "Blue Hour", "iswc": "T-034.524.680-1", "contributors": [{"name": "Ada", "role": "composer"}],
            "split": [{"address": wallet, "share_percent": "70"}, {"address": B, "share_percent": "30"}]}
    accepted = live_api.post("/v1/works", json=body, headers={**headers, "Idempotency-Key": "blue-hour-1"})
    assert accepted.status_code == 202, accepted.json()
    operation = accepted.json()
    assert operation["metadata_uri"].startswith("ipfs://bafkrei")
    again = live_api.post("/v1/works", json=body, headers={**headers, "Idempotency-Key": "blue-hour-1"})
    assert again.json()["id"] == operation["id"]  # a retried request is the same operation

    _index(live_api, chain)
    done = live_api.get(f"/v1/operations/{operation['id']}", headers=headers).json()
    assert done["status"] == "confirmed" and done["asset_id"] is not None, done
    assert done["metadata_uri"] == operation["metadata_uri"]
    replayed = live_api.post("/v1/works", json=body, headers={**headers, "Idempotency-Key": "blue-hour-1"})
    assert replayed.status_code == 200 and replayed.json() == done  # the operation as it stands, not "pending"
    detail = live_api.get(f"/v1/assets/{done['asset_id']}")
    asset = detail.json()["data"]
    assert asset["controller"] == wallet and asset["industry_code"] == "T0345246801"
    assert asset["metadata_uri"] == operation["metadata_uri"]
    assert asset["split"]["allocations"] == ([300_000, 700_000] if int(B, 16) < int(wallet, 16)
                                             else [700_000, 300_000])
    assert int(detail.headers["x-harmoni-block"]) >= done["block_number"]


def test_bad_registrations_are_refused_and_write_nothing(live_api, chain):
    headers = _artist(live_api)
    wallet = live_api.get("/v1/me/wallets", headers=headers).json()[0]["address"]
    cases = [
        ({"iswc": "T-034.524.680-2"}, 422, "iswc"),
        ({"split": [{"address": wallet, "share_percent": "90"}]}, 422, "split"),
        ({"split": [{"address": wallet, "share_percent": "50"}, {"address": wallet.lower(),
                                                                 "share_percent": "50"}]}, 422, "split[1].address"),
        ({"split": [{"address": "0xnope", "share_percent": "100"}]}, 422, "split[0].address"),
        # a JSON number with more digits than a float keeps, or than 4 decimals: refused, never rounded
        ({"split": [{"address": wallet, "share_percent": 33.33333333333333333},
                    {"address": B, "share_percent": 66.66666666666666667}]}, 422, "split[0].share_percent"),
        ({"split": [{"address": wallet, "share_percent": True}]}, 422, "split[0].share_percent"),
        ({"split": [{"address": wallet, "share_percent": "Infinity"}]}, 422, "split[0].share_percent"),
        ({"split": [{"address": wallet, "share_percent": 1e300}]}, 422, "split[0].share_percent"),
    ]
    base = {"title": "x", "iswc": "T-034.524.680-1", "split": [{"address": wallet, "share_percent": "100"}]}
    engine = create_engine(normalize_url(live_api.database_url))
    for change, status, field in cases:
        response = live_api.post("/v1/works", json={**base, **change}, headers=headers)
        assert response.status_code == status, (change, response.json())
        assert response.json()["field"] == field
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(RightsOperation.__table__)).scalar() == 0
    numbers = live_api.post("/v1/works", headers=headers, json={
        **base, "split": [{"address": wallet, "share_percent": 66.5}, {"address": B, "share_percent": 33.5}]})
    assert numbers.status_code == 202, numbers.json()  # numbers are percent as written, like strings
    fan = live_api.post("/v1/auth/signup", json={"email": "fan@example.org", "password": "correct horse 42!"})
    fan_headers = {"Authorization": f"Bearer {fan.json()['access_token']}"}
    assert live_api.post("/v1/works", json=base, headers=fan_headers).status_code == 403
    assert live_api.post("/v1/works", json=base).status_code == 401
    engine.dispose()


def test_change_split_and_hand_over_control(live_api, chain):
    headers = _artist(live_api)
    wallet = live_api.get("/v1/me/wallets", headers=headers).json()[0]["address"]
    work = {"title": "Dusk", "iswc": "T-345.246.800-3", "split": [{"address": wallet, "share_percent": "100"}]}
    registered = live_api.post("/v1/works", json=work, headers=headers).json()
    _index(live_api, chain)
    asset_id = live_api.get(f"/v1/operations/{registered['id']}", headers=headers).json()["asset_id"]

    new_split = {"split": [{"address": wallet, "share_percent": "50"}, {"address": B, "share_percent": "50"}]}
    changed = live_api.post(f"/v1/assets/{asset_id}/split", json=new_split, headers=headers)
    assert changed.status_code == 202, changed.json()
    handed = live_api.post(f"/v1/assets/{asset_id}/controller", json={"new_controller": B}, headers=headers)
    assert handed.status_code == 202, handed.json()
    _index(live_api, chain)
    for operation in (changed.json(), handed.json()):
        assert live_api.get(f"/v1/operations/{operation['id']}", headers=headers).json()["status"] == "confirmed"
    detail = live_api.get(f"/v1/assets/{asset_id}").json()
    assert [v["version"] for v in detail["split_history"]] == [1, 2]
    assert detail["data"]["split"]["allocations"] == [500_000, 500_000]
    assert detail["data"]["pending_controller"] == B
    assert detail["controller_history"][-1]["change"] == "started"

    other = live_api.post("/v1/auth/signup", json={"email": "bob@example.org", "password": "correct horse 42!",
                                                   "role": "artist"}).json()
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}
    live_api.post("/v1/me/wallets/custodial", headers=other_headers)
    refused = live_api.post(f"/v1/assets/{asset_id}/split", json=new_split, headers=other_headers)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/not-asset-controller"), refused.json()
    missing = live_api.post("/v1/assets/999/split", json=new_split, headers=headers)
    assert missing.status_code == 409 and missing.json()["error"] == "UnknownAsset", missing.json()


def test_an_artist_signs_with_their_own_wallet(live_api, chain):
    headers = _artist(live_api)
    own = anvil_dev_account(7)
    engine = create_engine(normalize_url(live_api.database_url))
    with Session(engine) as session:  # linked as SIWE `link` would (that flow has its own tests)
        user = session.scalar(select(User).where(User.email == "ada@example.org"))
        session.add(Wallet(user_id=user.id, address=own.address, kind="linked"))
        session.commit()
    engine.dispose()
    work = {"title": "Own Keys", "iswc": "T0000000010", "split": [{"address": own.address, "share_percent": "100"}]}
    prepared = live_api.post("/v1/works/prepare", params={"controller": own.address}, json=work, headers=headers)
    assert prepared.status_code == 200, prepared.json()
    typed = prepared.json()["typed_data"]
    signature = "0x" + bytes(own.sign_message(encode_typed_data(full_message=typed)).signature).hex()

    tampered = {**typed, "message": {**typed["message"], "metadataURI": "ipfs://someone-else"}}
    forged = live_api.post("/v1/signed-requests", json={"typed_data": tampered, "signature": signature},
                           headers=headers)
    assert forged.status_code == 403 and forged.json()["type"].endswith("/wallet-not-yours")
    other_chain = {**typed, "domain": {**typed["domain"], "chainId": 137}}
    wrong = live_api.post("/v1/signed-requests", json={"typed_data": other_chain, "signature": signature},
                          headers=headers)
    assert wrong.status_code == 422 and wrong.json()["field"] == "typed_data.domain"

    relayed = live_api.post("/v1/signed-requests", json={"typed_data": typed, "signature": signature},
                            headers=headers)
    assert relayed.status_code == 202, relayed.json()
    _index(live_api, chain)
    done = live_api.get(f"/v1/operations/{relayed.json()['id']}", headers=headers).json()
    assert done["status"] == "confirmed", done
    assert live_api.get(f"/v1/assets/{done['asset_id']}").json()["data"]["controller"] == own.address


def test_a_payee_invited_by_email_is_paid_at_a_held_wallet_until_they_accept(live_api, chain):
    headers = _artist(live_api)
    wallet = live_api.get("/v1/me/wallets", headers=headers).json()[0]["address"]
    recording = {"title": "Blue Hour", "isrc": "US-HRM-26-00001", "content_hash": "0x" + "ab" * 32,
                 "split": [{"address": wallet, "share_percent": "60"},
                           {"email": "Lee@Example.org", "share_percent": "40"}]}
    accepted = live_api.post("/v1/recordings", json=recording, headers=headers)
    assert accepted.status_code == 202, accepted.json()
    engine = create_engine(normalize_url(live_api.database_url))
    with Session(engine) as session:
        invitation = session.scalars(select(PayeeInvitation)).one()
        held = session.scalars(select(Wallet).where(Wallet.invitation_id == invitation.id)).one()
        email = session.scalars(select(OutboxEmail).where(OutboxEmail.subject == invitations.SUBJECT)).one()
    assert invitation.email == "lee@example.org" and held.user_id is None
    token = re.search(r'"token": "([^"]+)"', email.body).group(1)

    # Another artist names the same address: the same held wallet, no second e-mail.
    other = live_api.post("/v1/auth/signup", json={"email": "bob@example.org", "password": "correct horse 42!",
                                                   "role": "artist"}).json()
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}
    live_api.post("/v1/me/wallets/custodial", headers=other_headers)
    work = {"title": "Dusk", "iswc": "T-345.246.800-3", "split": [{"email": "lee@example.org", "share_percent": "100"}]}
    assert live_api.post("/v1/works", json=work, headers=other_headers).status_code == 202

    _index(live_api, chain)
    recording_id = live_api.get(f"/v1/operations/{accepted.json()['id']}", headers=headers).json()["asset_id"]
    on_chain = live_api.get(f"/v1/assets/{recording_id}").json()["data"]
    assert set(on_chain["split"]["recipients"]) == {wallet, held.address}
    assert on_chain["title"] == "Blue Hour"
    by_payee = live_api.get("/v1/assets", params={"payee": held.address}).json()["data"]
    assert {a["kind"] for a in by_payee} == {"work", "recording"}
    found = live_api.get("/v1/assets", params={"q": "blue", "kind": "recording"}).json()["data"]
    assert [a["asset_id"] for a in found] == [recording_id]

    # The invitee signs up with the invited address and accepts: the held wallet is theirs.
    lee = live_api.post("/v1/auth/signup", json={"email": "lee@example.org", "password": "correct horse 42!"})
    lee_headers = {"Authorization": f"Bearer {lee.json()['access_token']}"}
    assert live_api.get("/v1/me/wallets", headers=lee_headers).json() == []
    taken = live_api.post("/v1/invitations/accept", json={"token": token}, headers=lee_headers)
    assert taken.status_code == 200, taken.json()
    assert [w["address"] for w in live_api.get("/v1/me/wallets", headers=lee_headers).json()] == [held.address]
    assert live_api.post("/v1/invitations/accept", json={"token": token}, headers=lee_headers).status_code == 409
    with Session(engine) as session:
        assert (session.scalar(select(func.count()).select_from(PayeeInvitation)),
                session.scalar(select(func.count()).select_from(OutboxEmail)
                               .where(OutboxEmail.subject == invitations.SUBJECT))) == (1, 1)
    engine.dispose()


def test_an_artist_without_a_wallet_is_told_how_to_get_one(live_api, chain):
    signed_up = live_api.post("/v1/auth/signup", json={"email": "new@example.org", "password": "correct horse 42!",
                                                        "role": "artist"})
    headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}
    body = {"title": "x", "iswc": "T-034.524.680-1", "split": [{"address": B, "share_percent": 100}]}
    refused = live_api.post("/v1/works", json=body, headers=headers)
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("/custodial-wallet-required"), problem
    assert "POST /v1/me/wallets/custodial" in problem["detail"] and "Sign-In With Ethereum" in problem["detail"]
    assert live_api.post("/v1/me/wallets/custodial", headers=headers).status_code == 201
    assert live_api.post("/v1/works", json=body, headers=headers).status_code == 202


def test_a_duplicate_isrc_names_the_code_and_links_the_asset(live_api, chain):
    headers = _artist(live_api)
    wallet = live_api.get("/v1/me/wallets", headers=headers).json()[0]["address"]
    body = {"title": "Blue Hour", "isrc": "US-HRM-26-00001", "content_hash": "0x" + "ab" * 32,
            "split": [{"address": wallet, "share_percent": 100}]}
    assert live_api.post("/v1/recordings", json=body, headers=headers).status_code == 202
    _index(live_api, chain)
    again = live_api.post("/v1/recordings", json={**body, "content_hash": "0x" + "cd" * 32},
                          headers={**headers, "Idempotency-Key": "second-try"})
    assert again.status_code == 409, again.json()
    problem = again.json()
    assert problem["error"] == "IndustryCodeTaken"
    assert problem["detail"] == "ISRC US-HRM-26-00001 is already registered as asset 1 (/v1/assets/1)", problem
    assert problem["args"]["code_text"] == "US-HRM-26-00001" and problem["args"]["existingAssetId_url"] == \
        "/v1/assets/1"
    assert problem["args"]["code"].startswith("0x5553")  # the raw argument stays beside the readable one
    same_audio = live_api.post("/v1/recordings", json={**body, "isrc": "US-HRM-26-00002"},
                               headers={**headers, "Idempotency-Key": "third-try"})
    assert same_audio.status_code == 409 and same_audio.json()["error"] == "ContentHashTaken"
    assert "already registered as asset 1 (/v1/assets/1)" in same_audio.json()["detail"]
