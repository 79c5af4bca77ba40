"""Splits as people write them, and EIP-712 requests the registry accepts from a relayer."""

import pytest
from web3 import Web3

from chain.errors import ContractReverted
from chain.sender import TransactionSender
from chain.wallets import anvil_dev_account
from ledger import rights
from ledger.registration import jsonable
from ledger.rights import Payee, SplitInvalid, build_split

A = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
B = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


def test_split_is_sorted_and_scaled():
    split = build_split([Payee(A, "66.6667"), Payee(B.lower(), "33.3333")])
    assert split.recipients == [B, A]  # ascending by address, checksummed
    assert split.allocations == [333_333, 666_667]


@pytest.mark.parametrize(("payees", "field", "message"), [
    ([], "split", "at least one payee"),
    ([Payee(A, "60"), Payee(B, "30")], "split", "add up to 90"),
    ([Payee(A, "50"), Payee(A.lower(), "50")], "split[1].address", "twice"),
    ([Payee("0x123", "100")], "split[0].address", "not a usable"),
    ([Payee("0x" + "0" * 40, "100")], "split[0].address", "not a usable"),
    ([Payee(A, "99.99999"), Payee(B, "0.00001")], "split[0].share_percent", "4 decimals"),
    ([Payee(A, "100"), Payee(B, "0")], "split[1].share_percent", "more than 0"),
    ([Payee(A, "lots")], "split[0].share_percent", "number of percent"),
])
def test_bad_splits_name_the_field(payees, field, message):
    with pytest.raises(SplitInvalid, match=message) as info:
        build_split(payees)
    assert info.value.extra["field"] == field


def test_more_than_250_payees_is_refused():
    payees = [Payee(Web3.to_checksum_address(f"0x{i:040x}"), "0.3984") for i in range(1, 252)]
    with pytest.raises(SplitInvalid, match="at most 250"):
        build_split(payees)


def test_relayed_signed_registration_lands_on_chain(chain):
    artist, relayer = anvil_dev_account(5), anvil_dev_account(1)
    registry = chain.client.contract(chain.deployment, "RightsRegistry")
    split = build_split([Payee(artist.address, "70"), Payee(B, "30")])
    request = rights.register_work(registry, 31337, artist.address, "T0345246801", "ipfs://bafkrei-work", split)
    signature = request.sign(artist)
    sender = TransactionSender(chain.client.w3, relayer)
    tx = request.relay_call(registry, signature).build_transaction({"from": relayer.address})
    result = sender.send("test:register-work", tx)
    asset_id = registry.functions.assetCount().call()
    assert registry.functions.controllerOf(asset_id).call() == artist.address
    assert registry.functions.splitHash(asset_id).call() == registry.functions.hashSplit(
        split.recipients, split.allocations).call()
    assert result.block_number > 0
    # The same signature cannot be replayed: its nonce is spent.
    replay = request.relay_call(registry, signature).build_transaction({"from": relayer.address, "gas": 10**6})
    with pytest.raises(ContractReverted) as info:
        sender.send("test:register-work-replay", replay)
    assert info.value.error_name == "InvalidSigner"  # the nonce moved on, so the old signature no longer matches


def test_signature_for_another_chain_is_refused(chain):
    artist, relayer = anvil_dev_account(6), anvil_dev_account(1)
    registry = chain.client.contract(chain.deployment, "RightsRegistry")
    request = rights.register_work(registry, 137, artist.address, "T0000000010", "ipfs://x",
                                   build_split([Payee(artist.address, "100")]))
    tx = request.relay_call(registry, request.sign(artist)).build_transaction({"from": relayer.address, "gas": 10**6})
    with pytest.raises(ContractReverted) as info:
        TransactionSender(chain.client.w3, relayer).send("test:wrong-chain", tx)
    assert info.value.error_name == "InvalidSigner"


def _registered_work(chain, controller, iswc: str) -> int:
    registry = chain.client.contract(chain.deployment, "RightsRegistry")
    request = rights.register_work(registry, 31337, controller.address, iswc, "ipfs://bafkrei-work",
                                   build_split([Payee(controller.address, "100")]))
    relayer = anvil_dev_account(1)
    tx = request.relay_call(registry, request.sign(controller)).build_transaction({"from": relayer.address})
    TransactionSender(chain.client.w3, relayer).send(f"test:register:{iswc}", tx)
    return registry.functions.assetCount().call()


def test_relayed_split_lock_names_the_split(chain):
    artist, relayer = anvil_dev_account(5), anvil_dev_account(1)
    registry = chain.client.contract(chain.deployment, "RightsRegistry")
    asset_id = _registered_work(chain, artist, "T0345246801")
    split_hash = bytes(registry.functions.splitHash(asset_id).call())
    request = rights.lock_split(registry, 31337, artist.address, asset_id, split_hash)
    assert request.kind == "lock_split"
    sender = TransactionSender(chain.client.w3, relayer)
    stale = rights.lock_split(registry, 31337, artist.address, asset_id, b"\x01" * 32)
    with pytest.raises(ContractReverted) as info:
        sender.send("test:lock-stale", stale.relay_call(registry, stale.sign(artist)).build_transaction(
            {"from": relayer.address, "gas": 10**6}))
    assert info.value.error_name == "SplitHashMismatch"
    sender.send("test:lock", request.relay_call(registry, request.sign(artist)).build_transaction(
        {"from": relayer.address}))
    assert registry.functions.getAsset(asset_id).call()[3] is True  # Asset.splitLocked


def test_relayed_acceptance_is_signed_by_the_nominee(chain):
    artist, nominee, relayer = anvil_dev_account(5), anvil_dev_account(6), anvil_dev_account(1)
    registry = chain.client.contract(chain.deployment, "RightsRegistry")
    asset_id = _registered_work(chain, artist, "T0000000010")
    sender = TransactionSender(chain.client.w3, relayer)
    nomination = rights.transfer_controller(registry, 31337, artist.address, asset_id, nominee.address)
    sender.send("test:nominate", nomination.relay_call(registry, nomination.sign(artist)).build_transaction(
        {"from": relayer.address}))
    by_controller = rights.accept_controller(registry, 31337, artist.address, asset_id)
    with pytest.raises(ContractReverted) as info:  # only the nominee can accept
        sender.send("test:accept-wrong", by_controller.relay_call(registry, by_controller.sign(artist))
                    .build_transaction({"from": relayer.address, "gas": 10**6}))
    assert info.value.error_name == "InvalidSigner"
    request = rights.accept_controller(registry, 31337, nominee.address, asset_id)
    assert request.kind == "accept_controller"
    sender.send("test:accept", request.relay_call(registry, request.sign(nominee)).build_transaction(
        {"from": relayer.address}))
    assert registry.functions.controllerOf(asset_id).call() == nominee.address


def test_typed_data_round_trips_for_the_new_requests(chain):
    registry = chain.client.contract(chain.deployment, "RightsRegistry")
    expected = rights.domain(31337, registry.address)
    for request in (rights.lock_split(registry, 31337, B, 3, b"\xab" * 32),
                    rights.accept_controller(registry, 31337, B, 3)):
        document = jsonable(request.typed_data)
        parsed = rights.SignedRequest.from_typed_data(document, expected)
        assert parsed == request
        assert parsed.signer(request.sign(anvil_dev_account(4))) == anvil_dev_account(4).address
