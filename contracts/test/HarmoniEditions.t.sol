// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {HarmoniEditions} from "../src/HarmoniEditions.sol";
import {RightsRegistry} from "../src/RightsRegistry.sol";
import {SplitVault} from "../src/SplitVault.sol";
import {ReentrantMinter} from "./mocks/MockAccounts.sol";
import {FeeOnTransferERC20} from "./mocks/MockTokens.sol";
import {HarmoniTest} from "./utils/HarmoniTest.sol";

contract HarmoniEditionsTest is HarmoniTest {
    address internal constant NATIVE = address(0);
    uint256 internal constant PRICE = 0.1 ether;

    address internal artist;
    address internal fan;
    address internal producer;
    uint256 internal assetId;
    address[] internal recipients;
    uint32[] internal allocations;

    function setUp() public override {
        super.setUp();
        artist = makeAddr("artist");
        fan = makeAddr("fan");
        producer = makeAddr("producer");
        (address[] memory r, uint32[] memory a) = _split2(artist, 800_000, producer, 200_000);
        recipients = r;
        allocations = a;
        assetId = _registerRecording(artist, new uint256[](0), r, a);
        vm.deal(fan, 100 ether);
        vm.prank(admin);
        usd.mint(fan, 1_000_000e6);
        vm.warp(1_700_000_000);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Deployment and admin
    // ---------------------------------------------------------------------------------------------------------

    function test_Constructor() public view {
        vm.assertEq(address(editions.registry()), address(registry));
        vm.assertEq(address(editions.vault()), address(vault));
        vm.assertEq(editions.treasury(), treasury);
        vm.assertEq(uint256(editions.platformFeeBps()), PLATFORM_FEE_BPS);
        vm.assertTrue(editions.hasRole(editions.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertEq(editions.uri(1), "ipfs://editions/{id}.json");
        vm.assertEq(editions.editionCount(), 0);
    }

    function test_RevertWhen_ConstructorZeroAddress() public {
        vm.expectRevert(HarmoniEditions.ZeroAddress.selector);
        new HarmoniEditions(admin, address(registry), address(vault), address(0), 0, "");
        vm.expectRevert(HarmoniEditions.ZeroAddress.selector);
        new HarmoniEditions(address(0), address(registry), address(vault), treasury, 0, "");
        vm.expectRevert(HarmoniEditions.ZeroAddress.selector);
        new HarmoniEditions(admin, address(0), address(vault), treasury, 0, "");
        vm.expectRevert(HarmoniEditions.ZeroAddress.selector);
        new HarmoniEditions(admin, address(registry), address(0), treasury, 0, "");
    }

    function test_RevertWhen_ConstructorFeeTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.PlatformFeeTooHigh.selector, 2_001, 2_000));
        new HarmoniEditions(admin, address(registry), address(vault), treasury, 2_001, "");
    }

    function test_SetPlatformFee() public {
        vm.expectEmit(address(editions));
        emit HarmoniEditions.PlatformFeeUpdated(PLATFORM_FEE_BPS, 2_000);
        vm.prank(admin);
        editions.setPlatformFee(2_000);
        vm.assertEq(uint256(editions.platformFeeBps()), 2_000);
    }

    function test_RevertWhen_SetPlatformFeeTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.PlatformFeeTooHigh.selector, 2_001, 2_000));
        vm.prank(admin);
        editions.setPlatformFee(2_001);
    }

    function test_RevertWhen_SetPlatformFeeNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, artist, bytes32(0))
        );
        vm.prank(artist);
        editions.setPlatformFee(0);
    }

    function test_SetTreasury() public {
        address newTreasury = makeAddr("newTreasury");
        vm.expectEmit(address(editions));
        emit HarmoniEditions.TreasuryUpdated(treasury, newTreasury);
        vm.prank(admin);
        editions.setTreasury(newTreasury);
        vm.assertEq(editions.treasury(), newTreasury);
    }

    function test_RevertWhen_SetTreasuryZero() public {
        vm.expectRevert(HarmoniEditions.ZeroAddress.selector);
        vm.prank(admin);
        editions.setTreasury(address(0));
    }

    function test_RevertWhen_SetTreasuryNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, artist, bytes32(0))
        );
        vm.prank(artist);
        editions.setTreasury(artist);
    }

    function test_SupportsInterface() public view {
        vm.assertTrue(editions.supportsInterface(type(IERC1155).interfaceId));
        vm.assertTrue(editions.supportsInterface(type(IERC2981).interfaceId));
        vm.assertTrue(editions.supportsInterface(type(IAccessControl).interfaceId));
        vm.assertTrue(editions.supportsInterface(type(IERC165).interfaceId));
        vm.assertFalse(editions.supportsInterface(0xdeadbeef));
    }

    // ---------------------------------------------------------------------------------------------------------
    // createEdition
    // ---------------------------------------------------------------------------------------------------------

    function test_CreateEdition() public {
        address receiver = vault.royaltyReceiver(assetId);
        vm.expectEmit(address(editions));
        emit HarmoniEditions.EditionCreated(
            1, assetId, artist, NATIVE, PRICE, 100, 1_700_000_000, 1_800_000_000, 2, 750, receiver, PLATFORM_FEE_BPS
        );
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, NATIVE, PRICE, 100, 1_700_000_000, 1_800_000_000, 2, 750);
        vm.assertEq(editionId, 1);
        vm.assertEq(editions.editionCount(), 1);
        HarmoniEditions.Edition memory edition = editions.getEdition(1);
        vm.assertEq(edition.assetId, assetId);
        vm.assertEq(edition.price, PRICE);
        vm.assertEq(edition.paymentToken, NATIVE);
        vm.assertEq(uint256(edition.saleStart), 1_700_000_000);
        vm.assertEq(uint256(edition.maxSupply), 100);
        vm.assertEq(uint256(edition.saleEnd), 1_800_000_000);
        vm.assertEq(uint256(edition.perWalletCap), 2);
        vm.assertEq(uint256(edition.minted), 0);
        vm.assertEq(uint256(edition.platformFeeBps), PLATFORM_FEE_BPS);
        vm.assertEq(uint256(edition.royaltyBps), 750);
        (address royaltyReceiver, uint256 royalty) = editions.royaltyInfo(1, 1 ether);
        vm.assertEq(royaltyReceiver, receiver);
        vm.assertEq(royalty, 0.075 ether);
    }

    function test_CreateEdition_WithoutRoyalty() public {
        uint256 editionId = _createNativeEdition(10, 0);
        vm.prank(artist);
        uint256 second = editions.createEdition(assetId, NATIVE, PRICE, 10, 0, 0, 0, 0);
        vm.assertEq(second, editionId + 1);
        (address receiver, uint256 royalty) = editions.royaltyInfo(second, 1 ether);
        vm.assertEq(receiver, address(0));
        vm.assertEq(royalty, 0);
    }

    function test_RevertWhen_CreateEditionNotController() public {
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.NotAssetController.selector, assetId, fan));
        vm.prank(fan);
        editions.createEdition(assetId, NATIVE, PRICE, 10, 0, 0, 0, 0);
    }

    function test_RevertWhen_CreateEditionUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 99));
        vm.prank(artist);
        editions.createEdition(99, NATIVE, PRICE, 10, 0, 0, 0, 0);
    }

    function test_RevertWhen_CreateEditionFrozen() public {
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.AssetFrozen.selector, assetId));
        vm.prank(artist);
        editions.createEdition(assetId, NATIVE, PRICE, 10, 0, 0, 0, 0);
    }

    function test_RevertWhen_CreateEditionRoyaltyTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.RoyaltyTooHigh.selector, 1_001, 1_000));
        vm.prank(artist);
        editions.createEdition(assetId, NATIVE, PRICE, 10, 0, 0, 0, 1_001);
    }

    function test_RevertWhen_CreateEditionZeroSupply() public {
        vm.expectRevert(HarmoniEditions.ZeroMaxSupply.selector);
        vm.prank(artist);
        editions.createEdition(assetId, NATIVE, PRICE, 0, 0, 0, 0, 0);
    }

    function test_RevertWhen_CreateEditionInvalidWindow() public {
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.InvalidSaleWindow.selector, 200, 100));
        vm.prank(artist);
        editions.createEdition(assetId, NATIVE, PRICE, 10, 200, 100, 0, 0);
    }

    function test_RevertWhen_GetEditionUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.UnknownEdition.selector, 1));
        editions.getEdition(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // mint (native)
    // ---------------------------------------------------------------------------------------------------------

    function test_MintNative() public {
        uint256 editionId = _createNativeEdition(10, 0);
        uint256 paid = 3 * PRICE;
        uint256 fee = paid * PLATFORM_FEE_BPS / 10_000;
        vm.expectEmit(address(editions));
        emit HarmoniEditions.EditionMinted(editionId, fan, 3, paid, fee, bytes32(0));
        vm.prank(fan);
        editions.mint{value: paid}(editionId, 3);
        vm.assertEq(editions.balanceOf(fan, editionId), 3);
        vm.assertEq(treasury.balance, fee);
        vm.assertEq(vault.undistributed(assetId, NATIVE), paid - fee);
        vm.assertEq(address(editions).balance, 0);
        vm.assertEq(uint256(editions.getEdition(editionId).minted), 3);
        vm.assertEq(editions.mintedBy(editionId, fan), 3);

        // The artists' part then follows the split.
        vault.distribute(assetId, NATIVE, recipients, allocations);
        vm.assertEq(vault.balanceOf(artist, NATIVE) + vault.balanceOf(producer, NATIVE), paid - fee);
    }

    function test_MintFree() public {
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, NATIVE, 0, 5, 0, 0, 1, 0);
        vm.prank(fan);
        editions.mint(editionId, 1);
        vm.assertEq(editions.balanceOf(fan, editionId), 1);
        vm.assertEq(vault.undistributed(assetId, NATIVE), 0);
    }

    function test_Mint_FeeFixedAtCreation() public {
        uint256 editionId = _createNativeEdition(10, 0);
        vm.prank(admin);
        editions.setPlatformFee(2_000);
        vm.prank(fan);
        editions.mint{value: PRICE}(editionId, 1);
        vm.assertEq(treasury.balance, PRICE * PLATFORM_FEE_BPS / 10_000);
    }

    function test_Mint_ZeroPlatformFee() public {
        vm.prank(admin);
        editions.setPlatformFee(0);
        uint256 editionId = _createNativeEdition(10, 0);
        vm.prank(fan);
        editions.mint{value: PRICE}(editionId, 1);
        vm.assertEq(treasury.balance, 0);
        vm.assertEq(vault.undistributed(assetId, NATIVE), PRICE);
    }

    function test_RevertWhen_MintWrongPayment() public {
        uint256 editionId = _createNativeEdition(10, 0);
        vm.startPrank(fan);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.WrongPayment.selector, 2 * PRICE, PRICE));
        editions.mint{value: PRICE}(editionId, 2);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.WrongPayment.selector, PRICE, PRICE + 1));
        editions.mint{value: PRICE + 1}(editionId, 1);
        vm.stopPrank();
    }

    function test_RevertWhen_MintSoldOut() public {
        uint256 editionId = _createNativeEdition(3, 0);
        vm.startPrank(fan);
        editions.mint{value: 2 * PRICE}(editionId, 2);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.SoldOut.selector, editionId, 1));
        editions.mint{value: 2 * PRICE}(editionId, 2);
        editions.mint{value: PRICE}(editionId, 1);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.SoldOut.selector, editionId, 0));
        editions.mint{value: PRICE}(editionId, 1);
        vm.stopPrank();
    }

    function test_RevertWhen_MintBeforeSale() public {
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, NATIVE, PRICE, 10, 1_700_000_100, 1_700_000_200, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(HarmoniEditions.SaleNotActive.selector, editionId, 1_700_000_100, 1_700_000_200)
        );
        vm.prank(fan);
        editions.mint{value: PRICE}(editionId, 1);
        vm.warp(1_700_000_100);
        vm.prank(fan);
        editions.mint{value: PRICE}(editionId, 1);
    }

    function test_RevertWhen_MintAfterSale() public {
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, NATIVE, PRICE, 10, 0, 1_700_000_200, 0, 0);
        vm.warp(1_700_000_200);
        vm.prank(fan);
        editions.mint{value: PRICE}(editionId, 1);
        vm.warp(1_700_000_201);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.SaleNotActive.selector, editionId, 0, 1_700_000_200));
        vm.prank(fan);
        editions.mint{value: PRICE}(editionId, 1);
    }

    function test_RevertWhen_MintWalletCapExceeded() public {
        uint256 editionId = _createNativeEdition(10, 2);
        vm.startPrank(fan);
        editions.mint{value: PRICE}(editionId, 1);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.WalletCapExceeded.selector, editionId, fan, 1, 2, 2));
        editions.mint{value: 2 * PRICE}(editionId, 2);
        editions.mint{value: PRICE}(editionId, 1);
        vm.stopPrank();
    }

    function test_RevertWhen_MintZeroQuantity() public {
        uint256 editionId = _createNativeEdition(10, 0);
        vm.expectRevert(HarmoniEditions.ZeroQuantity.selector);
        vm.prank(fan);
        editions.mint(editionId, 0);
    }

    function test_RevertWhen_MintUnknownEdition() public {
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.UnknownEdition.selector, 4));
        vm.prank(fan);
        editions.mint{value: PRICE}(4, 1);
    }

    function test_RevertWhen_MintFrozen() public {
        uint256 editionId = _createNativeEdition(10, 0);
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.AssetFrozen.selector, assetId));
        vm.prank(fan);
        editions.mint{value: PRICE}(editionId, 1);
    }

    function test_RevertWhen_MintReentered() public {
        uint256 editionId = _createNativeEdition(10, 0);
        ReentrantMinter attacker = new ReentrantMinter(editions);
        vm.deal(address(attacker), 1 ether);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        attacker.buy{value: PRICE}(editionId);
    }

    function test_RevertWhen_TreasuryRejectsNative() public {
        uint256 editionId = _createNativeEdition(10, 0);
        vm.prank(admin);
        editions.setTreasury(address(registry)); // a contract without receive()
        vm.expectRevert(Errors.FailedCall.selector);
        vm.prank(fan);
        editions.mint{value: PRICE}(editionId, 1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // mint (ERC-20)
    // ---------------------------------------------------------------------------------------------------------

    function test_MintERC20() public {
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, address(usd), 25e6, 10, 0, 0, 0, 500);
        uint256 paid = 2 * 25e6;
        uint256 fee = paid * PLATFORM_FEE_BPS / 10_000;
        vm.startPrank(fan);
        usd.approve(address(editions), paid);
        vm.expectEmit(address(editions));
        emit HarmoniEditions.EditionMinted(editionId, fan, 2, paid, fee, bytes32(0));
        editions.mint(editionId, 2);
        vm.stopPrank();
        vm.assertEq(usd.balanceOf(treasury), fee);
        vm.assertEq(vault.undistributed(assetId, address(usd)), paid - fee);
        vm.assertEq(usd.balanceOf(address(vault)), paid - fee);
        vm.assertEq(usd.balanceOf(address(editions)), 0);
        vm.assertEq(usd.allowance(address(editions), address(vault)), 0);
    }

    function test_MintERC20Free() public {
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, address(usd), 0, 10, 0, 0, 0, 0);
        vm.prank(fan); // no allowance needed
        editions.mint(editionId, 1);
        vm.assertEq(editions.balanceOf(fan, editionId), 1);
        vm.assertEq(vault.undistributed(assetId, address(usd)), 0);
    }

    function test_RevertWhen_MintERC20WithValue() public {
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, address(usd), 25e6, 10, 0, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.WrongPayment.selector, 0, 1));
        vm.prank(fan);
        editions.mint{value: 1}(editionId, 1);
    }

    function test_RevertWhen_MintERC20WithoutAllowance() public {
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, address(usd), 25e6, 10, 0, 0, 0, 0);
        vm.expectRevert();
        vm.prank(fan);
        editions.mint(editionId, 1);
    }

    function test_RevertWhen_MintFeeOnTransferToken() public {
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        feeToken.mint(fan, 1_000);
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, address(feeToken), 1_000, 10, 0, 0, 0, 0);
        vm.startPrank(fan);
        feeToken.approve(address(editions), 1_000);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.PaymentShortfall.selector, 1_000, 990));
        editions.mint(editionId, 1);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------------------------------------------------
    // mintFor (card orders)
    // ---------------------------------------------------------------------------------------------------------

    function test_MintFor() public {
        uint256 editionId = _createNativeEdition(10, 0);
        bytes32 orderId = keccak256("stripe:pi_123");
        vm.expectEmit(address(editions));
        emit HarmoniEditions.EditionMinted(editionId, fan, 2, 0, 0, orderId);
        vm.prank(minter);
        editions.mintFor(editionId, fan, 2, orderId);
        vm.assertEq(editions.balanceOf(fan, editionId), 2);
        vm.assertTrue(editions.orderFulfilled(orderId));
        vm.assertEq(vault.undistributed(assetId, NATIVE), 0);
    }

    function test_RevertWhen_MintForSameOrderTwice() public {
        uint256 editionId = _createNativeEdition(10, 0);
        bytes32 orderId = keccak256("stripe:pi_123");
        vm.startPrank(minter);
        editions.mintFor(editionId, fan, 1, orderId);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.OrderAlreadyFulfilled.selector, orderId));
        editions.mintFor(editionId, fan, 1, orderId);
        vm.stopPrank();
        vm.assertEq(editions.balanceOf(fan, editionId), 1);
    }

    function test_RevertWhen_MintForZeroOrderId() public {
        uint256 editionId = _createNativeEdition(10, 0);
        vm.expectRevert(HarmoniEditions.ZeroOrderId.selector);
        vm.prank(minter);
        editions.mintFor(editionId, fan, 1, bytes32(0));
    }

    function test_RevertWhen_MintForNotMinter() public {
        uint256 editionId = _createNativeEdition(10, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, fan, editions.MINTER_ROLE()
            )
        );
        vm.prank(fan);
        editions.mintFor(editionId, fan, 1, keccak256("order"));
    }

    function test_RevertWhen_MintForBeyondRules() public {
        uint256 editionId = _createNativeEdition(2, 1);
        vm.startPrank(minter);
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.WalletCapExceeded.selector, editionId, fan, 0, 2, 1));
        editions.mintFor(editionId, fan, 2, keccak256("a"));
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.SoldOut.selector, editionId, 2));
        editions.mintFor(editionId, fan, 3, keccak256("b"));
        vm.stopPrank();
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(HarmoniEditions.AssetFrozen.selector, assetId));
        vm.prank(minter);
        editions.mintFor(editionId, fan, 1, keccak256("c"));
        // A failed order id stays usable: nothing was recorded.
        vm.assertFalse(editions.orderFulfilled(keccak256("a")));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Secondary royalties end to end
    // ---------------------------------------------------------------------------------------------------------

    function test_RoyaltiesFlowToSplit() public {
        uint256 editionId = _createNativeEdition(10, 0);
        (address receiver, uint256 royalty) = editions.royaltyInfo(editionId, 2 ether);
        vm.assertEq(royalty, 0.2 ether); // 1000 bps set by _createNativeEdition
        // A marketplace pays the royalty with a plain transfer.
        vm.prank(fan);
        (bool ok,) = receiver.call{value: royalty}("");
        vm.assertTrue(ok);
        vault.collectRoyalties(assetId, NATIVE);
        vault.distribute(assetId, NATIVE, recipients, allocations);
        vault.withdraw(artist, NATIVE);
        vault.withdraw(producer, NATIVE);
        vm.assertEq(artist.balance + producer.balance, 0.2 ether);
        vm.assertEq(producer.balance, 0.04 ether);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fuzz
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Whatever the price, quantity and fee: fee + vault deposit == paid, and fee == floor(paid * bps / 1e4).
    function testFuzz_MintPaymentSplit(uint96 price, uint32 quantity, uint16 feeBps) public {
        quantity = uint32(bound(quantity, 1, 50));
        feeBps = uint16(bound(feeBps, 0, 2_000));
        vm.prank(admin);
        editions.setPlatformFee(feeBps);
        vm.prank(artist);
        uint256 editionId = editions.createEdition(assetId, NATIVE, price, 50, 0, 0, 0, 0);
        uint256 paid = uint256(price) * quantity;
        vm.deal(fan, paid);
        vm.prank(fan);
        editions.mint{value: paid}(editionId, quantity);
        uint256 fee = paid * feeBps / 10_000;
        vm.assertEq(treasury.balance, fee);
        vm.assertEq(vault.undistributed(assetId, NATIVE), paid - fee);
        vm.assertEq(editions.balanceOf(fan, editionId), quantity);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    function _createNativeEdition(uint32 maxSupply, uint32 perWalletCap) internal returns (uint256 editionId) {
        vm.prank(artist);
        editionId = editions.createEdition(assetId, NATIVE, PRICE, maxSupply, 0, 0, perWalletCap, 1_000);
    }
}
