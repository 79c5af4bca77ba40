// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IRightsRegistry} from "./interfaces/IRightsRegistry.sol";

/// @title RightsRegistry
/// @notice Records who controls each musical work (composition) and recording (master), the industry codes and
/// audio fingerprint that identify them, and the revenue split in force for each. Only the hash of a split is
/// stored; the full lists travel in `SplitUpdated` events and are passed back in by whoever distributes money.
/// @dev Every state change has a gasless twin (`...BySig`) taking an EIP-712 signature of the controller, so an
/// artist never needs gas: anyone may relay. Signatures from ERC-1271 smart wallets are accepted too.
contract RightsRegistry is IRightsRegistry, AccessControl, EIP712, Nonces {
    /// @notice The two kinds of asset.
    enum AssetKind {
        Work,
        Recording
    }

    /// @notice Everything the registry knows about one asset.
    /// @param controller The account that may change the split, the metadata and the controller.
    /// @param kind Work (composition, identified by an ISWC) or Recording (master, identified by an ISRC).
    /// @param splitVersion Starts at 1 on registration, +1 per split update.
    /// @param splitLocked Once set, the split can never change again.
    /// @param frozen Set by an arbiter during a dispute: no controller action and no distribution.
    /// @param pendingController Nominee of a two-step controller transfer (zero = none).
    /// @param industryCode ISRC (recordings, 12 chars) or ISWC (works, 11 chars right-padded with one zero byte).
    /// @param contentHash SHA-256 of the master audio (recordings); zero for works.
    /// @param splitHash `keccak256(abi.encode(recipients, allocations))` of the split in force.
    /// @param metadataURI Content-addressed JSON metadata, e.g. `ipfs://<CID>`.
    /// @param workIds The works a recording embodies (strictly ascending); empty for works.
    struct Asset {
        address controller;
        AssetKind kind;
        uint32 splitVersion;
        bool splitLocked;
        bool frozen;
        address pendingController;
        bytes12 industryCode;
        bytes32 contentHash;
        bytes32 splitHash;
        string metadataURI;
        uint256[] workIds;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The admin address cannot be zero.
    error ZeroAddress();
    /// @notice No asset has id `assetId`.
    error UnknownAsset(uint256 assetId);
    /// @notice A direct registration was sent by `caller`, not by the named `controller`.
    error CallerNotController(address caller, address controller);
    /// @notice `caller` is not the controller of `assetId`.
    error NotController(uint256 assetId, address caller);
    /// @notice `caller` is not the pending controller of `assetId` (zero: a signed acceptance found no nominee).
    error NotPendingController(uint256 assetId, address caller);
    /// @notice `assetId` is frozen by an arbiter.
    error AssetIsFrozen(uint256 assetId);
    /// @notice `assetId` is not frozen, so it cannot be unfrozen.
    error AssetNotFrozen(uint256 assetId);
    /// @notice The split of `assetId` is locked for good.
    error SplitIsLocked(uint256 assetId);
    /// @notice A signed lock named split `got`, but the split of `assetId` in force is `expected`.
    error SplitHashMismatch(uint256 assetId, bytes32 expected, bytes32 got);
    /// @notice `code` is not a well-formed ISWC (for a work) or ISRC (for a recording).
    error InvalidIndustryCode(AssetKind kind, bytes12 code);
    /// @notice `code` already identifies `existingAssetId`.
    error IndustryCodeTaken(bytes12 code, uint256 existingAssetId);
    /// @notice A recording needs the SHA-256 of its master audio.
    error ContentHashRequired();
    /// @notice `hash` already identifies `existingAssetId`.
    error ContentHashTaken(bytes32 hash, uint256 existingAssetId);
    /// @notice `workIds[index]` (= `workId`) is not a registered work.
    error InvalidWorkLink(uint256 index, uint256 workId);
    /// @notice `workIds` is not strictly ascending at `index`.
    error WorkIdsUnsorted(uint256 index);
    /// @notice A recording may link at most `MAX_WORK_LINKS` works; `count` were given.
    error TooManyWorkLinks(uint256 count);
    /// @notice The metadata URI is empty.
    error EmptyMetadataURI();
    /// @notice A split needs at least one recipient.
    error SplitEmpty();
    /// @notice `recipients` and `allocations` differ in length.
    error SplitLengthMismatch(uint256 recipients, uint256 allocations);
    /// @notice A split may have at most `MAX_RECIPIENTS` recipients; `count` were given.
    error SplitTooManyRecipients(uint256 count);
    /// @notice The zero address cannot be a recipient.
    error SplitRecipientZero();
    /// @notice `recipients` is not strictly ascending at `index` (this also rules out duplicates).
    error SplitRecipientsUnsorted(uint256 index);
    /// @notice `allocations[index]` is zero.
    error SplitAllocationZero(uint256 index);
    /// @notice The allocations add up to `sum` instead of `SCALE`.
    error SplitAllocationsSum(uint256 sum);
    /// @notice The signature's `deadline` has passed.
    error SignatureExpired(uint256 deadline);
    /// @notice The signature recovers to `signer` (zero if malformed) but `expected` had to sign.
    error InvalidSigner(address signer, address expected);

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice A work or recording was registered. Followed in the same transaction by `SplitUpdated` (version 1).
    event AssetRegistered(
        uint256 indexed assetId,
        AssetKind indexed kind,
        address indexed controller,
        bytes12 industryCode,
        bytes32 contentHash,
        uint256[] workIds,
        string metadataURI
    );
    /// @notice The split of `assetId` became `recipients`/`allocations` (scale 1e6), as version `version`.
    event SplitUpdated(
        uint256 indexed assetId, uint32 version, bytes32 splitHash, address[] recipients, uint32[] allocations
    );
    /// @notice The split of `assetId` (version `version`, hash `splitHash`) can no longer change.
    event SplitLocked(uint256 indexed assetId, uint32 version, bytes32 splitHash);
    /// @notice The metadata URI of `assetId` changed.
    event MetadataURIUpdated(uint256 indexed assetId, string metadataURI);
    /// @notice `controller` nominated `pendingController` (zero = nomination cancelled).
    event ControllerTransferStarted(
        uint256 indexed assetId, address indexed controller, address indexed pendingController
    );
    /// @notice Control of `assetId` passed from `previousController` to `newController`; no nomination is pending.
    event ControllerTransferred(
        uint256 indexed assetId, address indexed previousController, address indexed newController
    );
    /// @notice `arbiter` froze `assetId`; `reasonHash` points at the dispute record kept off chain.
    event AssetFrozen(uint256 indexed assetId, address indexed arbiter, bytes32 reasonHash);
    /// @notice `arbiter` unfroze `assetId`, leaving `controller` in control (a changed controller also emits
    /// `ControllerTransferred`).
    event AssetUnfrozen(uint256 indexed assetId, address indexed arbiter, address controller);

    // ---------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Role allowed to freeze and unfreeze assets during disputes.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice Allocations are parts per million: they sum to exactly `SCALE`.
    uint32 public constant SCALE = 1e6;
    /// @notice Upper bound on recipients per split (bounds the gas of a distribution).
    uint256 public constant MAX_RECIPIENTS = 250;
    /// @notice Upper bound on works linked from one recording.
    uint256 public constant MAX_WORK_LINKS = 64;

    /// @notice EIP-712 type of a gasless work registration.
    bytes32 public constant REGISTER_WORK_TYPEHASH = keccak256(
        "RegisterWork(address controller,bytes12 iswc,string metadataURI,address[] recipients,uint32[] allocations,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type of a gasless recording registration.
    bytes32 public constant REGISTER_RECORDING_TYPEHASH = keccak256(
        "RegisterRecording(address controller,bytes12 isrc,bytes32 contentHash,uint256[] workIds,string metadataURI,address[] recipients,uint32[] allocations,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type of a gasless split update.
    bytes32 public constant UPDATE_SPLIT_TYPEHASH = keccak256(
        "UpdateSplit(uint256 assetId,address[] recipients,uint32[] allocations,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type of a gasless controller nomination.
    bytes32 public constant TRANSFER_CONTROLLER_TYPEHASH =
        keccak256("TransferController(uint256 assetId,address newController,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type of a gasless split lock; it names the split it locks.
    bytes32 public constant LOCK_SPLIT_TYPEHASH =
        keccak256("LockSplit(uint256 assetId,bytes32 splitHash,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type of a gasless acceptance of a controller nomination (signed by the nominee).
    bytes32 public constant ACCEPT_CONTROLLER_TYPEHASH =
        keccak256("AcceptController(uint256 assetId,uint256 nonce,uint256 deadline)");

    /// @notice Asset id that claimed an ISRC/ISWC (0 = unclaimed).
    mapping(bytes12 code => uint256 assetId) public assetIdByCode;
    /// @notice Asset id that claimed a master-audio SHA-256 (0 = unclaimed).
    mapping(bytes32 contentHash => uint256 assetId) public assetIdByContentHash;

    mapping(uint256 assetId => Asset) private _assets;
    uint256 private _assetCount;

    // ---------------------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------------------

    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants and revokes arbiters).
    constructor(address admin) EIP712("HARMONI RightsRegistry", "1") {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External writes
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Registers a musical work with its split. The caller must be `controller`.
    /// @param controller The account that will control the work (must be msg.sender).
    /// @param iswc `T` + 9 digits + check digit, right-padded with one zero byte (check digit verified off chain).
    /// @param metadataURI Content-addressed JSON metadata, non-empty.
    /// @param recipients Strictly ascending, non-zero, 1 to 250 addresses.
    /// @param allocations Parts per million per recipient, each > 0, summing to 1e6.
    /// @return assetId The new asset id.
    function registerWork(
        address controller,
        bytes12 iswc,
        string calldata metadataURI,
        address[] calldata recipients,
        uint32[] calldata allocations
    ) external returns (uint256 assetId) {
        if (msg.sender != controller) revert CallerNotController(msg.sender, controller);
        assetId = _registerWork(controller, iswc, metadataURI);
        _setSplit(assetId, _assets[assetId], recipients, allocations);
    }

    /// @notice Registers a recording with its split. The caller must be `controller`.
    /// @param controller The account that will control the recording (must be msg.sender).
    /// @param isrc 2 letters + 3 alphanumerics + 7 digits, upper case, no dashes.
    /// @param contentHash SHA-256 of the master audio, non-zero and not claimed before.
    /// @param workIds Registered works this recording embodies, strictly ascending (may be empty).
    /// @param metadataURI Content-addressed JSON metadata, non-empty.
    /// @param recipients Strictly ascending, non-zero, 1 to 250 addresses.
    /// @param allocations Parts per million per recipient, each > 0, summing to 1e6.
    /// @return assetId The new asset id.
    function registerRecording(
        address controller,
        bytes12 isrc,
        bytes32 contentHash,
        uint256[] calldata workIds,
        string calldata metadataURI,
        address[] calldata recipients,
        uint32[] calldata allocations
    ) external returns (uint256 assetId) {
        if (msg.sender != controller) revert CallerNotController(msg.sender, controller);
        assetId = _registerRecording(controller, isrc, contentHash, workIds, metadataURI);
        _setSplit(assetId, _assets[assetId], recipients, allocations);
    }

    /// @notice `registerWork` on behalf of `controller`, who signed it (EIP-712 `RegisterWork`); anyone may relay.
    /// @param deadline Last valid timestamp of the signature.
    /// @param signature 65-byte ECDSA signature (r, s, v) or ERC-1271 signature of a contract controller.
    /// @return assetId The new asset id.
    function registerWorkBySig(
        address controller,
        bytes12 iswc,
        string memory metadataURI,
        address[] memory recipients,
        uint32[] memory allocations,
        uint256 deadline,
        bytes memory signature
    ) external returns (uint256 assetId) {
        bytes32 structHash = keccak256(
            abi.encode(
                REGISTER_WORK_TYPEHASH,
                controller,
                iswc,
                keccak256(bytes(metadataURI)),
                keccak256(abi.encodePacked(recipients)),
                keccak256(abi.encodePacked(allocations)),
                _useNonce(controller),
                deadline
            )
        );
        _checkSignature(controller, structHash, deadline, signature);
        assetId = _registerWork(controller, iswc, metadataURI);
        _setSplit(assetId, _assets[assetId], recipients, allocations);
    }

    /// @notice `registerRecording` on behalf of `controller`, who signed it (EIP-712 `RegisterRecording`);
    /// anyone may relay.
    /// @param deadline Last valid timestamp of the signature.
    /// @param signature 65-byte ECDSA signature (r, s, v) or ERC-1271 signature of a contract controller.
    /// @return assetId The new asset id.
    function registerRecordingBySig(
        address controller,
        bytes12 isrc,
        bytes32 contentHash,
        uint256[] memory workIds,
        string memory metadataURI,
        address[] memory recipients,
        uint32[] memory allocations,
        uint256 deadline,
        bytes memory signature
    ) external returns (uint256 assetId) {
        // Built in two halves only to stay within the stack; the bytes equal one abi.encode of all ten words.
        bytes32 structHash = keccak256(
            bytes.concat(
                abi.encode(
                    REGISTER_RECORDING_TYPEHASH,
                    controller,
                    isrc,
                    contentHash,
                    keccak256(abi.encodePacked(workIds)),
                    keccak256(bytes(metadataURI))
                ),
                abi.encode(
                    keccak256(abi.encodePacked(recipients)),
                    keccak256(abi.encodePacked(allocations)),
                    _useNonce(controller),
                    deadline
                )
            )
        );
        _checkSignature(controller, structHash, deadline, signature);
        assetId = _registerRecording(controller, isrc, contentHash, workIds, metadataURI);
        _setSplit(assetId, _assets[assetId], recipients, allocations);
    }

    /// @notice Replaces the split of `assetId` and bumps its version. Controller only; not when locked or frozen.
    /// @dev Income already distributed stays where it is; income distributed later follows the new split.
    function updateSplit(uint256 assetId, address[] calldata recipients, uint32[] calldata allocations) external {
        Asset storage asset = _controlledAsset(assetId, msg.sender);
        if (asset.splitLocked) revert SplitIsLocked(assetId);
        _setSplit(assetId, asset, recipients, allocations);
    }

    /// @notice `updateSplit` signed by the controller (EIP-712 `UpdateSplit`); anyone may relay.
    /// @param deadline Last valid timestamp of the signature.
    /// @param signature ECDSA signature or ERC-1271 signature of a contract controller.
    function updateSplitBySig(
        uint256 assetId,
        address[] memory recipients,
        uint32[] memory allocations,
        uint256 deadline,
        bytes memory signature
    ) external {
        Asset storage asset = _existingAsset(assetId);
        address controller = asset.controller;
        bytes32 structHash = keccak256(
            abi.encode(
                UPDATE_SPLIT_TYPEHASH,
                assetId,
                keccak256(abi.encodePacked(recipients)),
                keccak256(abi.encodePacked(allocations)),
                _useNonce(controller),
                deadline
            )
        );
        _checkSignature(controller, structHash, deadline, signature);
        if (asset.frozen) revert AssetIsFrozen(assetId);
        if (asset.splitLocked) revert SplitIsLocked(assetId);
        _setSplit(assetId, asset, recipients, allocations);
    }

    /// @notice Locks the split of `assetId` for good. Controller only; not when frozen.
    function lockSplit(uint256 assetId) external {
        Asset storage asset = _controlledAsset(assetId, msg.sender);
        if (asset.splitLocked) revert SplitIsLocked(assetId);
        asset.splitLocked = true;
        emit SplitLocked(assetId, asset.splitVersion, asset.splitHash);
    }

    /// @notice `lockSplit` signed by the controller (EIP-712 `LockSplit`); anyone may relay.
    /// @dev The signature names the split it locks, so a split changed after signing is never locked by it.
    /// @param signedSplitHash Hash of the split the controller signed to lock; must be the one in force.
    /// @param deadline Last valid timestamp of the signature.
    /// @param signature ECDSA signature or ERC-1271 signature of a contract controller.
    function lockSplitBySig(uint256 assetId, bytes32 signedSplitHash, uint256 deadline, bytes memory signature)
        external
    {
        Asset storage asset = _existingAsset(assetId);
        address controller = asset.controller;
        bytes32 structHash =
            keccak256(abi.encode(LOCK_SPLIT_TYPEHASH, assetId, signedSplitHash, _useNonce(controller), deadline));
        _checkSignature(controller, structHash, deadline, signature);
        if (asset.frozen) revert AssetIsFrozen(assetId);
        if (asset.splitLocked) revert SplitIsLocked(assetId);
        bytes32 current = asset.splitHash;
        if (current != signedSplitHash) revert SplitHashMismatch(assetId, current, signedSplitHash);
        asset.splitLocked = true;
        emit SplitLocked(assetId, asset.splitVersion, current);
    }

    /// @notice Replaces the metadata URI of `assetId`. Controller only; not when frozen.
    function setMetadataURI(uint256 assetId, string calldata metadataURI) external {
        Asset storage asset = _controlledAsset(assetId, msg.sender);
        if (bytes(metadataURI).length == 0) revert EmptyMetadataURI();
        asset.metadataURI = metadataURI;
        emit MetadataURIUpdated(assetId, metadataURI);
    }

    /// @notice Nominates `newController` for `assetId`; zero cancels a nomination. Controller only; not when frozen.
    /// The nominee takes over with `acceptController`.
    function transferController(uint256 assetId, address newController) external {
        Asset storage asset = _controlledAsset(assetId, msg.sender);
        asset.pendingController = newController;
        emit ControllerTransferStarted(assetId, msg.sender, newController);
    }

    /// @notice `transferController` signed by the controller (EIP-712 `TransferController`); anyone may relay.
    /// @param deadline Last valid timestamp of the signature.
    /// @param signature ECDSA signature or ERC-1271 signature of a contract controller.
    function transferControllerBySig(uint256 assetId, address newController, uint256 deadline, bytes memory signature)
        external
    {
        Asset storage asset = _existingAsset(assetId);
        address controller = asset.controller;
        bytes32 structHash = keccak256(
            abi.encode(TRANSFER_CONTROLLER_TYPEHASH, assetId, newController, _useNonce(controller), deadline)
        );
        _checkSignature(controller, structHash, deadline, signature);
        if (asset.frozen) revert AssetIsFrozen(assetId);
        asset.pendingController = newController;
        emit ControllerTransferStarted(assetId, controller, newController);
    }

    /// @notice Completes a controller transfer: the pending controller of `assetId` takes control. Not when frozen.
    function acceptController(uint256 assetId) external {
        Asset storage asset = _existingAsset(assetId);
        if (msg.sender != asset.pendingController || msg.sender == address(0)) {
            revert NotPendingController(assetId, msg.sender);
        }
        if (asset.frozen) revert AssetIsFrozen(assetId);
        address previous = asset.controller;
        asset.controller = msg.sender;
        asset.pendingController = address(0);
        emit ControllerTransferred(assetId, previous, msg.sender);
    }

    /// @notice `acceptController` signed by the pending controller (EIP-712 `AcceptController`); anyone may relay.
    /// @param deadline Last valid timestamp of the signature.
    /// @param signature ECDSA signature or ERC-1271 signature of a contract nominee.
    function acceptControllerBySig(uint256 assetId, uint256 deadline, bytes memory signature) external {
        Asset storage asset = _existingAsset(assetId);
        address pending = asset.pendingController;
        if (pending == address(0)) revert NotPendingController(assetId, address(0));
        bytes32 structHash = keccak256(abi.encode(ACCEPT_CONTROLLER_TYPEHASH, assetId, _useNonce(pending), deadline));
        _checkSignature(pending, structHash, deadline, signature);
        if (asset.frozen) revert AssetIsFrozen(assetId);
        address previous = asset.controller;
        asset.controller = pending;
        asset.pendingController = address(0);
        emit ControllerTransferred(assetId, previous, pending);
    }

    /// @notice Freezes `assetId` during a dispute: no controller action, no distribution; income keeps
    /// accumulating in the vault. Arbiter only.
    /// @param reasonHash Hash of the dispute record kept off chain.
    function freeze(uint256 assetId, bytes32 reasonHash) external onlyRole(ARBITER_ROLE) {
        Asset storage asset = _existingAsset(assetId);
        if (asset.frozen) revert AssetIsFrozen(assetId);
        asset.frozen = true;
        emit AssetFrozen(assetId, msg.sender, reasonHash);
    }

    /// @notice Ends a dispute over `assetId`. Arbiter only.
    /// @param newController Controller after the dispute; zero keeps the current one. A new controller clears any
    /// pending nomination.
    function unfreeze(uint256 assetId, address newController) external onlyRole(ARBITER_ROLE) {
        Asset storage asset = _existingAsset(assetId);
        if (!asset.frozen) revert AssetNotFrozen(assetId);
        address controller = asset.controller;
        if (newController != address(0) && newController != controller) {
            asset.controller = newController;
            asset.pendingController = address(0);
            emit ControllerTransferred(assetId, controller, newController);
            controller = newController;
        }
        asset.frozen = false;
        emit AssetUnfrozen(assetId, msg.sender, controller);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Everything stored about `assetId`. Reverts `UnknownAsset` for an unknown id.
    function getAsset(uint256 assetId) external view returns (Asset memory) {
        return _existingAsset(assetId);
    }

    /// @inheritdoc IRightsRegistry
    function assetCount() external view returns (uint256) {
        return _assetCount;
    }

    /// @inheritdoc IRightsRegistry
    function controllerOf(uint256 assetId) external view returns (address) {
        return _existingAsset(assetId).controller;
    }

    /// @inheritdoc IRightsRegistry
    function isFrozen(uint256 assetId) external view returns (bool) {
        return _existingAsset(assetId).frozen;
    }

    /// @notice Hash of the split in force for `assetId`. Reverts for an unknown asset.
    function splitHash(uint256 assetId) external view returns (bytes32) {
        return _existingAsset(assetId).splitHash;
    }

    /// @inheritdoc IRightsRegistry
    function splitState(uint256 assetId) external view returns (bytes32, uint32, bool) {
        Asset storage asset = _existingAsset(assetId);
        return (asset.splitHash, asset.splitVersion, asset.frozen);
    }

    /// @notice The hash the registry stores for a split: `keccak256(abi.encode(recipients, allocations))`.
    function hashSplit(address[] calldata recipients, uint32[] calldata allocations) external pure returns (bytes32) {
        return keccak256(abi.encode(recipients, allocations));
    }

    /// @notice The EIP-712 domain separator (name "HARMONI RightsRegistry", version "1", this chain, this contract).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    function _registerWork(address controller, bytes12 iswc, string memory metadataURI)
        private
        returns (uint256 assetId)
    {
        if (!_isIswc(iswc)) revert InvalidIndustryCode(AssetKind.Work, iswc);
        assetId = _createAsset(AssetKind.Work, controller, iswc, metadataURI);
        emit AssetRegistered(assetId, AssetKind.Work, controller, iswc, bytes32(0), new uint256[](0), metadataURI);
    }

    function _registerRecording(
        address controller,
        bytes12 isrc,
        bytes32 contentHash,
        uint256[] memory workIds,
        string memory metadataURI
    ) private returns (uint256 assetId) {
        if (!_isIsrc(isrc)) revert InvalidIndustryCode(AssetKind.Recording, isrc);
        if (contentHash == bytes32(0)) revert ContentHashRequired();
        uint256 holder = assetIdByContentHash[contentHash];
        if (holder != 0) revert ContentHashTaken(contentHash, holder);
        _checkWorkLinks(workIds);
        assetId = _createAsset(AssetKind.Recording, controller, isrc, metadataURI);
        Asset storage asset = _assets[assetId];
        asset.contentHash = contentHash;
        asset.workIds = workIds;
        assetIdByContentHash[contentHash] = assetId;
        emit AssetRegistered(assetId, AssetKind.Recording, controller, isrc, contentHash, workIds, metadataURI);
    }

    function _createAsset(AssetKind kind, address controller, bytes12 code, string memory metadataURI)
        private
        returns (uint256 assetId)
    {
        if (bytes(metadataURI).length == 0) revert EmptyMetadataURI();
        uint256 holder = assetIdByCode[code];
        if (holder != 0) revert IndustryCodeTaken(code, holder);
        // One asset per call: the counter cannot reach 2**256.
        unchecked {
            assetId = ++_assetCount;
        }
        assetIdByCode[code] = assetId;
        Asset storage asset = _assets[assetId];
        asset.controller = controller;
        asset.kind = kind;
        asset.industryCode = code;
        asset.metadataURI = metadataURI;
    }

    /// @dev Validates and stores a split as the next version, then emits the full lists.
    function _setSplit(uint256 assetId, Asset storage asset, address[] memory recipients, uint32[] memory allocations)
        private
    {
        _checkSplit(recipients, allocations);
        bytes32 hash = keccak256(abi.encode(recipients, allocations));
        uint32 version = asset.splitVersion + 1;
        asset.splitHash = hash;
        asset.splitVersion = version;
        emit SplitUpdated(assetId, version, hash, recipients, allocations);
    }

    function _checkSplit(address[] memory recipients, uint32[] memory allocations) private pure {
        uint256 count = recipients.length;
        if (count == 0) revert SplitEmpty();
        if (count != allocations.length) revert SplitLengthMismatch(count, allocations.length);
        if (count > MAX_RECIPIENTS) revert SplitTooManyRecipients(count);
        if (recipients[0] == address(0)) revert SplitRecipientZero();
        address previous = address(0);
        uint256 sum = 0;
        for (uint256 i; i < count; ++i) {
            address recipient = recipients[i];
            if (recipient <= previous) revert SplitRecipientsUnsorted(i);
            uint32 allocation = allocations[i];
            if (allocation == 0) revert SplitAllocationZero(i);
            // At most 250 terms below 2**32 each: the sum stays far below 2**256.
            unchecked {
                sum += allocation;
            }
            previous = recipient;
        }
        if (sum != SCALE) revert SplitAllocationsSum(sum);
    }

    function _checkWorkLinks(uint256[] memory workIds) private view {
        uint256 count = workIds.length;
        if (count > MAX_WORK_LINKS) revert TooManyWorkLinks(count);
        uint256 previous = 0;
        for (uint256 i; i < count; ++i) {
            uint256 workId = workIds[i];
            if (workId <= previous) revert WorkIdsUnsorted(i);
            Asset storage work = _assets[workId];
            if (work.controller == address(0) || work.kind != AssetKind.Work) revert InvalidWorkLink(i, workId);
            previous = workId;
        }
    }

    /// @dev Verifies that `expected` signed `structHash` under this contract's EIP-712 domain before `deadline`.
    function _checkSignature(address expected, bytes32 structHash, uint256 deadline, bytes memory signature)
        private
        view
    {
        // A deadline is a coarse bound (minutes to days): the few seconds a validator can skew time do not matter.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        bytes32 digest = _hashTypedDataV4(structHash);
        // The third value (the error's argument) is not needed: any error ends in InvalidSigner below.
        // slither-disable-next-line unused-return
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, signature);
        if (error == ECDSA.RecoverError.NoError && signer == expected) return;
        if (expected.code.length != 0 && SignatureChecker.isValidERC1271SignatureNow(expected, digest, signature)) {
            return;
        }
        revert InvalidSigner(signer, expected);
    }

    /// @dev Asset `assetId`, which must exist (every asset has a non-zero controller).
    function _existingAsset(uint256 assetId) private view returns (Asset storage asset) {
        asset = _assets[assetId];
        if (asset.controller == address(0)) revert UnknownAsset(assetId);
    }

    /// @dev Asset `assetId`, which must exist, be controlled by `caller` and not be frozen.
    function _controlledAsset(uint256 assetId, address caller) private view returns (Asset storage asset) {
        asset = _existingAsset(assetId);
        if (asset.controller != caller) revert NotController(assetId, caller);
        if (asset.frozen) revert AssetIsFrozen(assetId);
    }

    /// @dev ISRC: CC (2 upper-case letters), XXX (3 upper-case alphanumerics), YY (2 digits), NNNNN (5 digits).
    function _isIsrc(bytes12 code) private pure returns (bool) {
        for (uint256 i; i < 12; ++i) {
            bytes1 c = code[i];
            bool ok;
            if (i < 2) ok = _isUpper(c);
            else if (i < 5) ok = _isUpper(c) || _isDigit(c);
            else ok = _isDigit(c);
            if (!ok) return false;
        }
        return true;
    }

    /// @dev ISWC: `T`, 9 digits, 1 check digit, then one zero byte of padding.
    function _isIswc(bytes12 code) private pure returns (bool) {
        if (code[0] != "T" || code[11] != 0) return false;
        for (uint256 i = 1; i < 11; ++i) {
            if (!_isDigit(code[i])) return false;
        }
        return true;
    }

    function _isUpper(bytes1 c) private pure returns (bool) {
        return c >= "A" && c <= "Z";
    }

    function _isDigit(bytes1 c) private pure returns (bool) {
        return c >= "0" && c <= "9";
    }
}
