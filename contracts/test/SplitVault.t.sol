// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {RightsRegistry} from "../src/RightsRegistry.sol";
import {RoyaltyReceiver} from "../src/RoyaltyReceiver.sol";
import {SplitVault} from "../src/SplitVault.sol";
import {RejectingReceiver, ReentrantWithdrawer} from "./mocks/MockAccounts.sol";
import {BlacklistERC20, FeeOnTransferERC20, MockERC20} from "./mocks/MockTokens.sol";
import {HarmoniTest} from "./utils/HarmoniTest.sol";

contract SplitVaultTest is HarmoniTest {
    address internal constant NATIVE = address(0);

    address internal alice;
    address internal bob;
    address internal carol;
    address internal payer;
    MockERC20 internal token;

    uint256 internal assetId;
    address[] internal recipients;
    uint32[] internal allocations;

    function setUp() public override {
        super.setUp();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        payer = makeAddr("payer");
        token = new MockERC20("Token", "TKN");
        (address[] memory r, uint32[] memory a) = _threeWaySplit();
        recipients = r;
        allocations = a;
        assetId = _registerWork(alice, r, a);
        vm.deal(payer, 1_000 ether);
        token.mint(payer, 1_000_000e18);
        vm.prank(payer);
        token.approve(address(vault), type(uint256).max);
    }

    function test_Constructor() public {
        vm.assertEq(address(vault.registry()), address(registry));
        vm.assertEq(uint256(vault.SCALE()), 1e6);
        vm.assertEq(vault.MAX_UNDISTRIBUTED(), type(uint256).max / 1e6);
        vm.expectRevert(SplitVault.ZeroAddress.selector);
        new SplitVault(address(0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // deposit
    // ---------------------------------------------------------------------------------------------------------

    function test_DepositNative() public {
        vm.expectEmit(address(vault));
        emit SplitVault.Deposited(assetId, NATIVE, payer, 1 ether);
        vm.prank(payer);
        vault.deposit{value: 1 ether}(assetId, NATIVE, 1 ether);
        vm.assertEq(vault.undistributed(assetId, NATIVE), 1 ether);
        vm.assertEq(address(vault).balance, 1 ether);
    }

    function test_DepositERC20() public {
        vm.expectEmit(address(vault));
        emit SplitVault.Deposited(assetId, address(token), payer, 500e18);
        vm.prank(payer);
        vault.deposit(assetId, address(token), 500e18);
        vm.assertEq(vault.undistributed(assetId, address(token)), 500e18);
        vm.assertEq(token.balanceOf(address(vault)), 500e18);
    }

    function test_DepositERC20_FeeOnTransferCreditsWhatArrived() public {
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        feeToken.mint(payer, 1_000);
        vm.startPrank(payer);
        feeToken.approve(address(vault), 1_000);
        vm.expectEmit(address(vault));
        emit SplitVault.Deposited(assetId, address(feeToken), payer, 990);
        vault.deposit(assetId, address(feeToken), 1_000);
        vm.stopPrank();
        vm.assertEq(vault.undistributed(assetId, address(feeToken)), 990);
        vm.assertEq(feeToken.balanceOf(address(vault)), 990);
    }

    function test_DepositToFrozenAssetIsHeld() public {
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        _depositNative(2 ether);
        vm.assertEq(vault.undistributed(assetId, NATIVE), 2 ether);
    }

    function test_RevertWhen_DepositUnknownAsset() public {
        vm.startPrank(payer);
        vm.expectRevert(abi.encodeWithSelector(SplitVault.UnknownAsset.selector, 0));
        vault.deposit{value: 1}(0, NATIVE, 1);
        vm.expectRevert(abi.encodeWithSelector(SplitVault.UnknownAsset.selector, 2));
        vault.deposit{value: 1}(2, NATIVE, 1);
        vm.stopPrank();
    }

    function test_RevertWhen_DepositNativeWrongAmount() public {
        vm.expectRevert(abi.encodeWithSelector(SplitVault.WrongNativeAmount.selector, 2 ether, 1 ether));
        vm.prank(payer);
        vault.deposit{value: 1 ether}(assetId, NATIVE, 2 ether);
    }

    function test_RevertWhen_DepositZero() public {
        vm.startPrank(payer);
        vm.expectRevert(SplitVault.ZeroAmount.selector);
        vault.deposit(assetId, NATIVE, 0);
        vm.expectRevert(SplitVault.ZeroAmount.selector);
        vault.deposit(assetId, address(token), 0);
        vm.stopPrank();
    }

    function test_RevertWhen_DepositERC20WithValue() public {
        vm.expectRevert(abi.encodeWithSelector(SplitVault.UnexpectedNativeValue.selector, 1));
        vm.prank(payer);
        vault.deposit{value: 1}(assetId, address(token), 10);
    }

    function test_RevertWhen_DepositERC20WithoutAllowance() public {
        vm.expectRevert();
        vm.prank(alice);
        vault.deposit(assetId, address(token), 10);
    }

    function test_RevertWhen_DepositTooLarge() public {
        uint256 max = vault.MAX_UNDISTRIBUTED();
        token.mint(payer, max);
        vm.startPrank(payer);
        vault.deposit(assetId, address(token), max - 10);
        vm.expectRevert(abi.encodeWithSelector(SplitVault.DepositTooLarge.selector, max - 10, 11));
        vault.deposit(assetId, address(token), 11);
        vault.deposit(assetId, address(token), 10);
        vm.stopPrank();
        vm.assertEq(vault.undistributed(assetId, address(token)), max);
        // Even the largest amount distributes without overflow.
        vault.distribute(assetId, address(token), recipients, allocations);
        vm.assertEq(_sumBalances(address(token)), max);
    }

    function test_RevertWhen_NativeSentDirectly() public {
        vm.prank(payer);
        (bool ok, bytes memory data) = address(vault).call{value: 1 ether}("");
        vm.assertFalse(ok);
        vm.assertEq(data, abi.encodeWithSelector(SplitVault.NativeTransferRejected.selector, payer));
    }

    // ---------------------------------------------------------------------------------------------------------
    // distribute
    // ---------------------------------------------------------------------------------------------------------

    function test_Distribute() public {
        _depositNative(1 ether);
        vm.expectEmit(address(vault));
        emit SplitVault.Distributed(assetId, NATIVE, 1 ether, 1, registry.splitHash(assetId));
        vault.distribute(assetId, NATIVE, recipients, allocations);
        vm.assertEq(vault.undistributed(assetId, NATIVE), 0);
        for (uint256 i; i < recipients.length; ++i) {
            vm.assertEq(vault.balanceOf(recipients[i], NATIVE), 1 ether * uint256(allocations[i]) / SCALE);
        }
    }

    function test_Distribute_RemainderGoesToFirstRecipient() public {
        // 333_333 / 333_333 / 333_334 of 10 units: floors 3, 3, 3 and one unit left over.
        (address[] memory r, uint32[] memory a) = _evenSplit(3, 99);
        uint256 thirds = _registerWork(alice, r, a);
        vm.prank(payer);
        vault.deposit(thirds, address(token), 10);
        vault.distribute(thirds, address(token), r, a);
        vm.assertEq(vault.balanceOf(r[0], address(token)), 4);
        vm.assertEq(vault.balanceOf(r[1], address(token)), 3);
        vm.assertEq(vault.balanceOf(r[2], address(token)), 3);
    }

    function test_Distribute_AccumulatesAcrossDistributions() public {
        _depositNative(1 ether);
        vault.distribute(assetId, NATIVE, recipients, allocations);
        _depositNative(3 ether);
        vault.distribute(assetId, NATIVE, recipients, allocations);
        vm.assertEq(_sumBalances(NATIVE), 4 ether);
        vm.assertEq(vault.balanceOf(recipients[1], NATIVE), 4 ether * uint256(allocations[1]) / SCALE);
    }

    function test_Distribute_FollowsSplitInForce() public {
        _depositNative(1 ether);
        (address[] memory r, uint32[] memory a) = _split1(carol);
        vm.prank(alice);
        registry.updateSplit(assetId, r, a);
        // The old split no longer matches; the new one takes everything undistributed.
        vm.expectRevert(
            abi.encodeWithSelector(
                SplitVault.SplitHashMismatch.selector,
                assetId,
                keccak256(abi.encode(r, a)),
                keccak256(abi.encode(recipients, allocations))
            )
        );
        vault.distribute(assetId, NATIVE, recipients, allocations);
        vm.expectEmit(address(vault));
        emit SplitVault.Distributed(assetId, NATIVE, 1 ether, 2, keccak256(abi.encode(r, a)));
        vault.distribute(assetId, NATIVE, r, a);
        vm.assertEq(vault.balanceOf(carol, NATIVE), 1 ether);
    }

    function test_RevertWhen_DistributeSplitMismatch() public {
        _depositNative(1 ether);
        uint32[] memory tampered = allocations;
        (tampered[0], tampered[1]) = (tampered[1], tampered[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                SplitVault.SplitHashMismatch.selector,
                assetId,
                registry.splitHash(assetId),
                keccak256(abi.encode(recipients, tampered))
            )
        );
        vault.distribute(assetId, NATIVE, recipients, tampered);
    }

    function test_RevertWhen_DistributeDirtyCalldata() public {
        _depositNative(1 ether);
        bytes memory data = abi.encodeCall(SplitVault.distribute, (assetId, NATIVE, recipients, allocations));
        // Set a high bit in the first recipient word: a different hash, so a mismatch.
        uint256 firstRecipientOffset = 4 + 32 * 4 + 32;
        data[firstRecipientOffset] = 0x01;
        (bool ok, bytes memory revertData) = address(vault).call(data);
        vm.assertFalse(ok);
        vm.assertEq(bytes4(revertData), SplitVault.SplitHashMismatch.selector);
    }

    function test_RevertWhen_DistributeFrozen() public {
        _depositNative(1 ether);
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(SplitVault.AssetFrozen.selector, assetId));
        vault.distribute(assetId, NATIVE, recipients, allocations);

        vm.prank(arbiter);
        registry.unfreeze(assetId, address(0));
        vault.distribute(assetId, NATIVE, recipients, allocations);
        vm.assertEq(_sumBalances(NATIVE), 1 ether);
    }

    function test_RevertWhen_DistributeNothing() public {
        vm.expectRevert(abi.encodeWithSelector(SplitVault.NothingToDistribute.selector, assetId, NATIVE));
        vault.distribute(assetId, NATIVE, recipients, allocations);
    }

    function test_RevertWhen_DistributeUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 7));
        vault.distribute(7, NATIVE, recipients, allocations);
    }

    // ---------------------------------------------------------------------------------------------------------
    // withdraw
    // ---------------------------------------------------------------------------------------------------------

    function test_WithdrawNative() public {
        _depositNative(1 ether);
        vault.distribute(assetId, NATIVE, recipients, allocations);
        address account = recipients[1];
        uint256 amount = vault.balanceOf(account, NATIVE);
        vm.expectEmit(address(vault));
        emit SplitVault.Withdrawn(account, NATIVE, amount, carol);
        vm.prank(carol); // anyone may trigger; the money goes to the account
        vault.withdraw(account, NATIVE);
        vm.assertEq(account.balance, amount);
        vm.assertEq(vault.balanceOf(account, NATIVE), 0);
    }

    function test_WithdrawERC20() public {
        vm.prank(payer);
        vault.deposit(assetId, address(token), 1_000);
        vault.distribute(assetId, address(token), recipients, allocations);
        for (uint256 i; i < recipients.length; ++i) {
            uint256 amount = vault.balanceOf(recipients[i], address(token));
            vault.withdraw(recipients[i], address(token));
            vm.assertEq(token.balanceOf(recipients[i]), amount);
        }
        vm.assertEq(token.balanceOf(address(vault)), 0);
    }

    function test_RevertWhen_WithdrawNothing() public {
        vm.expectRevert(abi.encodeWithSelector(SplitVault.NothingToWithdraw.selector, alice, NATIVE));
        vault.withdraw(alice, NATIVE);
    }

    function test_Withdraw_BlacklistedAccountIsIsolated() public {
        BlacklistERC20 usdc = new BlacklistERC20();
        usdc.mint(payer, 1_000_000);
        vm.prank(payer);
        usdc.approve(address(vault), type(uint256).max);
        vm.prank(payer);
        vault.deposit(assetId, address(usdc), 1_000_000);
        vault.distribute(assetId, address(usdc), recipients, allocations);

        address blocked = recipients[0];
        usdc.setBlacklisted(blocked, true);
        uint256 blockedBalance = vault.balanceOf(blocked, address(usdc));
        vm.expectRevert(abi.encodeWithSelector(BlacklistERC20.Blacklisted.selector, blocked));
        vault.withdraw(blocked, address(usdc));
        vm.assertEq(vault.balanceOf(blocked, address(usdc)), blockedBalance);

        // Everyone else is paid as usual, and so is the blocked account once delisted.
        vault.withdraw(recipients[1], address(usdc));
        vault.withdraw(recipients[2], address(usdc));
        usdc.setBlacklisted(blocked, false);
        vault.withdraw(blocked, address(usdc));
        vm.assertEq(usdc.balanceOf(address(vault)), 0);
    }

    function test_Withdraw_RejectingContractIsIsolated() public {
        RejectingReceiver rejecting = new RejectingReceiver();
        (address[] memory r, uint32[] memory a) = _split2(address(rejecting), 500_000, bob, 500_000);
        uint256 other = _registerWork(alice, r, a);
        vm.prank(payer);
        vault.deposit{value: 1 ether}(other, NATIVE, 1 ether);
        vault.distribute(other, NATIVE, r, a);
        vm.expectRevert(Errors.FailedCall.selector);
        vault.withdraw(address(rejecting), NATIVE);
        vault.withdraw(bob, NATIVE);
        vm.assertEq(bob.balance, 0.5 ether);
        vm.assertEq(vault.balanceOf(address(rejecting), NATIVE), 0.5 ether);
    }

    function test_RevertWhen_WithdrawReentered() public {
        ReentrantWithdrawer attacker = new ReentrantWithdrawer(vault);
        (address[] memory r, uint32[] memory a) = _split1(address(attacker));
        uint256 other = _registerWork(alice, r, a);
        vm.prank(payer);
        vault.deposit{value: 1 ether}(other, NATIVE, 1 ether);
        vault.distribute(other, NATIVE, r, a);
        // The nested withdraw hits the guard; its revert bubbles up and the whole withdrawal reverts.
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vault.withdraw(address(attacker), NATIVE);
        vm.assertEq(vault.balanceOf(address(attacker), NATIVE), 1 ether);
        vm.assertEq(address(vault).balance, 1 ether);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Royalty receivers
    // ---------------------------------------------------------------------------------------------------------

    function test_RoyaltyReceiver_CollectNative() public {
        address receiver = vault.royaltyReceiver(assetId);
        vm.assertEq(receiver.code.length, 0);
        // Paid before it exists (counterfactual address), then collected: deploys and sweeps.
        vm.prank(payer);
        (bool ok,) = receiver.call{value: 3 ether}("");
        vm.assertTrue(ok);
        vm.expectEmit(address(vault));
        emit SplitVault.Deposited(assetId, NATIVE, receiver, 3 ether);
        vm.assertEq(vault.collectRoyalties(assetId, NATIVE), 3 ether);
        vm.assertTrue(receiver.code.length != 0);
        vm.assertEq(RoyaltyReceiver(payable(receiver)).vault(), address(vault));
        vm.assertEq(vault.undistributed(assetId, NATIVE), 3 ether);
        vm.assertEq(receiver.balance, 0);

        // Once deployed it still accepts a 2300-gas stipend transfer (marketplaces using `transfer`).
        vm.prank(payer);
        payable(receiver).transfer(1 ether);
        vm.assertEq(vault.collectRoyalties(assetId, NATIVE), 1 ether);
        vm.assertEq(vault.undistributed(assetId, NATIVE), 4 ether);
    }

    function test_RoyaltyReceiver_CollectERC20() public {
        address receiver = vault.royaltyReceiver(assetId);
        vm.prank(payer);
        token.transfer(receiver, 70e18);
        vm.assertEq(vault.collectRoyalties(assetId, address(token)), 70e18);
        vm.assertEq(vault.undistributed(assetId, address(token)), 70e18);
        vm.assertEq(token.balanceOf(address(vault)), 70e18);
    }

    function test_RoyaltyReceiver_DistinctPerAsset() public {
        (address[] memory r, uint32[] memory a) = _split1(bob);
        uint256 other = _registerWork(bob, r, a);
        vm.assertNotEq(vault.royaltyReceiver(assetId), vault.royaltyReceiver(other));
    }

    function test_RevertWhen_CollectNothing() public {
        vm.expectRevert(abi.encodeWithSelector(SplitVault.NothingToCollect.selector, assetId, NATIVE));
        vault.collectRoyalties(assetId, NATIVE);
    }

    function test_RevertWhen_CollectUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(SplitVault.UnknownAsset.selector, 5));
        vault.collectRoyalties(5, NATIVE);
    }

    function test_RevertWhen_SweepNotVault() public {
        RoyaltyReceiver receiver = RoyaltyReceiver(payable(vault.royaltyReceiver(assetId)));
        vm.prank(payer);
        token.transfer(address(receiver), 1);
        vault.collectRoyalties(assetId, address(token));
        vm.expectRevert(abi.encodeWithSelector(RoyaltyReceiver.CallerNotVault.selector, alice));
        vm.prank(alice);
        receiver.sweep(NATIVE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fuzz: split math
    // ---------------------------------------------------------------------------------------------------------

    /// @dev For a random split of n recipients and a random amount, the vault credits exactly:
    /// - recipient i > 0: floor(amount * a_i / 1e6), i.e. 0 <= exact_i - got_i < 1;
    /// - recipient 0: amount minus the others, i.e. got_0 >= exact_0 and got_0 - exact_0 < n - 1 (in units),
    ///   equivalently got_0 - floor(amount * a_0 / 1e6) <= n - 1;
    /// - and the parts sum to the whole.
    function testFuzz_DistributeSplitMath(uint256 amount, uint256 count, uint256 seed) public {
        count = bound(count, 1, 40);
        amount = bound(amount, 1, vault.MAX_UNDISTRIBUTED());
        (address[] memory r, uint32[] memory a) = _randomSplit(count, seed);
        uint256 id = _registerWork(alice, r, a);
        token.mint(payer, amount);
        vm.prank(payer);
        vault.deposit(id, address(token), amount);
        vault.distribute(id, address(token), r, a);

        uint256 sum;
        for (uint256 i; i < count; ++i) {
            uint256 got = vault.balanceOf(r[i], address(token));
            uint256 floorShare = _mulDivDown(amount, a[i], SCALE);
            sum += got;
            if (i == 0) {
                vm.assertGe(got, floorShare, "first recipient below its floor share");
                vm.assertLe(got - floorShare, count - 1, "first recipient more than n-1 units above its floor");
            } else {
                vm.assertEq(got, floorShare, "recipient not credited its floor share");
            }
        }
        vm.assertEq(sum, amount, "parts do not sum to the whole");
        vm.assertEq(vault.undistributed(id, address(token)), 0);
    }

    /// @dev Small amounts stress rounding: every unit is accounted for even when most shares floor to zero.
    function testFuzz_DistributeSmallAmounts(uint256 amount, uint256 count, uint256 seed) public {
        count = bound(count, 1, 40);
        amount = bound(amount, 1, 1_000);
        (address[] memory r, uint32[] memory a) = _randomSplit(count, seed);
        uint256 id = _registerWork(alice, r, a);
        vm.prank(payer);
        vault.deposit(id, address(token), amount);
        vault.distribute(id, address(token), r, a);
        uint256 sum;
        for (uint256 i; i < count; ++i) {
            sum += vault.balanceOf(r[i], address(token));
        }
        vm.assertEq(sum, amount);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    function _threeWaySplit() internal view returns (address[] memory r, uint32[] memory a) {
        r = new address[](3);
        a = new uint32[](3);
        (r[0], r[1], r[2]) = (alice, bob, carol);
        (a[0], a[1], a[2]) = (500_000, 300_000, 200_000);
        _sortSplit(r, a);
    }

    function _depositNative(uint256 amount) internal {
        vm.prank(payer);
        vault.deposit{value: amount}(assetId, NATIVE, amount);
    }

    function _sumBalances(address token_) internal view returns (uint256 sum) {
        for (uint256 i; i < recipients.length; ++i) {
            sum += vault.balanceOf(recipients[i], token_);
        }
    }

    /// @dev Random split: `count` distinct sorted recipients, random positive allocations summing to 1e6.
    function _randomSplit(uint256 count, uint256 seed) internal pure returns (address[] memory r, uint32[] memory a) {
        (r, a) = _evenSplit(count, seed);
        uint256 left = SCALE - count; // every recipient keeps at least 1
        for (uint256 i; i < count; ++i) {
            uint256 extra = i == count - 1 ? left : uint256(keccak256(abi.encode(seed, "alloc", i))) % (left + 1);
            a[i] = uint32(1 + extra);
            left -= extra;
        }
    }

    function _mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        // x <= MAX_UNDISTRIBUTED = type(uint256).max / 1e6 and y <= 1e6, so x * y fits.
        return x * y / d;
    }
}
