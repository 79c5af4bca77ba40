from eth_abi import encode
from eth_utils import keccak
from web3.exceptions import ContractCustomError

from chain import artifacts
from chain.errors import ContractReverted
from chain.revert import as_revert, decode_revert_data, known_errors
from chain.sender import OperationStatus
from chain.wallets import anvil_dev_account
from tests.chain.conftest import SENDER_INDEX

ISWC = b"T1234567890\x00"


def _registry(chain):
    return chain.client.w3.eth.contract(address=chain.deployment.address("RightsRegistry"),
                                        abi=artifacts.load("RightsRegistry").abi)


def _split(*allocations: int) -> tuple[list[str], list[int]]:
    recipients = sorted((anvil_dev_account(i).address for i in range(3, 3 + len(allocations))), key=str.lower)
    return recipients, list(allocations)


def _register_tx(chain, controller: str, allocations: tuple[int, ...], iswc: bytes = ISWC) -> dict:
    recipients, allocs = _split(*allocations)
    data = _registry(chain).encode_abi("registerWork", [controller, iswc, "ipfs://meta", recipients, allocs])
    return {"to": chain.deployment.address("RightsRegistry"), "data": data}


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def test_the_selector_map_covers_every_artifact_and_the_builtins():
    errors = known_errors()
    assert errors[_selector("SplitAllocationsSum(uint256)")].name == "SplitAllocationsSum"
    assert errors[_selector("AccessControlUnauthorizedAccount(address,bytes32)")].name == \
        "AccessControlUnauthorizedAccount"  # OpenZeppelin's, from the ABI
    assert errors[_selector("ERC20InsufficientBalance(address,uint256,uint256)")].name == "ERC20InsufficientBalance"
    assert errors[_selector("Error(string)")].name == "Error"
    assert errors[_selector("Panic(uint256)")].name == "Panic"


def test_raw_revert_data_decodes_to_named_json_values():
    address = anvil_dev_account(3).address
    data = _selector("WalletCapExceeded(uint256,address,uint256,uint256,uint256)") + encode(
        ["uint256", "address", "uint256", "uint256", "uint256"], [7, address.lower(), 2, 3, 4])
    reverted = decode_revert_data("0x" + data.hex())
    assert reverted.error_name == "WalletCapExceeded"
    assert reverted.error_args == {"editionId": 7, "wallet": address, "minted": 2, "quantity": 3, "cap": 4}
    assert reverted.data == "0x" + data.hex()

    code = _selector("SplitHashMismatch(uint256,bytes32,bytes32)") + encode(
        ["uint256", "bytes32", "bytes32"], [1, b"\x01" * 32, b"\xff" * 32])
    assert decode_revert_data(code).error_args == {"assetId": 1, "expected": "0x" + "01" * 32, "got": "0x" + "ff" * 32}


def test_error_string_panic_and_unknown_selectors():
    message = decode_revert_data(_selector("Error(string)") + encode(["string"], ["not allowed"]))
    assert (message.error_name, message.error_args, message.detail) == ("Error", {"message": "not allowed"},
                                                                        "reverted: not allowed")
    panic = decode_revert_data(_selector("Panic(uint256)") + encode(["uint256"], [0x11]), "mint")
    assert panic.error_name == "Panic" and panic.error_args == {"code": 0x11}
    assert "overflow" in panic.detail and panic.detail.startswith("mint: ")
    unknown = decode_revert_data("0xdeadbeef")
    assert unknown.error_name is None and "0xdeadbeef" in unknown.detail
    assert decode_revert_data("0x").detail == "reverted without data"


def test_eth_call_custom_error_is_decoded(chain):
    controller = anvil_dev_account(SENDER_INDEX).address
    recipients, allocations = _split(600_000, 300_000)
    call = _registry(chain).functions.registerWork(controller, ISWC, "ipfs://meta", recipients, allocations)
    try:
        call.call({"from": controller})
    except ContractCustomError as err:
        reverted = as_revert(err, "registerWork")
    else:
        raise AssertionError("registerWork with allocations summing to 900000 did not revert")
    assert reverted.error_name == "SplitAllocationsSum"
    assert reverted.error_args == {"sum": 900_000}
    assert reverted.detail == "registerWork: reverted with SplitAllocationsSum(sum=900000)"


def test_estimate_revert_fails_the_operation_without_sending(chain, make_sender, operation_store):
    sender = make_sender(chain.client.w3)
    caller = sender.address
    nonce_before = chain.client.w3.eth.get_transaction_count(caller)
    other = anvil_dev_account(4).address
    try:
        sender.send("register:not-mine", _register_tx(chain, other, (1_000_000,)), kind="registerWork")
    except ContractReverted as err:
        assert err.error_name == "CallerNotController"
        assert err.error_args == {"caller": caller, "controller": other}  # checksummed addresses
    else:
        raise AssertionError("registering for another controller did not revert")
    operation = operation_store.get("register:not-mine")
    assert operation.status is OperationStatus.failed and operation.nonce is None and operation.tx_hashes == ()
    assert operation.error_name == "CallerNotController" and operation.error_args["controller"] == other
    assert chain.client.w3.eth.get_transaction_count(caller) == nonce_before


def test_mined_transaction_that_reverted_is_decoded_by_replay(chain, make_sender, operation_store):
    sender = make_sender(chain.client.w3)
    w3 = chain.client.w3
    first = sender.send("register:first", _register_tx(chain, sender.address, (500_000, 500_000)))
    # Explicit gas skips the estimate, so the node mines a transaction that reverts.
    tx = {**_register_tx(chain, sender.address, (500_000, 500_000)), "gas": 400_000}
    try:
        sender.send("register:twice", tx)
    except ContractReverted as err:
        reverted = err
    else:
        raise AssertionError("registering the same ISWC twice did not revert")
    assert reverted.error_name == "IndustryCodeTaken"
    assert reverted.error_args == {"code": "0x" + ISWC.hex(), "existingAssetId": 1}
    operation = operation_store.get("register:twice")
    assert operation.status is OperationStatus.failed and operation.error_name == "IndustryCodeTaken"
    assert operation.nonce == first.nonce + 1  # the nonce was spent by the mined transaction
    receipt = w3.eth.get_transaction_receipt(operation.mined_tx_hash)
    assert receipt["status"] == 0 and receipt["blockNumber"] == operation.block_number

    # The same key again: the stored failure, no second transaction.
    count = w3.eth.get_transaction_count(sender.address)
    try:
        sender.send("register:twice", tx)
    except ContractReverted as err:
        assert err.error_name == "IndustryCodeTaken" and err.error_args == reverted.error_args
    else:
        raise AssertionError("a failed operation was sent again")
    assert w3.eth.get_transaction_count(sender.address) == count
