// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title PayoutDistributor
/// @notice Pays off-chain royalties (streams, licensing, card sales) of one ERC-20 token through cumulative Merkle
/// roots: each period the publisher posts a root over every payee's cumulative entitlement since the start and
/// funds the increase of the cumulative total in the same transaction; a payee claims the difference between its
/// latest cumulative amount and what it already claimed, so one proof against the latest root pays all periods.
/// @dev Leaf format (`@openzeppelin/merkle-tree` StandardMerkleTree, types `["address", "uint256"]`):
/// `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))))`, pairs hashed sorted
/// (OZ `MerkleProof`). The token is NOT in the leaf: each distributor serves exactly one token, fixed at
/// deployment, and the root is only valid for this contract.
contract PayoutDistributor is AccessControl {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A zero address was passed where an account or token is required.
    error ZeroAddress();
    /// @notice Period ids must increase: `periodId` is not above the current `currentPeriodId`.
    error PeriodNotIncreasing(uint64 periodId, uint64 currentPeriodId);
    /// @notice The caller expected root `expected` but the current root is `current` (a race or a stale proof).
    error RootMismatch(bytes32 expected, bytes32 current);
    /// @notice A published root cannot be zero.
    error EmptyRoot();
    /// @notice The cumulative total can only grow: `newCumulativeTotal` is below `previousTotal`.
    error CumulativeTotalDecreased(uint256 newCumulativeTotal, uint256 previousTotal);
    /// @notice Funding must arrive in full: `expected` tokens were due, `received` arrived (fee-on-transfer tokens
    /// are not supported).
    error FundingMismatch(uint256 expected, uint256 received);
    /// @notice The proof does not place (`account`, `cumulativeAmount`) under the current root.
    error InvalidProof(address account, uint256 cumulativeAmount);
    /// @notice `account` already claimed `claimed`, which is not below `cumulativeAmount`.
    error NothingToClaim(address account, uint256 cumulativeAmount, uint256 claimed);
    /// @notice Paying `amount` would take total claims past the funded cumulative total `funded` (a root whose
    /// leaves add up to more than its funding).
    error ExceedsFunded(uint256 amount, uint256 totalClaimed, uint256 funded);

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Period `periodId` was published: `root` replaced `previousRoot`, the cumulative total became
    /// `cumulativeTotal`, of which `funded` was pulled from the publisher now; the statement behind it has hash
    /// `statementHash` and lives at `statementURI`.
    event PeriodPublished(
        uint64 indexed periodId,
        bytes32 root,
        bytes32 previousRoot,
        uint256 cumulativeTotal,
        uint256 funded,
        bytes32 statementHash,
        string statementURI
    );
    /// @notice `account` was paid `amount`, bringing its claims to `cumulativeAmount`, proven against `root`.
    event Claimed(address indexed account, uint256 amount, uint256 cumulativeAmount, bytes32 root);

    // ---------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Role allowed to publish periods (and fund them).
    bytes32 public constant PUBLISHER_ROLE = keccak256("PUBLISHER_ROLE");

    /// @notice Root of the latest published period (zero before the first).
    bytes32 public currentRoot;
    // One slot: a claim checks and updates both with one read and one write (non-zero after the first period).
    uint128 private _cumulativeTotal;
    uint128 private _totalClaimed;
    /// @notice Id of the latest published period (zero before the first).
    uint64 public currentPeriodId;
    /// @notice Cumulative amount already paid to each account.
    mapping(address account => uint256 amount) public claimed;

    IERC20 private immutable _token;

    // ---------------------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------------------

    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants and revokes publishers).
    /// @param token_ The one ERC-20 token this distributor pays out.
    constructor(address admin, address token_) {
        if (admin == address(0) || token_ == address(0)) revert ZeroAddress();
        _token = IERC20(token_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External writes
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Publishes period `periodId` with cumulative root `newRoot` and pulls the increase of the cumulative
    /// total from the caller (needs an allowance). Publisher only.
    /// @param periodId Must be above the current period id (gaps allowed).
    /// @param newRoot StandardMerkleTree root over `(account, cumulativeAmount)` leaves.
    /// @param newCumulativeTotal Sum of all leaves; at least the previous total, below 2**128.
    /// @param statementHash Hash of the period statement (what auditors check the leaves against).
    /// @param statementURI Where the statement is published.
    /// @param expectedPreviousRoot Must equal the current root, so two publishers cannot overwrite each other.
    function publishPeriod(
        uint64 periodId,
        bytes32 newRoot,
        uint256 newCumulativeTotal,
        bytes32 statementHash,
        string calldata statementURI,
        bytes32 expectedPreviousRoot
    ) external onlyRole(PUBLISHER_ROLE) {
        uint64 previousPeriodId = currentPeriodId;
        if (periodId <= previousPeriodId) revert PeriodNotIncreasing(periodId, previousPeriodId);
        bytes32 previousRoot = currentRoot;
        if (expectedPreviousRoot != previousRoot) revert RootMismatch(expectedPreviousRoot, previousRoot);
        if (newRoot == bytes32(0)) revert EmptyRoot();
        uint256 previousTotal = _cumulativeTotal;
        if (newCumulativeTotal < previousTotal) revert CumulativeTotalDecreased(newCumulativeTotal, previousTotal);

        uint256 funded;
        // Checked just above: newCumulativeTotal >= previousTotal.
        unchecked {
            funded = newCumulativeTotal - previousTotal;
        }
        currentRoot = newRoot;
        currentPeriodId = periodId;
        _cumulativeTotal = SafeCast.toUint128(newCumulativeTotal);
        emit PeriodPublished(periodId, newRoot, previousRoot, newCumulativeTotal, funded, statementHash, statementURI);

        if (funded != 0) {
            uint256 before = _token.balanceOf(address(this));
            _token.safeTransferFrom(msg.sender, address(this), funded);
            uint256 received = _token.balanceOf(address(this)) - before;
            if (received != funded) revert FundingMismatch(funded, received);
        }
    }

    /// @notice Pays `account` the part of `cumulativeAmount` it has not claimed yet. Anyone may submit; the
    /// tokens always go to `account`.
    /// @param cumulativeAmount The account's leaf in the current root.
    /// @param proof StandardMerkleTree proof of the leaf.
    /// @param expectedRoot The root the proof was built for; must be the current root.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof, bytes32 expectedRoot) external {
        bytes32 root = currentRoot;
        if (expectedRoot != root) revert RootMismatch(expectedRoot, root);
        if (!MerkleProof.verifyCalldata(proof, root, _leaf(account, cumulativeAmount))) {
            revert InvalidProof(account, cumulativeAmount);
        }
        uint256 alreadyClaimed = claimed[account];
        if (cumulativeAmount <= alreadyClaimed) revert NothingToClaim(account, cumulativeAmount, alreadyClaimed);

        uint256 amount;
        // Checked just above: cumulativeAmount > alreadyClaimed.
        unchecked {
            amount = cumulativeAmount - alreadyClaimed;
        }
        uint256 totalClaimed_ = _totalClaimed;
        uint256 funded = _cumulativeTotal;
        // totalClaimed_ <= funded < 2**128 always holds, so funded - totalClaimed_ cannot underflow.
        unchecked {
            if (amount > funded - totalClaimed_) revert ExceedsFunded(amount, totalClaimed_, funded);
        }
        claimed[account] = cumulativeAmount;
        // Checked just above: totalClaimed_ + amount <= funded < 2**128, so neither the sum nor the cast overflows.
        unchecked {
            // forge-lint: disable-next-line(unsafe-typecast)
            _totalClaimed = uint128(totalClaimed_ + amount);
        }
        emit Claimed(account, amount, cumulativeAmount, root);
        _token.safeTransfer(account, amount);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The ERC-20 token this distributor pays out.
    function token() external view returns (address) {
        return address(_token);
    }

    /// @notice Sum of every leaf of the current root, all of it funded.
    function cumulativeTotal() external view returns (uint256) {
        return _cumulativeTotal;
    }

    /// @notice Sum of every claim paid so far.
    function totalClaimed() external view returns (uint256) {
        return _totalClaimed;
    }

    /// @notice The StandardMerkleTree leaf of (`account`, `cumulativeAmount`).
    function leaf(address account, uint256 cumulativeAmount) external pure returns (bytes32) {
        return _leaf(account, cumulativeAmount);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    /// @dev `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))))` in scratch space.
    function _leaf(address account, uint256 cumulativeAmount) private pure returns (bytes32 result) {
        assembly ("memory-safe") {
            mstore(0x00, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, cumulativeAmount)
            mstore(0x00, keccak256(0x00, 0x40))
            result := keccak256(0x00, 0x20)
        }
    }
}
