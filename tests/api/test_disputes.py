"""End to end on anvil: a payee disputes an asset, an admin freezes it on chain through the relayer, the
asset reads as frozen, the decision unfreezes it. Who may read the reason; refusals write nothing."""

import pytest
from eth_utils import keccak
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from harmoni.db import normalize_url
from identity import service as identity
from identity.models import Role, User
from ledger.disputes import Dispute
from ledger.registration import RightsOperation
from tests.api.test_rights_control import _artist, _confirmed

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
REASON = "I co-wrote the bridge and I am missing from the split."


def _signed_up(client, email: str, role: Role | None = None) -> dict:
    """Headers of a new account (fan), given `role` straight in the database (as `harmoni users grant-role`)."""
    signed_up = client.post("/v1/auth/signup", json={"email": email, "password": "correct horse 42!"})
    assert signed_up.status_code == 201, signed_up.json()
    if role is not None:
        engine = create_engine(normalize_url(client.database_url))
        with Session(engine) as session:
            identity.grant_role(session, session.scalar(select(User.id).where(User.email == email)), role)
            session.commit()
        engine.dispose()
    return {"Authorization": f"Bearer {signed_up.json()['access_token']}"}


def _rows(client) -> tuple[int, int]:
    """(disputes, rights operations) in the database."""
    engine = create_engine(normalize_url(client.database_url))
    with engine.connect() as conn:
        counts = tuple(conn.execute(select(func.count()).select_from(model.__table__)).scalar()
                       for model in (Dispute, RightsOperation))
    engine.dispose()
    return counts


def test_a_payee_disputes_and_the_arbiter_freezes_then_decides(live_api, chain):
    owner, owner_wallet = _artist(live_api, "ada@example.org")
    payee, payee_wallet = _artist(live_api, "pat@example.org")
    stranger, _ = _artist(live_api, "sam@example.org")
    admin = _signed_up(live_api, "arbiter@example.org", Role.admin)
    auditor = _signed_up(live_api, "audit@example.org", Role.auditor)
    fan = _signed_up(live_api, "fan@example.org")
    work = {"title": "Dusk", "iswc": "T-034.524.680-1", "split": [{"address": owner_wallet, "share_percent": "70"},
                                                                  {"address": payee_wallet, "share_percent": "30"}]}
    registered = live_api.post("/v1/works", json=work, headers=owner)
    asset_id = _confirmed(live_api, chain, owner, registered.json())["asset_id"]

    # Refusals and bad input write nothing.
    body = {"reason": REASON, "evidence_uri": "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"}
    refusals = [
        (stranger, asset_id, body, 403, "not-asset-party"),
        (fan, asset_id, body, 403, "forbidden"),
        (None, asset_id, body, 401, "unauthenticated"),
        (payee, 999, body, 404, "asset-not-found"),
        (payee, asset_id, {"reason": ""}, 422, "validation-error"),
        (payee, asset_id, {"reason": REASON, "evidence_uri": "javascript:alert(1)"}, 422, "validation-error"),
    ]
    for headers, target, payload, status, slug in refusals:
        refused = live_api.post(f"/v1/assets/{target}/disputes", json=payload, headers=headers or {})
        assert refused.status_code == status and refused.json()["type"].endswith("/" + slug), refused.json()
    assert _rows(live_api) == (0, 1)

    opened = live_api.post(f"/v1/assets/{asset_id}/disputes", json=body, headers=payee)
    assert opened.status_code == 201, opened.json()
    dispute = opened.json()
    assert dispute["status"] == "open" and dispute["reason"] == REASON
    assert dispute["reason_hash"] == "0x" + keccak(text=dispute["id"]).hex()
    twice = live_api.post(f"/v1/assets/{asset_id}/disputes", json=body, headers=payee)
    assert twice.status_code == 409 and twice.json()["dispute_id"] == dispute["id"], twice.json()
    assert _rows(live_api) == (1, 1)

    # The reason: for the opener, admins and auditors; everyone else sees the status.
    for headers, sees_reason in ((None, False), (fan, False), (owner, False), (payee, True), (admin, True),
                                 (auditor, True)):
        listed = live_api.get(f"/v1/assets/{asset_id}/disputes", headers=headers or {})
        assert listed.status_code == 200, listed.json()
        [row] = listed.json()["data"]
        assert row["status"] == "open" and (row["reason"] == REASON) is sees_reason, (headers, row)
        one = live_api.get(f"/v1/disputes/{dispute['id']}", headers=headers or {}).json()
        assert (one["reason"] == REASON) is sees_reason and one["id"] == dispute["id"]
    assert live_api.get("/v1/assets/999/disputes").status_code == 404

    # Only an admin arbitrates.
    for headers in (payee, owner, auditor):
        assert live_api.post(f"/v1/disputes/{dispute['id']}/freeze", headers=headers).status_code == 403
    assert live_api.post(f"/v1/disputes/{dispute['id']}/resolve", headers=owner,
                         json={"outcome": "rejected", "note": "no"}).status_code == 403
    assert _rows(live_api) == (1, 1)

    frozen = live_api.post(f"/v1/disputes/{dispute['id']}/freeze", headers=admin)
    assert frozen.status_code == 202, frozen.json()
    assert frozen.json()["kind"] == "freeze_asset" and frozen.json()["asset_id"] == asset_id
    again = live_api.post(f"/v1/disputes/{dispute['id']}/freeze", headers=admin)
    assert again.status_code == 202 and again.json()["id"] == frozen.json()["id"]
    _confirmed(live_api, chain, admin, frozen.json())
    detail = live_api.get(f"/v1/assets/{asset_id}").json()
    assert detail["data"]["frozen"] is True
    assert detail["freezes"][-1]["frozen"] is True and detail["freezes"][-1]["reason_hash"] == dispute["reason_hash"]
    assert live_api.get(f"/v1/disputes/{dispute['id']}").json()["status"] == "frozen"
    blocked = live_api.post(f"/v1/assets/{asset_id}/split", headers=owner,
                            json={"split": [{"address": owner_wallet, "share_percent": "100"}]})
    assert blocked.status_code == 409 and blocked.json()["error"] == "AssetIsFrozen", blocked.json()

    bad = live_api.post(f"/v1/disputes/{dispute['id']}/resolve", headers=admin,
                        json={"outcome": "maybe", "note": "?"})
    assert bad.status_code == 422
    decided = live_api.post(f"/v1/disputes/{dispute['id']}/resolve", headers=admin,
                            json={"outcome": "upheld", "note": "The bridge is Pat's; split to be corrected."})
    assert decided.status_code == 200, decided.json()
    resolution = decided.json()
    assert resolution["status"] == "upheld" and resolution["resolved_at"] is not None
    assert resolution["unfreeze_operation_id"] is not None
    unfreeze = live_api.get(f"/v1/operations/{resolution['unfreeze_operation_id']}", headers=admin).json()
    assert unfreeze["kind"] == "unfreeze_asset"
    _confirmed(live_api, chain, admin, unfreeze)
    detail = live_api.get(f"/v1/assets/{asset_id}").json()
    assert detail["data"]["frozen"] is False and detail["freezes"][-1]["frozen"] is False
    assert live_api.get(f"/v1/disputes/{dispute['id']}", headers=payee).json()["resolution_note"].startswith("The")

    rows = _rows(live_api)
    closed = live_api.post(f"/v1/disputes/{dispute['id']}/resolve", headers=admin,
                           json={"outcome": "rejected", "note": "again"})
    assert closed.status_code == 409 and closed.json()["type"].endswith("/dispute-closed")
    assert live_api.post(f"/v1/disputes/{dispute['id']}/freeze", headers=admin).status_code == 409
    assert _rows(live_api) == rows
    # A decided dispute no longer blocks a new one by the same payee.
    assert live_api.post(f"/v1/assets/{asset_id}/disputes", json={"reason": "again"}, headers=payee).status_code == 201


def test_a_dispute_decided_without_a_freeze_needs_no_chain_action(live_api, chain):
    owner, owner_wallet = _artist(live_api, "ada@example.org")
    admin = _signed_up(live_api, "arbiter@example.org", Role.admin)
    work = {"title": "Dawn", "iswc": "T-345.246.800-3", "split": [{"address": owner_wallet, "share_percent": "100"}]}
    asset_id = _confirmed(live_api, chain, owner, live_api.post("/v1/works", json=work, headers=owner).json())[
        "asset_id"]
    opened = live_api.post(f"/v1/assets/{asset_id}/disputes", json={"reason": REASON}, headers=owner)
    assert opened.status_code == 201, opened.json()  # the controller may dispute too
    before = _rows(live_api)
    decided = live_api.post(f"/v1/disputes/{opened.json()['id']}/resolve", headers=admin,
                            json={"outcome": "rejected", "note": "Nothing to correct."})
    assert decided.status_code == 200 and decided.json()["unfreeze_operation_id"] is None, decided.json()
    assert _rows(live_api) == before
    assert live_api.get("/v1/disputes/00000000-0000-0000-0000-000000000000").status_code == 404
