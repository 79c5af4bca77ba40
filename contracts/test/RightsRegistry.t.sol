// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {RightsRegistry} from "../src/RightsRegistry.sol";
import {HarmoniTest} from "./utils/HarmoniTest.sol";

contract RightsRegistryTest is HarmoniTest {
    address internal alice;
    address internal bob;
    address internal carol;

    function setUp() public override {
        super.setUp();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Deployment
    // ---------------------------------------------------------------------------------------------------------

    function test_Constructor_GrantsAdminRole() public view {
        vm.assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertTrue(registry.hasRole(registry.ARBITER_ROLE(), arbiter));
        vm.assertEq(registry.ARBITER_ROLE(), keccak256("ARBITER_ROLE"));
        vm.assertEq(registry.assetCount(), 0);
        vm.assertEq(uint256(registry.SCALE()), 1e6);
    }

    function test_RevertWhen_ConstructorZeroAdmin() public {
        vm.expectRevert(RightsRegistry.ZeroAddress.selector);
        new RightsRegistry(address(0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // registerWork
    // ---------------------------------------------------------------------------------------------------------

    function test_RegisterWork() public {
        (address[] memory recipients, uint32[] memory allocations) = _split2(alice, 600_000, bob, 400_000);
        bytes12 iswc = _iswc(34_567_890);
        bytes32 hash = keccak256(abi.encode(recipients, allocations));

        vm.expectEmit(address(registry));
        emit RightsRegistry.AssetRegistered(
            1, RightsRegistry.AssetKind.Work, alice, iswc, bytes32(0), new uint256[](0), "ipfs://work"
        );
        vm.expectEmit(address(registry));
        emit RightsRegistry.SplitUpdated(1, 1, hash, recipients, allocations);
        vm.prank(alice);
        uint256 assetId = registry.registerWork(alice, iswc, "ipfs://work", recipients, allocations);

        vm.assertEq(assetId, 1);
        vm.assertEq(registry.assetCount(), 1);
        vm.assertEq(registry.assetIdByCode(iswc), 1);
        vm.assertEq(registry.controllerOf(1), alice);
        vm.assertEq(registry.splitHash(1), hash);
        vm.assertFalse(registry.isFrozen(1));
        RightsRegistry.Asset memory asset = registry.getAsset(1);
        vm.assertEq(asset.controller, alice);
        vm.assertTrue(asset.kind == RightsRegistry.AssetKind.Work);
        vm.assertEq(uint256(asset.splitVersion), 1);
        vm.assertFalse(asset.splitLocked);
        vm.assertFalse(asset.frozen);
        vm.assertEq(asset.pendingController, address(0));
        vm.assertEq(bytes32(asset.industryCode), bytes32(iswc));
        vm.assertEq(asset.contentHash, bytes32(0));
        vm.assertEq(asset.splitHash, hash);
        vm.assertEq(asset.metadataURI, "ipfs://work");
        vm.assertEq(asset.workIds.length, 0);
        (bytes32 stateHash, uint32 version, bool frozen) = registry.splitState(1);
        vm.assertEq(stateHash, hash);
        vm.assertEq(uint256(version), 1);
        vm.assertFalse(frozen);
    }

    function test_RegisterWork_IdsAreSequential() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        vm.assertEq(_registerWork(alice, r, a), 1);
        vm.assertEq(_registerWork(bob, r, a), 2);
        vm.assertEq(_registerWork(alice, r, a), 3);
        vm.assertEq(registry.assetCount(), 3);
        vm.assertEq(registry.controllerOf(2), bob);
    }

    function test_RevertWhen_RegisterWorkCallerNotController() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.CallerNotController.selector, bob, alice));
        vm.prank(bob);
        registry.registerWork(alice, _iswc(1), "ipfs://work", r, a);
    }

    function test_RevertWhen_IswcMalformed() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        bytes12[6] memory bad = [
            bytes12("X1234567890"), // no leading T
            bytes12("T12345678A0"), // letter among the digits
            bytes12("T1234567890X"), // no zero padding byte
            bytes12("T123456789"), // one digit short
            bytes12(0), // empty
            bytes12("t1234567890") // lower-case t
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    RightsRegistry.InvalidIndustryCode.selector, RightsRegistry.AssetKind.Work, bad[i]
                )
            );
            vm.prank(alice);
            registry.registerWork(alice, bad[i], "ipfs://work", r, a);
        }
    }

    function test_RevertWhen_IswcUsedForRecording() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        bytes12 iswc = _iswc(5);
        vm.expectRevert(
            abi.encodeWithSelector(
                RightsRegistry.InvalidIndustryCode.selector, RightsRegistry.AssetKind.Recording, iswc
            )
        );
        vm.prank(alice);
        registry.registerRecording(alice, iswc, _contentHash(1), new uint256[](0), "ipfs://rec", r, a);
    }

    function test_RevertWhen_IndustryCodeTaken() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        bytes12 iswc = _iswc(42);
        vm.prank(alice);
        registry.registerWork(alice, iswc, "ipfs://work", r, a);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.IndustryCodeTaken.selector, iswc, 1));
        vm.prank(bob);
        registry.registerWork(bob, iswc, "ipfs://other", r, a);
    }

    function test_RevertWhen_MetadataURIEmpty() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        vm.expectRevert(RightsRegistry.EmptyMetadataURI.selector);
        vm.prank(alice);
        registry.registerWork(alice, _iswc(1), "", r, a);
    }

    // ---------------------------------------------------------------------------------------------------------
    // registerRecording
    // ---------------------------------------------------------------------------------------------------------

    function test_RegisterRecording() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        uint256 work1 = _registerWork(alice, r, a);
        uint256 work2 = _registerWork(bob, r, a);
        uint256[] memory workIds = new uint256[](2);
        (workIds[0], workIds[1]) = (work1, work2);
        (address[] memory recipients, uint32[] memory allocations) = _split2(alice, 500_000, carol, 500_000);
        bytes12 isrc = bytes12("GBAYE2400001");
        bytes32 contentHash = _contentHash(7);

        vm.expectEmit(address(registry));
        emit RightsRegistry.AssetRegistered(
            3, RightsRegistry.AssetKind.Recording, alice, isrc, contentHash, workIds, "ipfs://rec"
        );
        vm.expectEmit(address(registry));
        emit RightsRegistry.SplitUpdated(3, 1, keccak256(abi.encode(recipients, allocations)), recipients, allocations);
        vm.prank(alice);
        uint256 assetId =
            registry.registerRecording(alice, isrc, contentHash, workIds, "ipfs://rec", recipients, allocations);

        vm.assertEq(assetId, 3);
        vm.assertEq(registry.assetIdByCode(isrc), 3);
        vm.assertEq(registry.assetIdByContentHash(contentHash), 3);
        RightsRegistry.Asset memory asset = registry.getAsset(3);
        vm.assertTrue(asset.kind == RightsRegistry.AssetKind.Recording);
        vm.assertEq(asset.contentHash, contentHash);
        vm.assertEq(asset.workIds.length, 2);
        vm.assertEq(asset.workIds[0], work1);
        vm.assertEq(asset.workIds[1], work2);
    }

    function test_RegisterRecording_WithoutWorkLinks() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        uint256 assetId = _registerRecording(alice, new uint256[](0), r, a);
        vm.assertEq(registry.getAsset(assetId).workIds.length, 0);
    }

    function test_RevertWhen_RegisterRecordingCallerNotController() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.CallerNotController.selector, bob, alice));
        vm.prank(bob);
        registry.registerRecording(alice, _isrc(1), _contentHash(1), new uint256[](0), "ipfs://rec", r, a);
    }

    function test_RevertWhen_IsrcMalformed() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        bytes12[7] memory bad = [
            bytes12("usrc12400001"), // lower case
            bytes12("1SRC12400001"), // digit in the country code
            bytes12("USR-12400001"), // dash in the registrant code
            bytes12("USRC1A400001"), // letter in the year
            bytes12("USRC124000X1"), // letter in the designation
            bytes12("USRC1240001"), // 11 characters
            bytes12(0)
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    RightsRegistry.InvalidIndustryCode.selector, RightsRegistry.AssetKind.Recording, bad[i]
                )
            );
            vm.prank(alice);
            registry.registerRecording(alice, bad[i], _contentHash(i), new uint256[](0), "ipfs://rec", r, a);
        }
    }

    function test_RevertWhen_IsrcTaken() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        bytes12 isrc = _isrc(9);
        vm.prank(alice);
        registry.registerRecording(alice, isrc, _contentHash(1), new uint256[](0), "ipfs://rec", r, a);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.IndustryCodeTaken.selector, isrc, 1));
        vm.prank(alice);
        registry.registerRecording(alice, isrc, _contentHash(2), new uint256[](0), "ipfs://rec", r, a);
    }

    function test_RevertWhen_ContentHashMissing() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        vm.expectRevert(RightsRegistry.ContentHashRequired.selector);
        vm.prank(alice);
        registry.registerRecording(alice, _isrc(1), bytes32(0), new uint256[](0), "ipfs://rec", r, a);
    }

    function test_RevertWhen_ContentHashTaken() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        bytes32 contentHash = _contentHash(3);
        vm.prank(alice);
        registry.registerRecording(alice, _isrc(1), contentHash, new uint256[](0), "ipfs://rec", r, a);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.ContentHashTaken.selector, contentHash, 1));
        vm.prank(bob);
        registry.registerRecording(bob, _isrc(2), contentHash, new uint256[](0), "ipfs://rec", r, a);
    }

    function test_RevertWhen_WorkLinkUnknown() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        uint256[] memory workIds = new uint256[](1);
        workIds[0] = 5;
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.InvalidWorkLink.selector, 0, 5));
        vm.prank(alice);
        registry.registerRecording(alice, _isrc(1), _contentHash(1), workIds, "ipfs://rec", r, a);
    }

    function test_RevertWhen_WorkLinkIsRecording() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        uint256 work = _registerWork(alice, r, a);
        uint256 recording = _registerRecording(alice, new uint256[](0), r, a);
        uint256[] memory workIds = new uint256[](2);
        (workIds[0], workIds[1]) = (work, recording);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.InvalidWorkLink.selector, 1, recording));
        vm.prank(alice);
        registry.registerRecording(alice, _isrc(77), _contentHash(77), workIds, "ipfs://rec", r, a);
    }

    function test_RevertWhen_WorkIdsUnsorted() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        uint256 work = _registerWork(alice, r, a);
        uint256[] memory workIds = new uint256[](2);
        (workIds[0], workIds[1]) = (work, work);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.WorkIdsUnsorted.selector, 1));
        vm.prank(alice);
        registry.registerRecording(alice, _isrc(77), _contentHash(77), workIds, "ipfs://rec", r, a);
    }

    function test_RevertWhen_TooManyWorkLinks() public {
        (address[] memory r, uint32[] memory a) = _split1(alice);
        uint256[] memory workIds = new uint256[](65);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.TooManyWorkLinks.selector, 65));
        vm.prank(alice);
        registry.registerRecording(alice, _isrc(1), _contentHash(1), workIds, "ipfs://rec", r, a);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Split validation
    // ---------------------------------------------------------------------------------------------------------

    function test_RegisterWork_MaxRecipients() public {
        (address[] memory r, uint32[] memory a) = _evenSplit(250, 1);
        uint256 assetId = _registerWork(alice, r, a);
        vm.assertEq(registry.splitHash(assetId), keccak256(abi.encode(r, a)));
    }

    function test_RevertWhen_SplitEmpty() public {
        _expectSplitRevert(
            new address[](0), new uint32[](0), abi.encodeWithSelector(RightsRegistry.SplitEmpty.selector)
        );
    }

    function test_RevertWhen_SplitLengthMismatch() public {
        (address[] memory r,) = _split2(alice, 1, bob, 1);
        (, uint32[] memory a) = _split1(alice);
        _expectSplitRevert(r, a, abi.encodeWithSelector(RightsRegistry.SplitLengthMismatch.selector, 2, 1));
    }

    function test_RevertWhen_SplitTooManyRecipients() public {
        (address[] memory r, uint32[] memory a) = _evenSplit(251, 1);
        _expectSplitRevert(r, a, abi.encodeWithSelector(RightsRegistry.SplitTooManyRecipients.selector, 251));
    }

    function test_RevertWhen_SplitRecipientZero() public {
        (address[] memory r, uint32[] memory a) = _split2(address(0), 500_000, bob, 500_000);
        _expectSplitRevert(r, a, abi.encodeWithSelector(RightsRegistry.SplitRecipientZero.selector));
    }

    function test_RevertWhen_SplitRecipientsUnsorted() public {
        (address[] memory r, uint32[] memory a) = _split2(alice, 500_000, bob, 500_000);
        (r[0], r[1]) = (r[1], r[0]);
        _expectSplitRevert(r, a, abi.encodeWithSelector(RightsRegistry.SplitRecipientsUnsorted.selector, 1));
    }

    function test_RevertWhen_SplitRecipientDuplicated() public {
        (address[] memory r, uint32[] memory a) = _split2(alice, 500_000, alice, 500_000);
        _expectSplitRevert(r, a, abi.encodeWithSelector(RightsRegistry.SplitRecipientsUnsorted.selector, 1));
    }

    function test_RevertWhen_SplitAllocationZero() public {
        (address[] memory r, uint32[] memory a) = _split2(alice, 1_000_000, bob, 0);
        uint256 zeroIndex = a[0] == 0 ? 0 : 1;
        _expectSplitRevert(r, a, abi.encodeWithSelector(RightsRegistry.SplitAllocationZero.selector, zeroIndex));
    }

    function test_RevertWhen_SplitAllocationsSumTooLow() public {
        (address[] memory r, uint32[] memory a) = _split2(alice, 500_000, bob, 499_999);
        _expectSplitRevert(r, a, abi.encodeWithSelector(RightsRegistry.SplitAllocationsSum.selector, 999_999));
    }

    function test_RevertWhen_SplitAllocationsSumTooHigh() public {
        (address[] memory r, uint32[] memory a) = _split2(alice, type(uint32).max, bob, type(uint32).max);
        _expectSplitRevert(
            r, a, abi.encodeWithSelector(RightsRegistry.SplitAllocationsSum.selector, 2 * uint256(type(uint32).max))
        );
    }

    function testFuzz_HashSplit(address[] calldata recipients, uint32[] calldata allocations) public view {
        vm.assertEq(registry.hashSplit(recipients, allocations), keccak256(abi.encode(recipients, allocations)));
    }

    /// @dev Any split the registry accepts has 1-250 ascending non-zero recipients and positive allocations
    /// summing to 1e6; anything else reverts.
    function testFuzz_SplitValidation(uint256 count, uint256 salt, uint32 skew) public {
        count = bound(count, 1, 12);
        (address[] memory r, uint32[] memory a) = _evenSplit(count, salt);
        skew = uint32(bound(skew, 0, 2));
        if (skew == 1) a[0] += 1;
        if (skew == 2 && count > 1) (r[0], r[count - 1]) = (r[count - 1], r[0]);
        bool valid = skew == 0 || (skew == 2 && count == 1);
        bytes12 iswc = _nextIswc();
        vm.prank(alice);
        if (valid) {
            registry.registerWork(alice, iswc, "ipfs://w", r, a);
            vm.assertEq(registry.splitHash(registry.assetCount()), keccak256(abi.encode(r, a)));
        } else {
            vm.expectRevert();
            registry.registerWork(alice, iswc, "ipfs://w", r, a);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // updateSplit / lockSplit
    // ---------------------------------------------------------------------------------------------------------

    function test_UpdateSplit() public {
        uint256 assetId = _aliceWork();
        (address[] memory r, uint32[] memory a) = _split2(bob, 250_000, carol, 750_000);
        bytes32 hash = keccak256(abi.encode(r, a));
        vm.expectEmit(address(registry));
        emit RightsRegistry.SplitUpdated(assetId, 2, hash, r, a);
        vm.prank(alice);
        registry.updateSplit(assetId, r, a);
        (bytes32 stateHash, uint32 version,) = registry.splitState(assetId);
        vm.assertEq(stateHash, hash);
        vm.assertEq(uint256(version), 2);
    }

    function test_RevertWhen_UpdateSplitNotController() public {
        uint256 assetId = _aliceWork();
        (address[] memory r, uint32[] memory a) = _split1(bob);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.NotController.selector, assetId, bob));
        vm.prank(bob);
        registry.updateSplit(assetId, r, a);
    }

    function test_RevertWhen_UpdateSplitUnknownAsset() public {
        (address[] memory r, uint32[] memory a) = _split1(bob);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 9));
        vm.prank(alice);
        registry.updateSplit(9, r, a);
    }

    function test_RevertWhen_UpdateSplitInvalid() public {
        uint256 assetId = _aliceWork();
        (address[] memory r, uint32[] memory a) = _split2(alice, 1, bob, 1);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SplitAllocationsSum.selector, 2));
        vm.prank(alice);
        registry.updateSplit(assetId, r, a);
    }

    function test_RevertWhen_UpdateSplitLocked() public {
        uint256 assetId = _aliceWork();
        vm.prank(alice);
        registry.lockSplit(assetId);
        (address[] memory r, uint32[] memory a) = _split1(bob);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SplitIsLocked.selector, assetId));
        vm.prank(alice);
        registry.updateSplit(assetId, r, a);
    }

    function test_RevertWhen_UpdateSplitFrozen() public {
        uint256 assetId = _aliceWork();
        vm.prank(arbiter);
        registry.freeze(assetId, keccak256("dispute"));
        (address[] memory r, uint32[] memory a) = _split1(bob);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        vm.prank(alice);
        registry.updateSplit(assetId, r, a);
    }

    function test_LockSplit() public {
        uint256 assetId = _aliceWork();
        vm.expectEmit(address(registry));
        emit RightsRegistry.SplitLocked(assetId, 1, registry.splitHash(assetId));
        vm.prank(alice);
        registry.lockSplit(assetId);
        vm.assertTrue(registry.getAsset(assetId).splitLocked);
    }

    function test_RevertWhen_LockSplitTwice() public {
        uint256 assetId = _aliceWork();
        vm.prank(alice);
        registry.lockSplit(assetId);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SplitIsLocked.selector, assetId));
        vm.prank(alice);
        registry.lockSplit(assetId);
    }

    function test_RevertWhen_LockSplitNotController() public {
        uint256 assetId = _aliceWork();
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.NotController.selector, assetId, bob));
        vm.prank(bob);
        registry.lockSplit(assetId);
    }

    function test_RevertWhen_LockSplitFrozen() public {
        uint256 assetId = _aliceWork();
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        vm.prank(alice);
        registry.lockSplit(assetId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // setMetadataURI
    // ---------------------------------------------------------------------------------------------------------

    function test_SetMetadataURI() public {
        uint256 assetId = _aliceWork();
        vm.expectEmit(address(registry));
        emit RightsRegistry.MetadataURIUpdated(assetId, "ipfs://v2");
        vm.prank(alice);
        registry.setMetadataURI(assetId, "ipfs://v2");
        vm.assertEq(registry.getAsset(assetId).metadataURI, "ipfs://v2");
    }

    function test_RevertWhen_SetMetadataURIEmpty() public {
        uint256 assetId = _aliceWork();
        vm.expectRevert(RightsRegistry.EmptyMetadataURI.selector);
        vm.prank(alice);
        registry.setMetadataURI(assetId, "");
    }

    function test_RevertWhen_SetMetadataURINotController() public {
        uint256 assetId = _aliceWork();
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.NotController.selector, assetId, bob));
        vm.prank(bob);
        registry.setMetadataURI(assetId, "ipfs://v2");
    }

    function test_RevertWhen_SetMetadataURIFrozen() public {
        uint256 assetId = _aliceWork();
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        vm.prank(alice);
        registry.setMetadataURI(assetId, "ipfs://v2");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Controller transfer
    // ---------------------------------------------------------------------------------------------------------

    function test_TransferController_TwoStep() public {
        uint256 assetId = _aliceWork();
        vm.expectEmit(address(registry));
        emit RightsRegistry.ControllerTransferStarted(assetId, alice, bob);
        vm.prank(alice);
        registry.transferController(assetId, bob);
        vm.assertEq(registry.getAsset(assetId).pendingController, bob);
        vm.assertEq(registry.controllerOf(assetId), alice);

        vm.expectEmit(address(registry));
        emit RightsRegistry.ControllerTransferred(assetId, alice, bob);
        vm.prank(bob);
        registry.acceptController(assetId);
        vm.assertEq(registry.controllerOf(assetId), bob);
        vm.assertEq(registry.getAsset(assetId).pendingController, address(0));
    }

    function test_TransferController_CancelWithZero() public {
        uint256 assetId = _aliceWork();
        vm.startPrank(alice);
        registry.transferController(assetId, bob);
        vm.expectEmit(address(registry));
        emit RightsRegistry.ControllerTransferStarted(assetId, alice, address(0));
        registry.transferController(assetId, address(0));
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.NotPendingController.selector, assetId, bob));
        vm.prank(bob);
        registry.acceptController(assetId);
    }

    function test_RevertWhen_TransferControllerNotController() public {
        uint256 assetId = _aliceWork();
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.NotController.selector, assetId, bob));
        vm.prank(bob);
        registry.transferController(assetId, bob);
    }

    function test_RevertWhen_TransferControllerFrozen() public {
        uint256 assetId = _aliceWork();
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        vm.prank(alice);
        registry.transferController(assetId, bob);
    }

    function test_RevertWhen_AcceptControllerNotPending() public {
        uint256 assetId = _aliceWork();
        vm.prank(alice);
        registry.transferController(assetId, bob);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.NotPendingController.selector, assetId, carol));
        vm.prank(carol);
        registry.acceptController(assetId);
    }

    function test_RevertWhen_AcceptControllerFrozen() public {
        uint256 assetId = _aliceWork();
        vm.prank(alice);
        registry.transferController(assetId, bob);
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        vm.prank(bob);
        registry.acceptController(assetId);
    }

    function test_RevertWhen_AcceptControllerUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 3));
        vm.prank(bob);
        registry.acceptController(3);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Arbiter
    // ---------------------------------------------------------------------------------------------------------

    function test_Freeze() public {
        uint256 assetId = _aliceWork();
        vm.expectEmit(address(registry));
        emit RightsRegistry.AssetFrozen(assetId, arbiter, keccak256("case-17"));
        vm.prank(arbiter);
        registry.freeze(assetId, keccak256("case-17"));
        vm.assertTrue(registry.isFrozen(assetId));
        (,, bool frozen) = registry.splitState(assetId);
        vm.assertTrue(frozen);
    }

    function test_RevertWhen_FreezeNotArbiter() public {
        uint256 assetId = _aliceWork();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, registry.ARBITER_ROLE()
            )
        );
        vm.prank(alice);
        registry.freeze(assetId, bytes32(0));
    }

    function test_RevertWhen_FreezeTwice() public {
        uint256 assetId = _aliceWork();
        vm.startPrank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        registry.freeze(assetId, bytes32(0));
        vm.stopPrank();
    }

    function test_RevertWhen_FreezeUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 1));
        vm.prank(arbiter);
        registry.freeze(1, bytes32(0));
    }

    function test_Unfreeze_KeepsController() public {
        uint256 assetId = _aliceWork();
        vm.startPrank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectEmit(address(registry));
        emit RightsRegistry.AssetUnfrozen(assetId, arbiter, alice);
        registry.unfreeze(assetId, address(0));
        vm.stopPrank();
        vm.assertFalse(registry.isFrozen(assetId));
        vm.assertEq(registry.controllerOf(assetId), alice);
    }

    function test_Unfreeze_ReassignsController() public {
        uint256 assetId = _aliceWork();
        vm.prank(alice);
        registry.transferController(assetId, carol);
        vm.startPrank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectEmit(address(registry));
        emit RightsRegistry.ControllerTransferred(assetId, alice, bob);
        vm.expectEmit(address(registry));
        emit RightsRegistry.AssetUnfrozen(assetId, arbiter, bob);
        registry.unfreeze(assetId, bob);
        vm.stopPrank();
        vm.assertEq(registry.controllerOf(assetId), bob);
        vm.assertEq(registry.getAsset(assetId).pendingController, address(0));
        // The new controller can act at once.
        (address[] memory r, uint32[] memory a) = _split1(bob);
        vm.prank(bob);
        registry.updateSplit(assetId, r, a);
    }

    function test_RevertWhen_UnfreezeNotFrozen() public {
        uint256 assetId = _aliceWork();
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetNotFrozen.selector, assetId));
        vm.prank(arbiter);
        registry.unfreeze(assetId, address(0));
    }

    function test_RevertWhen_UnfreezeNotArbiter() public {
        uint256 assetId = _aliceWork();
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, registry.ARBITER_ROLE()
            )
        );
        vm.prank(alice);
        registry.unfreeze(assetId, alice);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views on unknown assets
    // ---------------------------------------------------------------------------------------------------------

    function test_RevertWhen_ViewsOnUnknownAsset() public {
        _aliceWork();
        bytes memory unknown = abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 2);
        vm.expectRevert(unknown);
        registry.getAsset(2);
        vm.expectRevert(unknown);
        registry.controllerOf(2);
        vm.expectRevert(unknown);
        registry.isFrozen(2);
        vm.expectRevert(unknown);
        registry.splitHash(2);
        vm.expectRevert(unknown);
        registry.splitState(2);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 0));
        registry.getAsset(0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    function _aliceWork() internal returns (uint256) {
        (address[] memory r, uint32[] memory a) = _split2(alice, 700_000, bob, 300_000);
        return _registerWork(alice, r, a);
    }

    function _expectSplitRevert(address[] memory r, uint32[] memory a, bytes memory revertData) internal {
        bytes12 iswc = _nextIswc();
        vm.expectRevert(revertData);
        vm.prank(alice);
        registry.registerWork(alice, iswc, "ipfs://work", r, a);
    }
}
