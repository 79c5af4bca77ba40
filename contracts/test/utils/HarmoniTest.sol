// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {HarmoniEditions} from "../../src/HarmoniEditions.sol";
import {RightsRegistry} from "../../src/RightsRegistry.sol";
import {SplitVault} from "../../src/SplitVault.sol";
import {DevStablecoin} from "../../src/dev/DevStablecoin.sol";
import {Test} from "./Test.sol";

/// @notice Deploys the HARMONI contracts and offers helpers for codes, splits and registrations.
abstract contract HarmoniTest is Test {
    uint32 internal constant SCALE = 1e6;
    uint16 internal constant PLATFORM_FEE_BPS = 500;

    RightsRegistry internal registry;
    SplitVault internal vault;
    HarmoniEditions internal editions;
    DevStablecoin internal usd;

    address internal admin;
    address internal arbiter;
    address internal treasury;
    address internal minter;

    uint256 private _nextCode = 1;

    function setUp() public virtual {
        admin = makeAddr("admin");
        arbiter = makeAddr("arbiter");
        treasury = makeAddr("treasury");
        minter = makeAddr("minter");

        registry = new RightsRegistry(admin);
        vault = new SplitVault(address(registry));
        editions = new HarmoniEditions(
            admin, address(registry), address(vault), treasury, PLATFORM_FEE_BPS, "ipfs://editions/{id}.json"
        );
        usd = new DevStablecoin(admin);

        vm.startPrank(admin);
        registry.grantRole(registry.ARBITER_ROLE(), arbiter);
        editions.grantRole(editions.MINTER_ROLE(), minter);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Industry codes and hashes
    // ---------------------------------------------------------------------------------------------------------

    /// @dev A well-formed ISWC `T` + 9 digits + check digit (computed like the real one), zero-padded to 12 bytes.
    function _iswc(uint256 n) internal pure returns (bytes12) {
        bytes memory body = _digits(n, 9);
        uint256 sum = 1;
        for (uint256 i; i < 9; ++i) {
            sum += (i + 1) * (uint8(body[i]) - 48);
        }
        bytes memory check = _digits((10 - (sum % 10)) % 10, 1);
        return bytes12(bytes.concat("T", body, check));
    }

    /// @dev A well-formed ISRC `USRC1` + `24` + 5-digit designation.
    function _isrc(uint256 n) internal pure returns (bytes12) {
        return bytes12(bytes.concat("USRC124", _digits(n, 5)));
    }

    /// @dev Stands in for the SHA-256 of a master (keccak: the sha256 precompile call would eat `vm.prank`).
    function _contentHash(uint256 n) internal pure returns (bytes32) {
        return keccak256(abi.encode("master audio", n));
    }

    function _nextIswc() internal returns (bytes12) {
        return _iswc(_nextCode++);
    }

    function _nextIsrc() internal returns (bytes12 code) {
        code = _isrc(_nextCode);
        ++_nextCode;
    }

    function _nextContentHash() internal returns (bytes32 hash) {
        hash = _contentHash(_nextCode);
        ++_nextCode;
    }

    function _digits(uint256 value, uint256 width) internal pure returns (bytes memory out) {
        out = new bytes(width);
        for (uint256 i = width; i > 0; --i) {
            out[i - 1] = bytes1(uint8(48 + (value % 10)));
            value /= 10;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Splits
    // ---------------------------------------------------------------------------------------------------------

    function _split1(address a) internal pure returns (address[] memory recipients, uint32[] memory allocations) {
        recipients = new address[](1);
        allocations = new uint32[](1);
        recipients[0] = a;
        allocations[0] = SCALE;
    }

    function _split2(address a, uint32 allocationA, address b, uint32 allocationB)
        internal
        pure
        returns (address[] memory recipients, uint32[] memory allocations)
    {
        recipients = new address[](2);
        allocations = new uint32[](2);
        (recipients[0], allocations[0], recipients[1], allocations[1]) = (a, allocationA, b, allocationB);
        _sortSplit(recipients, allocations);
    }

    /// @dev `count` distinct recipients derived from `salt`, ascending, with near-equal allocations summing to 1e6.
    function _evenSplit(uint256 count, uint256 salt)
        internal
        pure
        returns (address[] memory recipients, uint32[] memory allocations)
    {
        recipients = new address[](count);
        allocations = new uint32[](count);
        uint32 each = uint32(SCALE / count);
        for (uint256 i; i < count; ++i) {
            recipients[i] = address(uint160(uint256(keccak256(abi.encode("recipient", salt, i)))));
            allocations[i] = each;
        }
        allocations[count - 1] += uint32(SCALE - each * count);
        _sortSplit(recipients, allocations);
    }

    /// @dev Sorts a split by recipient address, in place (insertion sort: test splits are small).
    function _sortSplit(address[] memory recipients, uint32[] memory allocations) internal pure {
        for (uint256 i = 1; i < recipients.length; ++i) {
            address recipient = recipients[i];
            uint32 allocation = allocations[i];
            uint256 j = i;
            while (j > 0 && recipients[j - 1] > recipient) {
                recipients[j] = recipients[j - 1];
                allocations[j] = allocations[j - 1];
                --j;
            }
            recipients[j] = recipient;
            allocations[j] = allocation;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Registrations
    // ---------------------------------------------------------------------------------------------------------

    function _registerWork(address controller, address[] memory recipients, uint32[] memory allocations)
        internal
        returns (uint256 assetId)
    {
        bytes12 iswc = _nextIswc();
        vm.prank(controller);
        assetId = registry.registerWork(controller, iswc, "ipfs://work-metadata", recipients, allocations);
    }

    function _registerRecording(
        address controller,
        uint256[] memory workIds,
        address[] memory recipients,
        uint32[] memory allocations
    ) internal returns (uint256 assetId) {
        bytes12 isrc = _nextIsrc();
        bytes32 contentHash = _nextContentHash();
        vm.prank(controller);
        assetId = registry.registerRecording(
            controller, isrc, contentHash, workIds, "ipfs://recording-metadata", recipients, allocations
        );
    }
}
