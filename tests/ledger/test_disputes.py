"""Dispute rules off chain: who may open one, one open dispute per person and asset, who reads the reason,
and a decision that waits for its freeze to reach the chain."""

import uuid

import pytest
from eth_utils import keccak
from sqlalchemy import create_engine, inspect

from harmoni.db import normalize_url
from identity.models import User
from ledger import disputes
from ledger.assets import AssetNotFound
from ledger.models import Asset
from ledger.registration import RightsOperation

CONTROLLER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
PAYEE = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
OUTSIDER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"


def _no_chain():
    raise AssertionError("this decision needs no chain action")


@pytest.fixture
def asset_and_users(db_session):
    db_session.add(Asset(chain_id=31337, asset_id=1, kind="work", controller=CONTROLLER, pending_controller=None,
                         industry_code="T0345246801", content_hash=None, work_ids=[], metadata_uri="ipfs://w",
                         split_version=1, split_hash="0x" + "11" * 32, split_recipients=[PAYEE, CONTROLLER],
                         split_allocations=[300_000, 700_000], split_locked=False, frozen=False,
                         registered_block=1, registered_tx="0x" + "22" * 32, updated_block=1))
    users = [User(id=uuid.uuid4(), email=f"u{i}-{uuid.uuid4().hex[:6]}@example.org", roles=["artist"])
             for i in range(2)]
    db_session.add_all(users)
    db_session.flush()
    return users


def test_only_a_party_opens_and_only_once(db_session, asset_and_users):
    payee, outsider = asset_and_users
    with pytest.raises(disputes.NotAssetParty):
        disputes.open_dispute(db_session, 31337, outsider.id, {OUTSIDER}, 1, "mine", None)
    with pytest.raises(AssetNotFound):
        disputes.open_dispute(db_session, 31337, payee.id, {PAYEE}, 2, "mine", None)
    with pytest.raises(AssetNotFound):  # another chain's mirror
        disputes.open_dispute(db_session, 137, payee.id, {PAYEE}, 1, "mine", None)
    dispute = disputes.open_dispute(db_session, 31337, payee.id, {OUTSIDER, PAYEE}, 1, "mine", "https://x.org/e")
    assert dispute.status == "open" and dispute.reason_hash == "0x" + keccak(text=str(dispute.id)).hex()
    with pytest.raises(disputes.DisputeAlreadyOpen):
        disputes.open_dispute(db_session, 31337, payee.id, {PAYEE}, 1, "again", None)
    # The controller is a party too.
    disputes.open_dispute(db_session, 31337, outsider.id, {CONTROLLER}, 1, "also mine", None)
    assert [d.id for d in disputes.disputes_of_asset(db_session, 31337, 1)].count(dispute.id) == 1

    decided, operation, _ = disputes.resolve(db_session, dispute.id, outsider.id, disputes.DisputeStatus.rejected,
                                             "no", _no_chain)
    assert decided.status == "rejected" and decided.resolved_at is not None and operation is None
    with pytest.raises(disputes.DisputeClosed):
        disputes.resolve(db_session, dispute.id, outsider.id, disputes.DisputeStatus.upheld, "yes", _no_chain)
    with pytest.raises(disputes.DisputeClosed):
        disputes.freeze(db_session, dispute.id, outsider.id, _no_chain)
    assert disputes.open_dispute(db_session, 31337, payee.id, {PAYEE}, 1, "new facts", None).id != dispute.id


def test_the_reason_is_for_the_opener_admins_and_auditors(db_session, asset_and_users):
    payee, other = asset_and_users
    dispute = disputes.open_dispute(db_session, 31337, payee.id, {PAYEE}, 1, "mine", None)
    assert disputes.may_read_reason(dispute, payee.id, ["artist"])
    assert disputes.may_read_reason(dispute, other.id, ["auditor"])
    assert disputes.may_read_reason(dispute, other.id, ["admin"])
    assert not disputes.may_read_reason(dispute, other.id, ["artist", "partner"])
    assert not disputes.may_read_reason(dispute, None, [])


def test_a_decision_waits_for_its_freeze(db_session, asset_and_users):
    payee, admin = asset_and_users
    dispute = disputes.open_dispute(db_session, 31337, payee.id, {PAYEE}, 1, "mine", None)
    operation = RightsOperation(user_id=admin.id, kind="freeze_asset", idempotency_key=f"test:{dispute.id}",
                                to_address=CONTROLLER, calldata="0x", request={"message": {"assetId": 1}})
    db_session.add(operation)
    db_session.flush()
    dispute.freeze_operation_id, dispute.status = operation.id, "frozen"
    with pytest.raises(disputes.FreezeInFlight):  # not sent yet: deciding now could leave the asset frozen
        disputes.resolve(db_session, dispute.id, admin.id, disputes.DisputeStatus.upheld, "yes", _no_chain)
    # Asking to freeze again returns the operation under way.
    _dispute, same, created = disputes.freeze(db_session, dispute.id, admin.id, _no_chain)
    assert same.id == operation.id and not created


def test_the_migration_creates_the_table_as_modelled(database_url):
    engine = create_engine(normalize_url(database_url))
    inspector = inspect(engine)
    assert {c["name"] for c in inspector.get_columns("disputes")} == set(disputes.Dispute.__table__.columns.keys())
    indexes = {i["name"]: i for i in inspector.get_indexes("disputes")}
    assert indexes["ix_disputes_open_per_opener"]["unique"]
    assert {c["name"] for c in inspector.get_check_constraints("disputes")} == {
        "ck_disputes_status_known", "ck_disputes_resolved_when_closed"}
    assert {fk["name"] for fk in inspector.get_foreign_keys("disputes")} == {
        "fk_disputes_opened_by_users", "fk_disputes_resolved_by_users",
        "fk_disputes_freeze_operation_id_rights_operations", "fk_disputes_unfreeze_operation_id_rights_operations"}
    engine.dispose()
