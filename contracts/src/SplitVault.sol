// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

import {IRightsRegistry} from "./interfaces/IRightsRegistry.sol";
import {ISplitVault} from "./interfaces/ISplitVault.sol";
import {RoyaltyReceiver} from "./RoyaltyReceiver.sol";

/// @title SplitVault
/// @notice Splits direct on-chain income of each asset among the recipients of the asset's split in the
/// RightsRegistry, with pull balances: income is deposited per asset, `distribute` credits recipients, and
/// `withdraw` pays a recipient out. Native token (`token == address(0)`) and ERC-20 tokens.
/// @dev Rounding rule: each recipient except the first gets `floor(amount * allocation / 1e6)`; the FIRST
/// recipient of the (ascending) list gets its own floor share plus the remainder, so the parts always add up to
/// the whole. The first recipient therefore gets at least its exact share and less than `n - 1` units more.
///
/// ERC-20 deposits credit the balance delta of the vault, so fee-on-transfer tokens are credited what actually
/// arrived. Rebasing tokens are not supported (their rebases are never credited to anyone).
contract SplitVault is ISplitVault, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using TransientSlot for *;

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The registry address cannot be zero.
    error ZeroAddress();
    /// @notice No asset has id `assetId` in the registry.
    error UnknownAsset(uint256 assetId);
    /// @notice Nothing arrived: a deposit of zero, or a token that transferred nothing.
    error ZeroAmount();
    /// @notice A native deposit must send exactly `expected` wei; `got` were sent.
    error WrongNativeAmount(uint256 expected, uint256 got);
    /// @notice An ERC-20 deposit must not send native value; `value` wei were sent.
    error UnexpectedNativeValue(uint256 value);
    /// @notice Accepting `amount` more would push the undistributed income of one asset (`undistributed` now)
    /// past `MAX_UNDISTRIBUTED`.
    error DepositTooLarge(uint256 undistributed, uint256 amount);
    /// @notice `assetId` is frozen by an arbiter: its income stays undistributed until the dispute ends.
    error AssetFrozen(uint256 assetId);
    /// @notice The split passed for `assetId` hashes to `got`, but the registry holds `expected`.
    error SplitHashMismatch(uint256 assetId, bytes32 expected, bytes32 got);
    /// @notice `assetId` holds no undistributed `token`.
    error NothingToDistribute(uint256 assetId, address token);
    /// @notice `account` has no `token` to withdraw.
    error NothingToWithdraw(address account, address token);
    /// @notice The royalty receiver of `assetId` holds no `token`.
    error NothingToCollect(uint256 assetId, address token);
    /// @notice Native tokens only enter through `deposit` or `collectRoyalties`; `sender` sent some directly.
    error NativeTransferRejected(address sender);

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `amount` of `token` became undistributed income of `assetId`, sent by `from` (the asset's royalty
    /// receiver when collected with `collectRoyalties`).
    event Deposited(uint256 indexed assetId, address indexed token, address indexed from, uint256 amount);
    /// @notice `amount` of `token` of `assetId` was credited to the split `splitHash` (version `splitVersion`,
    /// lists in the registry's `SplitUpdated` event): recipient i > 0 got `amount * allocations[i] / 1e6` rounded
    /// down, recipient 0 got the rest.
    event Distributed(
        uint256 indexed assetId, address indexed token, uint256 amount, uint32 splitVersion, bytes32 splitHash
    );
    /// @notice `account` was paid its whole balance, `amount` of `token`; `caller` sent the transaction.
    event Withdrawn(address indexed account, address indexed token, uint256 amount, address caller);

    // ---------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Allocations are parts per million.
    uint32 public constant SCALE = 1e6;
    /// @notice Cap on one asset's undistributed income per token, so that `amount * allocation` cannot overflow.
    uint256 public constant MAX_UNDISTRIBUTED = type(uint256).max / SCALE;

    /// @dev Transient: the royalty receiver being swept, the only address allowed to send native tokens directly.
    bytes32 private constant _SWEEPING_RECEIVER_SLOT =
        keccak256(abi.encode(uint256(keccak256("harmoni.SplitVault.sweepingReceiver")) - 1)) & ~bytes32(uint256(0xff));

    /// @notice The registry holding each asset's split.
    IRightsRegistry public immutable registry;
    bytes32 private immutable _receiverInitCodeHash;

    /// @notice Income of an asset, per token, not yet credited to its split recipients.
    mapping(uint256 assetId => mapping(address token => uint256 amount)) public undistributed;
    /// @dev token => account => withdrawable amount (token first, so a distribution computes the outer slot once).
    mapping(address token => mapping(address account => uint256 amount)) private _balances;

    // ---------------------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------------------

    /// @param registry_ The RightsRegistry whose splits this vault pays out.
    constructor(address registry_) {
        if (registry_ == address(0)) revert ZeroAddress();
        registry = IRightsRegistry(registry_);
        _receiverInitCodeHash = keccak256(type(RoyaltyReceiver).creationCode);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External writes
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Accepts native tokens only from the royalty receiver being swept by `collectRoyalties`.
    receive() external payable {
        if (msg.sender != _SWEEPING_RECEIVER_SLOT.asAddress().tload()) revert NativeTransferRejected(msg.sender);
    }

    /// @inheritdoc ISplitVault
    /// @dev Native: `msg.value` must equal `amount`. ERC-20: no value; pulls `amount` with `transferFrom` (needs an
    /// allowance) and credits what actually arrived (the balance delta), so fee-on-transfer tokens work.
    /// Deposits to a frozen asset are accepted and held.
    function deposit(uint256 assetId, address token, uint256 amount) external payable nonReentrant {
        if (assetId == 0 || assetId > registry.assetCount()) revert UnknownAsset(assetId);
        uint256 received;
        if (token == address(0)) {
            if (msg.value != amount) revert WrongNativeAmount(amount, msg.value);
            received = amount;
        } else {
            if (msg.value != 0) revert UnexpectedNativeValue(msg.value);
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
            received = IERC20(token).balanceOf(address(this)) - before;
        }
        _credit(assetId, token, msg.sender, received);
    }

    /// @notice Credits the split recipients of `assetId` with all its undistributed `token`. Anyone may call.
    /// @dev The caller passes the split in force (from the registry's last `SplitUpdated` event for the asset); it
    /// must hash to the registry's stored hash, so a distribution always follows the split current at that block.
    /// Recipient i > 0 gets `floor(amount * allocations[i] / 1e6)`; recipient 0 gets the remainder of the whole.
    /// One storage write per recipient, no per-recipient event (the amounts follow from `Distributed` and the
    /// split). Reverts while the asset is frozen.
    /// @param recipients The split's recipients, as registered (strictly ascending).
    /// @param allocations The split's allocations, parts per million.
    function distribute(uint256 assetId, address token, address[] calldata recipients, uint32[] calldata allocations)
        external
    {
        (bytes32 expected, uint32 version, bool frozen) = registry.splitState(assetId);
        if (frozen) revert AssetFrozen(assetId);
        {
            bytes32 got = _hashSplit(recipients, allocations);
            if (got != expected) revert SplitHashMismatch(assetId, expected, got);
        }
        uint256 amount = undistributed[assetId][token];
        if (amount == 0) revert NothingToDistribute(assetId, token);
        undistributed[assetId][token] = 0;
        _creditRecipients(_balances[token], amount, recipients, allocations);
        emit Distributed(assetId, token, amount, version, expected);
    }

    /// @notice Pays `account` its whole balance of `token` (address(0) = native). Anyone may trigger it; the
    /// money always goes to `account`. A failing transfer (e.g. a blacklisted USDC holder, a contract refusing
    /// native tokens) reverts this call only and leaves the balance in place.
    function withdraw(address account, address token) external nonReentrant {
        uint256 amount = _balances[token][account];
        if (amount == 0) revert NothingToWithdraw(account, token);
        _balances[token][account] = 0;
        emit Withdrawn(account, token, amount, msg.sender);
        if (token == address(0)) {
            Address.sendValue(payable(account), amount);
        } else {
            IERC20(token).safeTransfer(account, amount);
        }
    }

    /// @notice Moves the royalties waiting in the royalty receiver of `assetId` into its undistributed income,
    /// deploying the receiver first if needed. Anyone may call. Credits the balance delta of the vault.
    /// @return amount The amount credited.
    // The balance read before `sweep` is the point (credit the delta); nonReentrant blocks every other entry that
    // moves tokens, and the receiver is this vault's own code. See contracts/SECURITY.md.
    // slither-disable-next-line reentrancy-balance,reentrancy-benign
    function collectRoyalties(uint256 assetId, address token) external nonReentrant returns (uint256 amount) {
        if (assetId == 0 || assetId > registry.assetCount()) revert UnknownAsset(assetId);
        address receiver = _royaltyReceiver(assetId);
        if (receiver.code.length == 0) {
            new RoyaltyReceiver{salt: bytes32(assetId)}();
        }
        uint256 before = _holdings(token);
        _SWEEPING_RECEIVER_SLOT.asAddress().tstore(receiver);
        RoyaltyReceiver(payable(receiver)).sweep(token);
        _SWEEPING_RECEIVER_SLOT.asAddress().tstore(address(0));
        amount = _holdings(token) - before;
        // Zero means nothing arrived; any other value is credited as is (no dangerous equality).
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert NothingToCollect(assetId, token);
        _credit(assetId, token, receiver, amount);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Withdrawable `token` balance of `account`.
    function balanceOf(address account, address token) external view returns (uint256) {
        return _balances[token][account];
    }

    /// @inheritdoc ISplitVault
    /// @dev A CREATE2 address (salt = asset id); it can receive royalties before `collectRoyalties` deploys it.
    function royaltyReceiver(uint256 assetId) external view returns (address) {
        return _royaltyReceiver(assetId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    function _credit(uint256 assetId, address token, address from, uint256 amount) private {
        // Zero means nothing arrived; any other value is credited as is (no dangerous equality).
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert ZeroAmount();
        uint256 current = undistributed[assetId][token];
        if (amount > MAX_UNDISTRIBUTED - current) revert DepositTooLarge(current, amount);
        // Checked just above: current + amount <= MAX_UNDISTRIBUTED.
        unchecked {
            undistributed[assetId][token] = current + amount;
        }
        emit Deposited(assetId, token, from, amount);
    }

    /// @dev Recipient i > 0 gets floor(amount * allocations[i] / SCALE); recipient 0 gets what is left.
    function _creditRecipients(
        mapping(address account => uint256) storage balances,
        uint256 amount,
        address[] calldata recipients,
        uint32[] calldata allocations
    ) private {
        uint256 count = recipients.length;
        uint256 rest = amount;
        for (uint256 i = 1; i < count;) {
            uint256 share;
            // The lists hash to a registered split, whose allocations sum to SCALE: each allocation <= SCALE and
            // amount <= MAX_UNDISTRIBUTED, so amount * allocation fits; the shares sum to at most `amount`, so
            // `rest` cannot underflow.
            unchecked {
                share = amount * allocations[i] / SCALE;
                rest -= share;
            }
            balances[recipients[i]] += share;
            // i < count <= 250.
            unchecked {
                ++i;
            }
        }
        balances[recipients[0]] += rest;
    }

    function _holdings(address token) private view returns (uint256) {
        return token == address(0) ? address(this).balance : IERC20(token).balanceOf(address(this));
    }

    function _royaltyReceiver(uint256 assetId) private view returns (address) {
        return Create2.computeAddress(bytes32(assetId), _receiverInitCodeHash);
    }

    /// @dev `keccak256(abi.encode(recipients, allocations))`, as the registry stores it, built straight from
    /// calldata. A caller passing non-canonical (dirty) words only gets a different hash and a mismatch.
    function _hashSplit(address[] calldata recipients, uint32[] calldata allocations)
        private
        pure
        returns (bytes32 hash)
    {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let recipientsBytes := shl(5, recipients.length)
            let allocationsBytes := shl(5, allocations.length)
            // Head: the two offsets, then each array as its length followed by its words.
            mstore(ptr, 0x40)
            mstore(add(ptr, 0x20), add(0x60, recipientsBytes))
            mstore(add(ptr, 0x40), recipients.length)
            calldatacopy(add(ptr, 0x60), recipients.offset, recipientsBytes)
            let second := add(add(ptr, 0x60), recipientsBytes)
            mstore(second, allocations.length)
            calldatacopy(add(second, 0x20), allocations.offset, allocationsBytes)
            hash := keccak256(ptr, add(add(0x80, recipientsBytes), allocationsBytes))
        }
    }
}
