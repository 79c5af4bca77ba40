"""End to end on anvil: locking a split and the second step of a controller transfer, through the relayer with
the custodial wallet and with the artist's own wallet; refusals write nothing."""

import pytest
from eth_account.messages import encode_typed_data
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from chain.wallets import anvil_dev_account
from harmoni.db import normalize_url
from identity.models import User, Wallet
from ledger.registration import RightsOperation
from tests.api.conftest import index_chain as _index

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
B = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


def _artist(client, email: str) -> tuple[dict, str]:
    """(headers, custodial wallet address) of a new artist."""
    signed_up = client.post("/v1/auth/signup", json={"email": email, "password": "correct horse 42!",
                                                      "role": "artist"})
    assert signed_up.status_code == 201, signed_up.json()
    headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}
    created = client.post("/v1/me/wallets/custodial", headers=headers)
    assert created.status_code == 201, created.json()
    return headers, created.json()["address"]


def _register(client, chain, headers, wallet: str, iswc: str) -> int:
    work = {"title": "Dusk", "iswc": iswc, "split": [{"address": wallet, "share_percent": "60"},
                                                     {"address": B, "share_percent": "40"}]}
    registered = client.post("/v1/works", json=work, headers=headers)
    assert registered.status_code == 202, registered.json()
    _index(client, chain)
    return client.get(f"/v1/operations/{registered.json()['id']}", headers=headers).json()["asset_id"]


def _operations(client) -> int:
    engine = create_engine(normalize_url(client.database_url))
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(RightsOperation.__table__)).scalar()
    engine.dispose()
    return count


def _confirmed(client, chain, headers, operation: dict) -> dict:
    _index(client, chain)
    done = client.get(f"/v1/operations/{operation['id']}", headers=headers).json()
    assert done["status"] == "confirmed", done
    return done


def test_lock_a_split_through_the_relayer(live_api, chain):
    headers, wallet = _artist(live_api, "ada@example.org")
    asset_id = _register(live_api, chain, headers, wallet, "T-034.524.680-1")

    other_headers, _ = _artist(live_api, "bob@example.org")
    before = _operations(live_api)
    refused = live_api.post(f"/v1/assets/{asset_id}/split/lock", headers=other_headers)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/not-asset-controller"), refused.json()
    missing = live_api.post("/v1/assets/999/split/lock", headers=headers)
    assert missing.status_code == 409 and missing.json()["error"] == "UnknownAsset", missing.json()
    assert live_api.post(f"/v1/assets/{asset_id}/split/lock").status_code == 401
    assert _operations(live_api) == before

    locked = live_api.post(f"/v1/assets/{asset_id}/split/lock", headers=headers)
    assert locked.status_code == 202, locked.json()
    assert locked.json()["kind"] == "lock_split" and locked.json()["asset_id"] == asset_id
    again = live_api.post(f"/v1/assets/{asset_id}/split/lock", headers=headers)
    assert again.json()["id"] == locked.json()["id"]  # one lock per split: a retry is the same operation
    done = _confirmed(live_api, chain, headers, locked.json())
    assert done["asset_id"] == asset_id and done["tx_hash"] and done["block_number"]

    detail = live_api.get(f"/v1/assets/{asset_id}")
    assert detail.json()["data"]["split_locked"] is True
    assert int(detail.headers["x-harmoni-block"]) >= done["block_number"]
    before = _operations(live_api)
    change = live_api.post(f"/v1/assets/{asset_id}/split", headers=headers,
                           json={"split": [{"address": wallet, "share_percent": "100"}]})
    assert change.status_code == 409 and change.json()["error"] == "SplitIsLocked", change.json()
    assert _operations(live_api) == before


def test_hand_over_control_and_the_nominee_accepts(live_api, chain):
    a_headers, a_wallet = _artist(live_api, "ada@example.org")
    b_headers, b_wallet = _artist(live_api, "bob@example.org")
    c_headers, _ = _artist(live_api, "cy@example.org")
    asset_id = _register(live_api, chain, a_headers, a_wallet, "T-345.246.800-3")

    before = _operations(live_api)
    early = live_api.post(f"/v1/assets/{asset_id}/controller/accept", headers=b_headers)
    assert early.status_code == 403 and early.json()["type"].endswith("/not-pending-controller"), early.json()
    assert "nobody" in early.json()["detail"]
    assert _operations(live_api) == before

    started = live_api.post(f"/v1/assets/{asset_id}/controller", json={"new_controller": b_wallet},
                            headers=a_headers)
    assert started.status_code == 202, started.json()
    _confirmed(live_api, chain, a_headers, started.json())
    before = _operations(live_api)
    for wrong in (a_headers, c_headers):  # neither the current controller nor a stranger may accept
        refused = live_api.post(f"/v1/assets/{asset_id}/controller/accept", headers=wrong)
        assert refused.status_code == 403 and refused.json()["type"].endswith("/not-pending-controller")
    assert _operations(live_api) == before

    accepted = live_api.post(f"/v1/assets/{asset_id}/controller/accept", headers=b_headers)
    assert accepted.status_code == 202, accepted.json()
    assert accepted.json()["kind"] == "accept_controller"
    _confirmed(live_api, chain, b_headers, accepted.json())
    again = live_api.post(f"/v1/assets/{asset_id}/controller/accept", headers=b_headers)
    assert again.status_code == 403  # accepted: no nomination is left to accept
    detail = live_api.get(f"/v1/assets/{asset_id}").json()
    assert detail["data"]["controller"] == b_wallet and detail["data"]["pending_controller"] is None
    assert [c["change"] for c in detail["controller_history"]][-2:] == ["started", "transferred"]
    # The old controller has lost control; the new one has it.
    refused = live_api.post(f"/v1/assets/{asset_id}/split/lock", headers=a_headers)
    assert refused.status_code == 403
    assert live_api.post(f"/v1/assets/{asset_id}/split/lock", headers=b_headers).status_code == 202


def _link(client, email: str, account) -> None:
    """The account's wallet linked as SIWE `link` would (that flow has its own tests)."""
    engine = create_engine(normalize_url(client.database_url))
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.email == email))
        session.add(Wallet(user_id=user.id, address=account.address, kind="linked"))
        session.commit()
    engine.dispose()


def test_own_wallet_accepts_control_and_locks_the_split(live_api, chain):
    a_headers, a_wallet = _artist(live_api, "ada@example.org")
    b_headers, _ = _artist(live_api, "bob@example.org")
    own = anvil_dev_account(7)
    _link(live_api, "bob@example.org", own)
    asset_id = _register(live_api, chain, a_headers, a_wallet, "T-000.000.001-0")
    started = live_api.post(f"/v1/assets/{asset_id}/controller", json={"new_controller": own.address},
                            headers=a_headers)
    _confirmed(live_api, chain, a_headers, started.json())

    not_mine = live_api.post(f"/v1/assets/{asset_id}/controller/accept/prepare",
                             params={"controller": a_wallet}, headers=b_headers)
    assert not_mine.status_code == 403 and not_mine.json()["type"].endswith("/wallet-not-yours")
    prepared = live_api.post(f"/v1/assets/{asset_id}/controller/accept/prepare",
                             params={"controller": own.address}, headers=b_headers)
    assert prepared.status_code == 200, prepared.json()
    typed = prepared.json()["typed_data"]
    assert typed["primaryType"] == "AcceptController" and typed["message"]["assetId"] == asset_id
    signature = "0x" + bytes(own.sign_message(encode_typed_data(full_message=typed)).signature).hex()
    relayed = live_api.post("/v1/signed-requests", json={"typed_data": typed, "signature": signature},
                            headers=b_headers)
    assert relayed.status_code == 202 and relayed.json()["kind"] == "accept_controller", relayed.json()
    _confirmed(live_api, chain, b_headers, relayed.json())
    assert live_api.get(f"/v1/assets/{asset_id}").json()["data"]["controller"] == own.address

    wrong = live_api.post(f"/v1/assets/{asset_id}/split/lock/prepare", params={"controller": own.address},
                          headers=a_headers)
    assert wrong.status_code == 403  # not a wallet of Ada's
    prepared = live_api.post(f"/v1/assets/{asset_id}/split/lock/prepare", params={"controller": own.address},
                             headers=b_headers)
    assert prepared.status_code == 200, prepared.json()
    typed = prepared.json()["typed_data"]
    assert typed["primaryType"] == "LockSplit"
    assert typed["message"]["splitHash"] == live_api.get(f"/v1/assets/{asset_id}").json()["data"]["split"][
        "split_hash"]
    signature = "0x" + bytes(own.sign_message(encode_typed_data(full_message=typed)).signature).hex()
    relayed = live_api.post("/v1/signed-requests", json={"typed_data": typed, "signature": signature},
                            headers=b_headers)
    assert relayed.status_code == 202 and relayed.json()["kind"] == "lock_split", relayed.json()
    _confirmed(live_api, chain, b_headers, relayed.json())
    assert live_api.get(f"/v1/assets/{asset_id}").json()["data"]["split_locked"] is True
