// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RightsRegistry} from "../src/RightsRegistry.sol";
import {ERC1271Wallet} from "./mocks/MockAccounts.sol";
import {HarmoniTest} from "./utils/HarmoniTest.sol";

/// @notice EIP-712 (gasless) variants: valid relays, replay, expiry, other chains, wrong signers, ERC-1271.
contract RightsRegistrySignaturesTest is HarmoniTest {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    address internal artist;
    uint256 internal artistKey;
    address internal relayer;
    address internal bob;
    uint256 internal deadline;

    function setUp() public override {
        super.setUp();
        (artist, artistKey) = makeAddrAndKey("artist");
        relayer = makeAddr("relayer");
        bob = makeAddr("bob");
        vm.warp(1_700_000_000);
        deadline = block.timestamp + 1 hours;
    }

    function test_Typehashes() public view {
        vm.assertEq(
            registry.REGISTER_WORK_TYPEHASH(),
            keccak256(
                "RegisterWork(address controller,bytes12 iswc,string metadataURI,address[] recipients,uint32[] allocations,uint256 nonce,uint256 deadline)"
            )
        );
        vm.assertEq(
            registry.REGISTER_RECORDING_TYPEHASH(),
            keccak256(
                "RegisterRecording(address controller,bytes12 isrc,bytes32 contentHash,uint256[] workIds,string metadataURI,address[] recipients,uint32[] allocations,uint256 nonce,uint256 deadline)"
            )
        );
        vm.assertEq(
            registry.UPDATE_SPLIT_TYPEHASH(),
            keccak256(
                "UpdateSplit(uint256 assetId,address[] recipients,uint32[] allocations,uint256 nonce,uint256 deadline)"
            )
        );
        vm.assertEq(
            registry.TRANSFER_CONTROLLER_TYPEHASH(),
            keccak256("TransferController(uint256 assetId,address newController,uint256 nonce,uint256 deadline)")
        );
        vm.assertEq(
            registry.LOCK_SPLIT_TYPEHASH(),
            keccak256("LockSplit(uint256 assetId,bytes32 splitHash,uint256 nonce,uint256 deadline)")
        );
        vm.assertEq(
            registry.ACCEPT_CONTROLLER_TYPEHASH(),
            keccak256("AcceptController(uint256 assetId,uint256 nonce,uint256 deadline)")
        );
    }

    function test_DomainSeparator() public view {
        vm.assertEq(registry.DOMAIN_SEPARATOR(), _domainSeparator(block.chainid));
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            registry.eip712Domain();
        vm.assertEq(name, "HARMONI RightsRegistry");
        vm.assertEq(version, "1");
        vm.assertEq(chainId, block.chainid);
        vm.assertEq(verifyingContract, address(registry));
    }

    /// @dev Vector from eth-account 0.14 `encode_typed_data` + `Account.sign_message` (an independent EIP-712
    /// implementation, the one the Python side uses): key 0xA11CE, chain 31337, registry at
    /// 0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f, message below.
    function test_RegisterWorkBySig_MatchesEthAccountVector() public {
        address at = 0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f;
        if (at != address(registry)) vm.etch(at, address(registry).code);
        RightsRegistry fixedRegistry = RightsRegistry(at);
        vm.chainId(31337);
        address signer = vm.addr(0xA11CE);
        vm.assertEq(signer, 0xe05fcC23807536bEe418f142D19fa0d21BB0cfF7);
        (address[] memory r, uint32[] memory a) = _split2(
            0x1111111111111111111111111111111111111111, 600_000, 0x2222222222222222222222222222222222222222, 400_000
        );
        bytes12 iswc = bytes12("T0345678907");
        uint256 vectorDeadline = 2_000_000_000;
        bytes32 structHash = _registerWorkStructHash(signer, iswc, "ipfs://bafywork", r, a, 0, vectorDeadline);
        vm.assertEq(_digest(structHash, 31337, at), 0x4385d4dfa788b28acb335c98ae361b31f43b55ee7c36dda7273b909deb073950);
        bytes memory signature =
            hex"88bf44836ac175cd2f7bec4bcb90fbe40039ec8dc29a09e58bfb27dd474dd32923c3a2891ac851d420fde668a5a55cd6ea12b4b3fc4ae343acb7208923096ad11c";
        uint256 assetId =
            fixedRegistry.registerWorkBySig(signer, iswc, "ipfs://bafywork", r, a, vectorDeadline, signature);
        vm.assertEq(fixedRegistry.controllerOf(assetId), signer);
    }

    // ---------------------------------------------------------------------------------------------------------
    // registerWorkBySig
    // ---------------------------------------------------------------------------------------------------------

    function test_RegisterWorkBySig() public {
        (address[] memory r, uint32[] memory a) = _split2(artist, 500_000, bob, 500_000);
        bytes12 iswc = _iswc(1);
        bytes memory signature = _signRegisterWork(artistKey, artist, iswc, "ipfs://w", r, a, 0, deadline);
        vm.prank(relayer);
        uint256 assetId = registry.registerWorkBySig(artist, iswc, "ipfs://w", r, a, deadline, signature);
        vm.assertEq(registry.controllerOf(assetId), artist);
        vm.assertEq(registry.splitHash(assetId), keccak256(abi.encode(r, a)));
        vm.assertEq(registry.nonces(artist), 1);
    }

    function test_RevertWhen_RegisterWorkBySigReplayed() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        bytes12 iswc = _iswc(1);
        bytes memory signature = _signRegisterWork(artistKey, artist, iswc, "ipfs://w", r, a, 0, deadline);
        registry.registerWorkBySig(artist, iswc, "ipfs://w", r, a, deadline, signature);
        // Same signature again: the nonce moved on, so the digest differs and recovers to someone else.
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.registerWorkBySig(artist, iswc, "ipfs://w", r, a, deadline, signature);
    }

    function test_RevertWhen_RegisterWorkBySigExpired() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        bytes memory signature = _signRegisterWork(artistKey, artist, _iswc(1), "ipfs://w", r, a, 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SignatureExpired.selector, deadline));
        registry.registerWorkBySig(artist, _iswc(1), "ipfs://w", r, a, deadline, signature);
    }

    function test_RegisterWorkBySig_ValidAtDeadline() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        bytes memory signature = _signRegisterWork(artistKey, artist, _iswc(1), "ipfs://w", r, a, 0, deadline);
        vm.warp(deadline);
        registry.registerWorkBySig(artist, _iswc(1), "ipfs://w", r, a, deadline, signature);
    }

    function test_RevertWhen_RegisterWorkBySigOtherChain() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        bytes12 iswc = _iswc(1);
        // Signed for a domain with another chain id (e.g. a testnet signature replayed on mainnet).
        bytes32 structHash = _registerWorkStructHash(artist, iswc, "ipfs://w", r, a, 0, deadline);
        bytes memory signature = _sign(artistKey, _digest(structHash, block.chainid + 1, address(registry)));
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.registerWorkBySig(artist, iswc, "ipfs://w", r, a, deadline, signature);
    }

    function test_RevertWhen_RegisterWorkBySigAfterChainFork() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        bytes12 iswc = _iswc(1);
        bytes memory signature = _signRegisterWork(artistKey, artist, iswc, "ipfs://w", r, a, 0, deadline);
        // The same contract seen from another chain id rebuilds its domain separator: the signature dies.
        vm.chainId(block.chainid + 7);
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.registerWorkBySig(artist, iswc, "ipfs://w", r, a, deadline, signature);
    }

    function test_RevertWhen_RegisterWorkBySigOtherContract() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        bytes12 iswc = _iswc(1);
        bytes32 structHash = _registerWorkStructHash(artist, iswc, "ipfs://w", r, a, 0, deadline);
        bytes memory signature = _sign(artistKey, _digest(structHash, block.chainid, address(vault)));
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.registerWorkBySig(artist, iswc, "ipfs://w", r, a, deadline, signature);
    }

    function test_RevertWhen_RegisterWorkBySigWrongSigner() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        bytes12 iswc = _iswc(1);
        (address mallory, uint256 malloryKey) = makeAddrAndKey("mallory");
        bytes memory signature = _signRegisterWork(malloryKey, artist, iswc, "ipfs://w", r, a, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.InvalidSigner.selector, mallory, artist));
        registry.registerWorkBySig(artist, iswc, "ipfs://w", r, a, deadline, signature);
    }

    function test_RevertWhen_RegisterWorkBySigTamperedSplit() public {
        (address[] memory r, uint32[] memory a) = _split2(artist, 500_000, bob, 500_000);
        bytes12 iswc = _iswc(1);
        bytes memory signature = _signRegisterWork(artistKey, artist, iswc, "ipfs://w", r, a, 0, deadline);
        (a[0], a[1]) = (a[0] - 100_000, a[1] + 100_000);
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.registerWorkBySig(artist, iswc, "ipfs://w", r, a, deadline, signature);
    }

    function test_RevertWhen_RegisterWorkBySigMalformedSignature() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.InvalidSigner.selector, address(0), artist));
        registry.registerWorkBySig(artist, _iswc(1), "ipfs://w", r, a, deadline, hex"1234");
    }

    // ---------------------------------------------------------------------------------------------------------
    // registerRecordingBySig
    // ---------------------------------------------------------------------------------------------------------

    function test_RegisterRecordingBySig() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        uint256 work = _registerWork(bob, r, a);
        uint256[] memory workIds = new uint256[](1);
        workIds[0] = work;
        bytes12 isrc = _isrc(1);
        bytes32 contentHash = _contentHash(1);
        bytes32 structHash = keccak256(
            abi.encode(
                registry.REGISTER_RECORDING_TYPEHASH(),
                artist,
                isrc,
                contentHash,
                keccak256(abi.encodePacked(workIds)),
                keccak256("ipfs://rec"),
                keccak256(abi.encodePacked(r)),
                keccak256(abi.encodePacked(a)),
                uint256(0),
                deadline
            )
        );
        bytes memory signature = _sign(artistKey, _digest(structHash, block.chainid, address(registry)));
        vm.prank(relayer);
        uint256 assetId = registry.registerRecordingBySig(
            artist, isrc, contentHash, workIds, "ipfs://rec", r, a, deadline, signature
        );
        vm.assertEq(registry.controllerOf(assetId), artist);
        vm.assertEq(registry.getAsset(assetId).workIds[0], work);
        vm.assertEq(registry.nonces(artist), 1);

        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.registerRecordingBySig(artist, isrc, contentHash, workIds, "ipfs://rec", r, a, deadline, signature);
    }

    function test_RevertWhen_RegisterRecordingBySigExpired() public {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SignatureExpired.selector, deadline));
        registry.registerRecordingBySig(
            artist, _isrc(1), _contentHash(1), new uint256[](0), "ipfs://rec", r, a, deadline, new bytes(65)
        );
    }

    // ---------------------------------------------------------------------------------------------------------
    // updateSplitBySig
    // ---------------------------------------------------------------------------------------------------------

    function test_UpdateSplitBySig() public {
        uint256 assetId = _artistWork();
        (address[] memory r, uint32[] memory a) = _split2(artist, 100_000, bob, 900_000);
        bytes memory signature = _signUpdateSplit(artistKey, assetId, r, a, 0, deadline);
        vm.expectEmit(address(registry));
        emit RightsRegistry.SplitUpdated(assetId, 2, keccak256(abi.encode(r, a)), r, a);
        vm.prank(relayer);
        registry.updateSplitBySig(assetId, r, a, deadline, signature);
        vm.assertEq(registry.nonces(artist), 1);

        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.updateSplitBySig(assetId, r, a, deadline, signature);
    }

    function test_RevertWhen_UpdateSplitBySigExpired() public {
        uint256 assetId = _artistWork();
        (address[] memory r, uint32[] memory a) = _split1(bob);
        bytes memory signature = _signUpdateSplit(artistKey, assetId, r, a, 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SignatureExpired.selector, deadline));
        registry.updateSplitBySig(assetId, r, a, deadline, signature);
    }

    function test_RevertWhen_UpdateSplitBySigWrongSigner() public {
        uint256 assetId = _artistWork();
        (address[] memory r, uint32[] memory a) = _split1(bob);
        (address mallory, uint256 malloryKey) = makeAddrAndKey("mallory");
        bytes memory signature = _signUpdateSplit(malloryKey, assetId, r, a, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.InvalidSigner.selector, mallory, artist));
        registry.updateSplitBySig(assetId, r, a, deadline, signature);
    }

    function test_RevertWhen_UpdateSplitBySigFrozen() public {
        uint256 assetId = _artistWork();
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        (address[] memory r, uint32[] memory a) = _split1(bob);
        bytes memory signature = _signUpdateSplit(artistKey, assetId, r, a, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        registry.updateSplitBySig(assetId, r, a, deadline, signature);
    }

    function test_RevertWhen_UpdateSplitBySigLocked() public {
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.lockSplit(assetId);
        (address[] memory r, uint32[] memory a) = _split1(bob);
        bytes memory signature = _signUpdateSplit(artistKey, assetId, r, a, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SplitIsLocked.selector, assetId));
        registry.updateSplitBySig(assetId, r, a, deadline, signature);
    }

    function test_RevertWhen_UpdateSplitBySigUnknownAsset() public {
        (address[] memory r, uint32[] memory a) = _split1(bob);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 4));
        registry.updateSplitBySig(4, r, a, deadline, new bytes(65));
    }

    // ---------------------------------------------------------------------------------------------------------
    // transferControllerBySig
    // ---------------------------------------------------------------------------------------------------------

    function test_TransferControllerBySig() public {
        uint256 assetId = _artistWork();
        bytes memory signature = _signTransferController(artistKey, assetId, bob, 0, deadline);
        vm.expectEmit(address(registry));
        emit RightsRegistry.ControllerTransferStarted(assetId, artist, bob);
        vm.prank(relayer);
        registry.transferControllerBySig(assetId, bob, deadline, signature);
        vm.prank(bob);
        registry.acceptController(assetId);
        vm.assertEq(registry.controllerOf(assetId), bob);

        // The old controller's signature cannot be replayed, nor does it bind the new controller.
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.transferControllerBySig(assetId, bob, deadline, signature);
    }

    function test_RevertWhen_TransferControllerBySigExpired() public {
        uint256 assetId = _artistWork();
        bytes memory signature = _signTransferController(artistKey, assetId, bob, 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SignatureExpired.selector, deadline));
        registry.transferControllerBySig(assetId, bob, deadline, signature);
    }

    function test_RevertWhen_TransferControllerBySigFrozen() public {
        uint256 assetId = _artistWork();
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        bytes memory signature = _signTransferController(artistKey, assetId, bob, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        registry.transferControllerBySig(assetId, bob, deadline, signature);
    }

    function test_RevertWhen_TransferControllerBySigWrongAsset() public {
        uint256 assetId = _artistWork();
        uint256 other = _artistWork();
        bytes memory signature = _signTransferController(artistKey, assetId, bob, 0, deadline);
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.transferControllerBySig(other, bob, deadline, signature);
    }

    // ---------------------------------------------------------------------------------------------------------
    // lockSplitBySig
    // ---------------------------------------------------------------------------------------------------------

    function test_LockSplitBySig() public {
        uint256 assetId = _artistWork();
        bytes32 hash = registry.splitHash(assetId);
        bytes memory signature = _signLockSplit(artistKey, assetId, hash, 0, deadline);
        vm.expectEmit(address(registry));
        emit RightsRegistry.SplitLocked(assetId, 1, hash);
        vm.prank(relayer);
        registry.lockSplitBySig(assetId, hash, deadline, signature);
        vm.assertTrue(registry.getAsset(assetId).splitLocked);
        vm.assertEq(registry.nonces(artist), 1);

        // The split can no longer change, by signature or directly.
        (address[] memory r, uint32[] memory a) = _split1(bob);
        bytes memory update = _signUpdateSplit(artistKey, assetId, r, a, 1, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SplitIsLocked.selector, assetId));
        registry.updateSplitBySig(assetId, r, a, deadline, update);
    }

    function test_RevertWhen_LockSplitBySigReplayed() public {
        uint256 assetId = _artistWork();
        bytes32 hash = registry.splitHash(assetId);
        bytes memory signature = _signLockSplit(artistKey, assetId, hash, 0, deadline);
        registry.lockSplitBySig(assetId, hash, deadline, signature);
        // The nonce moved on: the digest differs and recovers to someone else (before any state check).
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.lockSplitBySig(assetId, hash, deadline, signature);
    }

    function test_RevertWhen_LockSplitBySigExpired() public {
        uint256 assetId = _artistWork();
        bytes32 hash = registry.splitHash(assetId);
        bytes memory signature = _signLockSplit(artistKey, assetId, hash, 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SignatureExpired.selector, deadline));
        registry.lockSplitBySig(assetId, hash, deadline, signature);
    }

    function test_LockSplitBySig_ValidAtDeadline() public {
        uint256 assetId = _artistWork();
        bytes32 hash = registry.splitHash(assetId);
        bytes memory signature = _signLockSplit(artistKey, assetId, hash, 0, deadline);
        vm.warp(deadline);
        registry.lockSplitBySig(assetId, hash, deadline, signature);
        vm.assertTrue(registry.getAsset(assetId).splitLocked);
    }

    function test_RevertWhen_LockSplitBySigWrongSigner() public {
        uint256 assetId = _artistWork();
        bytes32 hash = registry.splitHash(assetId);
        (address mallory, uint256 malloryKey) = makeAddrAndKey("mallory");
        bytes memory signature = _signLockSplit(malloryKey, assetId, hash, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.InvalidSigner.selector, mallory, artist));
        registry.lockSplitBySig(assetId, hash, deadline, signature);
    }

    function test_RevertWhen_LockSplitBySigOtherChain() public {
        uint256 assetId = _artistWork();
        bytes32 hash = registry.splitHash(assetId);
        bytes32 structHash = _lockSplitStructHash(assetId, hash, 0, deadline);
        bytes memory signature = _sign(artistKey, _digest(structHash, block.chainid + 1, address(registry)));
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.lockSplitBySig(assetId, hash, deadline, signature);
    }

    function test_RevertWhen_LockSplitBySigWrongAsset() public {
        uint256 assetId = _artistWork();
        uint256 other = _artistWork();
        bytes32 hash = registry.splitHash(assetId);
        bytes memory signature = _signLockSplit(artistKey, assetId, hash, 0, deadline);
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.lockSplitBySig(other, hash, deadline, signature);
    }

    function test_RevertWhen_LockSplitBySigSplitChanged() public {
        uint256 assetId = _artistWork();
        bytes32 signed = registry.splitHash(assetId);
        bytes memory signature = _signLockSplit(artistKey, assetId, signed, 0, deadline);
        // The controller changes the split directly (no nonce used) before the lock is relayed.
        (address[] memory r, uint32[] memory a) = _split2(artist, 500_000, bob, 500_000);
        vm.prank(artist);
        registry.updateSplit(assetId, r, a);
        bytes32 current = registry.splitHash(assetId);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SplitHashMismatch.selector, assetId, current, signed));
        registry.lockSplitBySig(assetId, signed, deadline, signature);
        vm.assertFalse(registry.getAsset(assetId).splitLocked);
    }

    function test_RevertWhen_LockSplitBySigTamperedHash() public {
        uint256 assetId = _artistWork();
        bytes memory signature = _signLockSplit(artistKey, assetId, registry.splitHash(assetId), 0, deadline);
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.lockSplitBySig(assetId, keccak256("another split"), deadline, signature);
    }

    function test_RevertWhen_LockSplitBySigLocked() public {
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.lockSplit(assetId);
        bytes32 hash = registry.splitHash(assetId);
        bytes memory signature = _signLockSplit(artistKey, assetId, hash, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SplitIsLocked.selector, assetId));
        registry.lockSplitBySig(assetId, hash, deadline, signature);
    }

    function test_RevertWhen_LockSplitBySigFrozen() public {
        uint256 assetId = _artistWork();
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        bytes32 hash = registry.splitHash(assetId);
        bytes memory signature = _signLockSplit(artistKey, assetId, hash, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        registry.lockSplitBySig(assetId, hash, deadline, signature);
    }

    function test_RevertWhen_LockSplitBySigUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 4));
        registry.lockSplitBySig(4, bytes32(0), deadline, new bytes(65));
    }

    // ---------------------------------------------------------------------------------------------------------
    // acceptControllerBySig
    // ---------------------------------------------------------------------------------------------------------

    function test_AcceptControllerBySig() public {
        (address nominee, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.transferController(assetId, nominee);
        bytes memory signature = _signAcceptController(nomineeKey, assetId, 0, deadline);
        vm.expectEmit(address(registry));
        emit RightsRegistry.ControllerTransferred(assetId, artist, nominee);
        vm.prank(relayer);
        registry.acceptControllerBySig(assetId, deadline, signature);
        RightsRegistry.Asset memory asset = registry.getAsset(assetId);
        vm.assertEq(asset.controller, nominee);
        vm.assertEq(asset.pendingController, address(0));
        // The nominee's nonce was used, not the previous controller's.
        vm.assertEq(registry.nonces(nominee), 1);
        vm.assertEq(registry.nonces(artist), 0);
    }

    function test_AcceptControllerBySig_AfterTransferBySig() public {
        (address nominee, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        registry.transferControllerBySig(
            assetId, nominee, deadline, _signTransferController(artistKey, assetId, nominee, 0, deadline)
        );
        registry.acceptControllerBySig(assetId, deadline, _signAcceptController(nomineeKey, assetId, 0, deadline));
        vm.assertEq(registry.controllerOf(assetId), nominee);
    }

    function test_RevertWhen_AcceptControllerBySigReplayed() public {
        (address nominee, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.transferController(assetId, nominee);
        bytes memory signature = _signAcceptController(nomineeKey, assetId, 0, deadline);
        registry.acceptControllerBySig(assetId, deadline, signature);
        // Handed back and nominated again: the old acceptance is spent (nonce), it cannot be used twice.
        vm.prank(nominee);
        registry.transferController(assetId, artist);
        vm.prank(artist);
        registry.acceptController(assetId);
        vm.prank(artist);
        registry.transferController(assetId, nominee);
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.acceptControllerBySig(assetId, deadline, signature);
    }

    function test_RevertWhen_AcceptControllerBySigExpired() public {
        (address nominee, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.transferController(assetId, nominee);
        bytes memory signature = _signAcceptController(nomineeKey, assetId, 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.SignatureExpired.selector, deadline));
        registry.acceptControllerBySig(assetId, deadline, signature);
    }

    function test_RevertWhen_AcceptControllerBySigWrongSigner() public {
        (address nominee,) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.transferController(assetId, nominee);
        // Not even the current controller may accept for the nominee.
        bytes memory signature = _signAcceptController(artistKey, assetId, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.InvalidSigner.selector, artist, nominee));
        registry.acceptControllerBySig(assetId, deadline, signature);
    }

    function test_RevertWhen_AcceptControllerBySigOtherChain() public {
        (address nominee, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.transferController(assetId, nominee);
        bytes32 structHash = _acceptControllerStructHash(assetId, 0, deadline);
        bytes memory signature = _sign(nomineeKey, _digest(structHash, block.chainid + 1, address(registry)));
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.acceptControllerBySig(assetId, deadline, signature);
    }

    function test_RevertWhen_AcceptControllerBySigWrongAsset() public {
        (address nominee, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        uint256 other = _artistWork();
        vm.startPrank(artist);
        registry.transferController(assetId, nominee);
        registry.transferController(other, nominee);
        vm.stopPrank();
        bytes memory signature = _signAcceptController(nomineeKey, assetId, 0, deadline);
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.acceptControllerBySig(other, deadline, signature);
    }

    function test_RevertWhen_AcceptControllerBySigNoNominee() public {
        (, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        bytes memory signature = _signAcceptController(nomineeKey, assetId, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.NotPendingController.selector, assetId, address(0)));
        registry.acceptControllerBySig(assetId, deadline, signature);
    }

    function test_RevertWhen_AcceptControllerBySigNominationCancelled() public {
        (address nominee, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.transferController(assetId, nominee);
        bytes memory signature = _signAcceptController(nomineeKey, assetId, 0, deadline);
        vm.prank(artist);
        registry.transferController(assetId, address(0));
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.NotPendingController.selector, assetId, address(0)));
        registry.acceptControllerBySig(assetId, deadline, signature);
        vm.assertEq(registry.controllerOf(assetId), artist);
    }

    function test_RevertWhen_AcceptControllerBySigFrozen() public {
        (address nominee, uint256 nomineeKey) = makeAddrAndKey("nominee");
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.transferController(assetId, nominee);
        vm.prank(arbiter);
        registry.freeze(assetId, bytes32(0));
        bytes memory signature = _signAcceptController(nomineeKey, assetId, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.AssetIsFrozen.selector, assetId));
        registry.acceptControllerBySig(assetId, deadline, signature);
    }

    function test_RevertWhen_AcceptControllerBySigUnknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.UnknownAsset.selector, 4));
        registry.acceptControllerBySig(4, deadline, new bytes(65));
    }

    function test_AcceptControllerBySig_ERC1271Wallet() public {
        (address owner, uint256 ownerKey) = makeAddrAndKey("wallet owner");
        ERC1271Wallet wallet = new ERC1271Wallet(owner);
        uint256 assetId = _artistWork();
        vm.prank(artist);
        registry.transferController(assetId, address(wallet));
        registry.acceptControllerBySig(assetId, deadline, _signAcceptController(ownerKey, assetId, 0, deadline));
        vm.assertEq(registry.controllerOf(assetId), address(wallet));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Nonces shared across actions, ERC-1271 wallets
    // ---------------------------------------------------------------------------------------------------------

    function test_NoncesAreSequentialAcrossActions() public {
        uint256 assetId = _artistWork();
        (address[] memory r, uint32[] memory a) = _split1(bob);
        bytes memory first = _signUpdateSplit(artistKey, assetId, r, a, 0, deadline);
        bytes memory second = _signTransferController(artistKey, assetId, bob, 1, deadline);
        // Out of order: the transfer was signed with nonce 1 while the registry expects 0.
        vm.expectPartialRevert(RightsRegistry.InvalidSigner.selector);
        registry.transferControllerBySig(assetId, bob, deadline, second);
        registry.updateSplitBySig(assetId, r, a, deadline, first);
        registry.transferControllerBySig(assetId, bob, deadline, second);
        vm.assertEq(registry.nonces(artist), 2);
    }

    function test_RegisterWorkBySig_ERC1271Wallet() public {
        ERC1271Wallet wallet = new ERC1271Wallet(artist);
        (address[] memory r, uint32[] memory a) = _split1(address(wallet));
        bytes12 iswc = _iswc(1);
        bytes memory signature = _signRegisterWork(artistKey, address(wallet), iswc, "ipfs://w", r, a, 0, deadline);
        uint256 assetId = registry.registerWorkBySig(address(wallet), iswc, "ipfs://w", r, a, deadline, signature);
        vm.assertEq(registry.controllerOf(assetId), address(wallet));
        vm.assertEq(registry.nonces(address(wallet)), 1);
    }

    function test_RevertWhen_ERC1271WalletRejects() public {
        ERC1271Wallet wallet = new ERC1271Wallet(artist);
        wallet.setAccept(false);
        (address[] memory r, uint32[] memory a) = _split1(address(wallet));
        bytes12 iswc = _iswc(1);
        bytes memory signature = _signRegisterWork(artistKey, address(wallet), iswc, "ipfs://w", r, a, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(RightsRegistry.InvalidSigner.selector, artist, address(wallet)));
        registry.registerWorkBySig(address(wallet), iswc, "ipfs://w", r, a, deadline, signature);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers (an independent EIP-712 encoding, not the contract's)
    // ---------------------------------------------------------------------------------------------------------

    function _artistWork() internal returns (uint256) {
        (address[] memory r, uint32[] memory a) = _split1(artist);
        return _registerWork(artist, r, a);
    }

    function _domainSeparator(uint256 chainId) internal view returns (bytes32) {
        return _domainSeparator(chainId, address(registry));
    }

    function _domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("HARMONI RightsRegistry"), keccak256("1"), chainId, verifyingContract)
        );
    }

    function _digest(bytes32 structHash, uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(chainId, verifyingContract), structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _registerWorkStructHash(
        address controller,
        bytes12 iswc,
        string memory uri,
        address[] memory r,
        uint32[] memory a,
        uint256 nonce,
        uint256 deadline_
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256(
                    "RegisterWork(address controller,bytes12 iswc,string metadataURI,address[] recipients,uint32[] allocations,uint256 nonce,uint256 deadline)"
                ),
                controller,
                iswc,
                keccak256(bytes(uri)),
                keccak256(abi.encodePacked(r)),
                keccak256(abi.encodePacked(a)),
                nonce,
                deadline_
            )
        );
    }

    function _signRegisterWork(
        uint256 key,
        address controller,
        bytes12 iswc,
        string memory uri,
        address[] memory r,
        uint32[] memory a,
        uint256 nonce,
        uint256 deadline_
    ) internal view returns (bytes memory) {
        bytes32 structHash = _registerWorkStructHash(controller, iswc, uri, r, a, nonce, deadline_);
        return _sign(key, _digest(structHash, block.chainid, address(registry)));
    }

    function _signUpdateSplit(
        uint256 key,
        uint256 assetId,
        address[] memory r,
        uint32[] memory a,
        uint256 nonce,
        uint256 deadline_
    ) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "UpdateSplit(uint256 assetId,address[] recipients,uint32[] allocations,uint256 nonce,uint256 deadline)"
                ),
                assetId,
                keccak256(abi.encodePacked(r)),
                keccak256(abi.encodePacked(a)),
                nonce,
                deadline_
            )
        );
        return _sign(key, _digest(structHash, block.chainid, address(registry)));
    }

    function _lockSplitStructHash(uint256 assetId, bytes32 hash, uint256 nonce, uint256 deadline_)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                keccak256("LockSplit(uint256 assetId,bytes32 splitHash,uint256 nonce,uint256 deadline)"),
                assetId,
                hash,
                nonce,
                deadline_
            )
        );
    }

    function _signLockSplit(uint256 key, uint256 assetId, bytes32 hash, uint256 nonce, uint256 deadline_)
        internal
        view
        returns (bytes memory)
    {
        return _sign(
            key, _digest(_lockSplitStructHash(assetId, hash, nonce, deadline_), block.chainid, address(registry))
        );
    }

    function _acceptControllerStructHash(uint256 assetId, uint256 nonce, uint256 deadline_)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                keccak256("AcceptController(uint256 assetId,uint256 nonce,uint256 deadline)"), assetId, nonce, deadline_
            )
        );
    }

    function _signAcceptController(uint256 key, uint256 assetId, uint256 nonce, uint256 deadline_)
        internal
        view
        returns (bytes memory)
    {
        return _sign(
            key, _digest(_acceptControllerStructHash(assetId, nonce, deadline_), block.chainid, address(registry))
        );
    }

    function _signTransferController(
        uint256 key,
        uint256 assetId,
        address newController,
        uint256 nonce,
        uint256 deadline_
    ) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("TransferController(uint256 assetId,address newController,uint256 nonce,uint256 deadline)"),
                assetId,
                newController,
                nonce,
                deadline_
            )
        );
        return _sign(key, _digest(structHash, block.chainid, address(registry)));
    }
}
