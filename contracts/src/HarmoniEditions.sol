// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IRightsRegistry} from "./interfaces/IRightsRegistry.sol";
import {ISplitVault} from "./interfaces/ISplitVault.sol";

/// @title HarmoniEditions
/// @notice Limited "exclusives" of HARMONI assets as ERC-1155 tokens (token id = edition id). An asset's
/// controller opens an edition with a price, a supply cap, a sale window and a per-wallet cap; fans mint with the
/// native token or an ERC-20, or the platform mints for them after a card payment. Each paid mint sends the
/// platform fee to the treasury and deposits the rest into the SplitVault for the asset, where it follows the
/// asset's split.
/// @dev Secondary royalties (ERC-2981) go to the asset's RoyaltyReceiver (`SplitVault.royaltyReceiver`), a
/// per-asset CREATE2 inbox that anyone can sweep into the vault with `SplitVault.collectRoyalties`.
/// The platform fee is fixed per edition when it is created: `setPlatformFee` only affects later editions.
contract HarmoniEditions is ERC1155, ERC2981, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice One edition.
    /// @param assetId The registry asset the edition sells.
    /// @param price Price of one token, in the payment token's smallest unit.
    /// @param paymentToken ERC-20 used for payment; address(0) = native token.
    /// @param saleStart First second of the sale (0 = open at once).
    /// @param maxSupply Tokens that can ever be minted (> 0).
    /// @param saleEnd Last second of the sale (0 = no end).
    /// @param perWalletCap Tokens one wallet may mint (0 = no cap).
    /// @param minted Tokens minted so far.
    /// @param platformFeeBps Platform fee of this edition, fixed at creation.
    /// @param royaltyBps ERC-2981 royalty on secondary sales.
    struct Edition {
        uint256 assetId;
        uint256 price;
        address paymentToken;
        uint64 saleStart;
        uint32 maxSupply;
        uint64 saleEnd;
        uint32 perWalletCap;
        uint32 minted;
        uint16 platformFeeBps;
        uint96 royaltyBps;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A zero address was passed where an account is required.
    error ZeroAddress();
    /// @notice `bps` is above the platform fee cap `max`.
    error PlatformFeeTooHigh(uint256 bps, uint256 max);
    /// @notice `bps` is above the royalty cap `max`.
    error RoyaltyTooHigh(uint256 bps, uint256 max);
    /// @notice `caller` is not the controller of `assetId`.
    error NotAssetController(uint256 assetId, address caller);
    /// @notice `assetId` is frozen by an arbiter: no new editions, no mints.
    error AssetFrozen(uint256 assetId);
    /// @notice An edition needs a supply cap above zero.
    error ZeroMaxSupply();
    /// @notice The sale would end (`end`) before it starts (`start`).
    error InvalidSaleWindow(uint64 start, uint64 end);
    /// @notice No edition has id `editionId`.
    error UnknownEdition(uint256 editionId);
    /// @notice A mint needs a quantity above zero.
    error ZeroQuantity();
    /// @notice The sale of `editionId` runs from `start` to `end` (0 = no end); now is outside it.
    error SaleNotActive(uint256 editionId, uint64 start, uint64 end);
    /// @notice Only `remaining` tokens of `editionId` are left.
    error SoldOut(uint256 editionId, uint256 remaining);
    /// @notice `wallet` already minted `minted` of `editionId`; `quantity` more would pass the cap `cap`.
    error WalletCapExceeded(uint256 editionId, address wallet, uint256 minted, uint256 quantity, uint256 cap);
    /// @notice The mint costs `expected` (native value; 0 for ERC-20 editions) but `got` was sent.
    error WrongPayment(uint256 expected, uint256 got);
    /// @notice `expected` ERC-20 units were pulled but only `received` arrived (fee-on-transfer tokens are not
    /// supported as payment tokens).
    error PaymentShortfall(uint256 expected, uint256 received);
    /// @notice Order `orderId` was already fulfilled by `mintFor`.
    error OrderAlreadyFulfilled(bytes32 orderId);
    /// @notice `mintFor` needs a non-zero order id.
    error ZeroOrderId();

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `creator`, controller of `assetId`, opened edition `editionId` (all parameters as in `Edition`).
    event EditionCreated(
        uint256 indexed editionId,
        uint256 indexed assetId,
        address indexed creator,
        address paymentToken,
        uint256 price,
        uint32 maxSupply,
        uint64 saleStart,
        uint64 saleEnd,
        uint32 perWalletCap,
        uint96 royaltyBps,
        address royaltyReceiver,
        uint16 platformFeeBps
    );
    /// @notice `quantity` tokens of `editionId` were minted to `to`; `paid` was charged on chain, of which `fee`
    /// went to the treasury and the rest to the vault. `orderId` is zero for on-chain purchases and the card
    /// order for `mintFor` (which charges nothing on chain).
    event EditionMinted(
        uint256 indexed editionId,
        address indexed to,
        uint32 quantity,
        uint256 paid,
        uint256 fee,
        bytes32 indexed orderId
    );
    /// @notice The platform fee for editions created from now on changed from `previousBps` to `newBps`.
    event PlatformFeeUpdated(uint16 previousBps, uint16 newBps);
    /// @notice Platform fees now go to `newTreasury` instead of `previousTreasury`.
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);

    // ---------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Role allowed to mint after an off-chain (card) payment.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice Basis-point denominator.
    uint256 public constant BPS = 10_000;
    /// @notice Cap on the platform fee (20 %).
    uint16 public constant MAX_PLATFORM_FEE_BPS = 2_000;
    /// @notice Cap on the secondary royalty (10 %).
    uint96 public constant MAX_ROYALTY_BPS = 1_000;

    /// @notice Registry of assets and controllers.
    IRightsRegistry public immutable registry;
    /// @notice Vault receiving the artists' part of every sale.
    ISplitVault public immutable vault;

    /// @notice Receives platform fees.
    address public treasury;
    /// @notice Platform fee applied to editions created from now on.
    uint16 public platformFeeBps;
    /// @notice Number of editions created; edition ids run from 1 to this number.
    uint256 public editionCount;
    /// @notice Tokens of an edition minted to each wallet (by `mint` and `mintFor`).
    mapping(uint256 editionId => mapping(address wallet => uint256 quantity)) public mintedBy;
    /// @notice Card orders already fulfilled by `mintFor`.
    mapping(bytes32 orderId => bool fulfilled) public orderFulfilled;

    mapping(uint256 editionId => Edition) private _editions;

    // ---------------------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------------------

    /// @param admin Receives DEFAULT_ADMIN_ROLE (fee, treasury, minters).
    /// @param registry_ The RightsRegistry.
    /// @param vault_ The SplitVault.
    /// @param treasury_ Receives platform fees.
    /// @param platformFeeBps_ Initial platform fee, at most `MAX_PLATFORM_FEE_BPS`.
    /// @param uri_ ERC-1155 metadata URI template (`{id}` is replaced by clients).
    constructor(
        address admin,
        address registry_,
        address vault_,
        address treasury_,
        uint16 platformFeeBps_,
        string memory uri_
    ) ERC1155(uri_) {
        if (admin == address(0) || registry_ == address(0) || vault_ == address(0) || treasury_ == address(0)) {
            revert ZeroAddress();
        }
        if (platformFeeBps_ > MAX_PLATFORM_FEE_BPS) revert PlatformFeeTooHigh(platformFeeBps_, MAX_PLATFORM_FEE_BPS);
        registry = IRightsRegistry(registry_);
        vault = ISplitVault(vault_);
        treasury = treasury_;
        platformFeeBps = platformFeeBps_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External writes
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Opens a new edition of `assetId`. Caller must be the asset's controller; not while frozen.
    /// @param paymentToken ERC-20 used for payment; address(0) = native token.
    /// @param price Price per token (0 = free mint).
    /// @param maxSupply Supply cap, > 0.
    /// @param saleStart First second of the sale (0 = now).
    /// @param saleEnd Last second of the sale (0 = no end); otherwise not before `saleStart`.
    /// @param perWalletCap Tokens per wallet (0 = no cap).
    /// @param royaltyBps ERC-2981 royalty, at most `MAX_ROYALTY_BPS`, paid to the asset's royalty receiver.
    /// @return editionId The new edition id, which is also the ERC-1155 token id.
    function createEdition(
        uint256 assetId,
        address paymentToken,
        uint256 price,
        uint32 maxSupply,
        uint64 saleStart,
        uint64 saleEnd,
        uint32 perWalletCap,
        uint96 royaltyBps
    ) external returns (uint256 editionId) {
        if (registry.controllerOf(assetId) != msg.sender) {
            revert NotAssetController(assetId, msg.sender);
        }
        if (registry.isFrozen(assetId)) revert AssetFrozen(assetId);
        if (royaltyBps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(royaltyBps, MAX_ROYALTY_BPS);
        if (maxSupply == 0) revert ZeroMaxSupply();
        if (saleEnd != 0 && saleEnd < saleStart) revert InvalidSaleWindow(saleStart, saleEnd);

        // One edition per call: the counter cannot reach 2**256.
        unchecked {
            editionId = ++editionCount;
        }
        Edition storage edition = _editions[editionId];
        edition.assetId = assetId;
        edition.price = price;
        edition.paymentToken = paymentToken;
        edition.saleStart = saleStart;
        edition.maxSupply = maxSupply;
        edition.saleEnd = saleEnd;
        edition.perWalletCap = perWalletCap;
        edition.platformFeeBps = platformFeeBps;
        edition.royaltyBps = royaltyBps;
        address receiver = vault.royaltyReceiver(assetId);
        if (royaltyBps != 0) _setTokenRoyalty(editionId, receiver, royaltyBps);
        _emitEditionCreated(editionId, edition, receiver);
    }

    /// @notice Buys `quantity` tokens of `editionId` for the caller. Native editions: send exactly
    /// `price * quantity` as value. ERC-20 editions: send no value; approve this contract for `price * quantity`.
    /// The platform fee goes to the treasury, the rest into the SplitVault for the edition's asset.
    function mint(uint256 editionId, uint32 quantity) external payable nonReentrant {
        Edition storage edition = _reserve(editionId, msg.sender, quantity);
        uint256 paid = edition.price * quantity;
        uint256 fee = paid * edition.platformFeeBps / BPS;
        emit EditionMinted(editionId, msg.sender, quantity, paid, fee, bytes32(0));
        _collectPayment(edition.assetId, edition.paymentToken, paid, fee);
        _mint(msg.sender, editionId, quantity, "");
    }

    /// @notice Mints `quantity` tokens of `editionId` to `to` for card order `orderId`, paid off chain. Minter
    /// only. Same rules as `mint` (sale window, supply, wallet cap, not frozen) except payment. Idempotent by
    /// order: a second call with the same `orderId` reverts `OrderAlreadyFulfilled`, so a retried job cannot mint
    /// twice.
    function mintFor(uint256 editionId, address to, uint32 quantity, bytes32 orderId)
        external
        onlyRole(MINTER_ROLE)
        nonReentrant
    {
        if (orderId == bytes32(0)) revert ZeroOrderId();
        if (orderFulfilled[orderId]) revert OrderAlreadyFulfilled(orderId);
        orderFulfilled[orderId] = true;
        _reserve(editionId, to, quantity);
        emit EditionMinted(editionId, to, quantity, 0, 0, orderId);
        _mint(to, editionId, quantity, "");
    }

    /// @notice Sets the platform fee for editions created from now on. Admin only.
    function setPlatformFee(uint16 newBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newBps > MAX_PLATFORM_FEE_BPS) revert PlatformFeeTooHigh(newBps, MAX_PLATFORM_FEE_BPS);
        uint16 previous = platformFeeBps;
        platformFeeBps = newBps;
        emit PlatformFeeUpdated(previous, newBps);
    }

    /// @notice Sets the address receiving platform fees. Admin only.
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newTreasury == address(0)) revert ZeroAddress();
        address previous = treasury;
        treasury = newTreasury;
        emit TreasuryUpdated(previous, newTreasury);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Everything stored about `editionId`. Reverts `UnknownEdition` for an unknown id.
    function getEdition(uint256 editionId) external view returns (Edition memory) {
        return _existingEdition(editionId);
    }

    /// @notice ERC-165: ERC-1155, ERC-2981 and AccessControl.
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC1155, ERC2981, AccessControl)
        returns (bool)
    {
        return super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Checks that `quantity` tokens of `editionId` may be minted to `to` now and books them.
    function _reserve(uint256 editionId, address to, uint32 quantity) private returns (Edition storage edition) {
        edition = _existingEdition(editionId);
        if (quantity == 0) revert ZeroQuantity();
        if (registry.isFrozen(edition.assetId)) revert AssetFrozen(edition.assetId);
        uint64 start = edition.saleStart;
        uint64 end = edition.saleEnd;
        // Sale windows are coarse (hours to weeks): a validator's few seconds of skew do not matter.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < start || (end != 0 && block.timestamp > end)) {
            revert SaleNotActive(editionId, start, end);
        }
        uint32 minted = edition.minted;
        // minted <= maxSupply always holds.
        uint256 remaining;
        unchecked {
            remaining = edition.maxSupply - minted;
        }
        if (quantity > remaining) revert SoldOut(editionId, remaining);
        uint256 walletMinted = mintedBy[editionId][to];
        uint32 cap = edition.perWalletCap;
        if (cap != 0 && walletMinted + quantity > cap) {
            revert WalletCapExceeded(editionId, to, walletMinted, quantity, cap);
        }
        // quantity <= remaining: minted + quantity <= maxSupply fits in uint32, and a wallet's count is at most the
        // edition's count.
        unchecked {
            edition.minted = minted + quantity;
            mintedBy[editionId][to] = walletMinted + quantity;
        }
    }

    /// @dev Takes `paid` from the buyer, sends `fee` to the treasury and deposits the rest into the vault.
    function _collectPayment(uint256 assetId, address token, uint256 paid, uint256 fee) private {
        // fee = paid * feeBps / BPS with feeBps <= BPS, so fee <= paid.
        uint256 net;
        unchecked {
            net = paid - fee;
        }
        if (token == address(0)) {
            if (msg.value != paid) revert WrongPayment(paid, msg.value);
            if (fee != 0) Address.sendValue(payable(treasury), fee);
            if (net != 0) vault.deposit{value: net}(assetId, address(0), net);
        } else {
            if (msg.value != 0) revert WrongPayment(0, msg.value);
            if (paid == 0) return;
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(msg.sender, address(this), paid);
            uint256 received = IERC20(token).balanceOf(address(this)) - before;
            if (received != paid) revert PaymentShortfall(paid, received);
            if (fee != 0) IERC20(token).safeTransfer(treasury, fee);
            if (net != 0) {
                IERC20(token).forceApprove(address(vault), net);
                vault.deposit(assetId, token, net);
            }
        }
    }

    function _emitEditionCreated(uint256 editionId, Edition storage edition, address receiver) private {
        emit EditionCreated(
            editionId,
            edition.assetId,
            msg.sender,
            edition.paymentToken,
            edition.price,
            edition.maxSupply,
            edition.saleStart,
            edition.saleEnd,
            edition.perWalletCap,
            edition.royaltyBps,
            receiver,
            edition.platformFeeBps
        );
    }

    function _existingEdition(uint256 editionId) private view returns (Edition storage edition) {
        edition = _editions[editionId];
        if (edition.maxSupply == 0) revert UnknownEdition(editionId);
    }
}
