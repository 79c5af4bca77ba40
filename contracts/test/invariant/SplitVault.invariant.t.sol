// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {RightsRegistry} from "../../src/RightsRegistry.sol";
import {SplitVault} from "../../src/SplitVault.sol";
import {FeeOnTransferERC20, MockERC20} from "../mocks/MockTokens.sol";
import {InvariantTest, Test} from "../utils/Test.sol";

/// @notice Drives the vault with random deposits, royalty collections, distributions, withdrawals, split updates
/// and freezes over three assets, three tokens (native, plain ERC-20, fee-on-transfer ERC-20) and six payees.
contract SplitVaultHandler is Test {
    uint32 internal constant SCALE = 1e6;
    uint256 internal constant ASSETS = 3;
    uint256 internal constant ACTORS = 6;

    RightsRegistry public immutable registry;
    SplitVault public immutable vault;
    address public immutable controller;
    address public immutable arbiter;

    address[] public tokens;
    address[] public actors;
    uint256[] public assets;
    mapping(uint256 assetId => address[]) internal _recipients;
    mapping(uint256 assetId => uint32[]) internal _allocations;

    mapping(address token => uint256) public ghostIn;
    mapping(address token => uint256) public ghostOut;
    mapping(bytes32 action => uint256) public calls;

    constructor(RightsRegistry registry_, SplitVault vault_, address controller_, address arbiter_) {
        registry = registry_;
        vault = vault_;
        controller = controller_;
        arbiter = arbiter_;
        tokens.push(address(0));
        tokens.push(address(new MockERC20("Plain", "PLN")));
        tokens.push(address(new FeeOnTransferERC20()));
        for (uint256 i; i < ACTORS; ++i) {
            actors.push(address(uint160(uint256(keccak256(abi.encode("payee", i))))));
        }
        for (uint256 i; i < ASSETS; ++i) {
            (address[] memory r, uint32[] memory a) = _randomSplit(i);
            bytes memory digits = bytes.concat("T00000000", bytes1(uint8(48 + i)), "0");
            vm.prank(controller);
            uint256 assetId = registry.registerWork(controller, bytes12(digits), "ipfs://w", r, a);
            assets.push(assetId);
            _recipients[assetId] = r;
            _allocations[assetId] = a;
        }
    }

    receive() external payable {}

    // ---------------------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------------------

    function deposit(uint256 assetSeed, uint256 tokenSeed, uint256 amount) external {
        uint256 assetId = assets[assetSeed % ASSETS];
        address token = tokens[tokenSeed % tokens.length];
        amount = bound(amount, 1, 1e30);
        uint256 before = _holdings(token);
        if (token == address(0)) {
            vm.deal(address(this), address(this).balance + amount);
            vault.deposit{value: amount}(assetId, address(0), amount);
        } else {
            MockERC20(token).mint(address(this), amount);
            IERC20(token).approve(address(vault), amount);
            vault.deposit(assetId, token, amount);
        }
        ghostIn[token] += _holdings(token) - before;
        ++calls["deposit"];
    }

    function payRoyalty(uint256 assetSeed, uint256 tokenSeed, uint256 amount) external {
        uint256 assetId = assets[assetSeed % ASSETS];
        address token = tokens[tokenSeed % tokens.length];
        amount = bound(amount, 1, 1e30);
        address receiver = vault.royaltyReceiver(assetId);
        if (token == address(0)) {
            vm.deal(address(this), address(this).balance + amount);
            (bool ok,) = receiver.call{value: amount}("");
            require(ok, "royalty payment failed");
        } else {
            MockERC20(token).mint(receiver, amount);
        }
        uint256 before = _holdings(token);
        vault.collectRoyalties(assetId, token);
        ghostIn[token] += _holdings(token) - before;
        ++calls["payRoyalty"];
    }

    function distribute(uint256 assetSeed, uint256 tokenSeed) external {
        uint256 assetId = assets[assetSeed % ASSETS];
        address token = tokens[tokenSeed % tokens.length];
        if (vault.undistributed(assetId, token) == 0) return;
        if (registry.isFrozen(assetId)) {
            vm.expectRevert(abi.encodeWithSelector(SplitVault.AssetFrozen.selector, assetId));
            vault.distribute(assetId, token, _recipients[assetId], _allocations[assetId]);
            ++calls["distributeFrozen"];
            return;
        }
        vault.distribute(assetId, token, _recipients[assetId], _allocations[assetId]);
        ++calls["distribute"];
    }

    function withdraw(uint256 actorSeed, uint256 tokenSeed) external {
        address actor = actors[actorSeed % ACTORS];
        address token = tokens[tokenSeed % tokens.length];
        uint256 amount = vault.balanceOf(actor, token);
        if (amount == 0) return;
        vault.withdraw(actor, token);
        ghostOut[token] += amount;
        ++calls["withdraw"];
    }

    function updateSplit(uint256 assetSeed, uint256 seed) external {
        uint256 assetId = assets[assetSeed % ASSETS];
        if (registry.isFrozen(assetId)) return;
        (address[] memory r, uint32[] memory a) = _randomSplit(seed);
        vm.prank(controller);
        registry.updateSplit(assetId, r, a);
        _recipients[assetId] = r;
        _allocations[assetId] = a;
        ++calls["updateSplit"];
    }

    function toggleFreeze(uint256 assetSeed) external {
        uint256 assetId = assets[assetSeed % ASSETS];
        bool frozen = registry.isFrozen(assetId);
        vm.prank(arbiter);
        if (frozen) registry.unfreeze(assetId, address(0));
        else registry.freeze(assetId, keccak256("dispute"));
        ++calls["toggleFreeze"];
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views for the invariants
    // ---------------------------------------------------------------------------------------------------------

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }

    function owed(address token) external view returns (uint256 sum) {
        for (uint256 i; i < ACTORS; ++i) {
            sum += vault.balanceOf(actors[i], token);
        }
        for (uint256 i; i < ASSETS; ++i) {
            sum += vault.undistributed(assets[i], token);
        }
    }

    function holdings(address token) external view returns (uint256) {
        return _holdings(token);
    }

    function totalCalls() external view returns (uint256) {
        return calls["deposit"] + calls["payRoyalty"] + calls["distribute"] + calls["distributeFrozen"]
            + calls["withdraw"] + calls["updateSplit"] + calls["toggleFreeze"];
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    function _holdings(address token) internal view returns (uint256) {
        return token == address(0) ? address(vault).balance : IERC20(token).balanceOf(address(vault));
    }

    /// @dev A split over a random non-empty subset of the actors, ascending, random positive allocations.
    function _randomSplit(uint256 seed) internal view returns (address[] memory r, uint32[] memory a) {
        uint256 mask = uint256(keccak256(abi.encode(seed))) % (2 ** ACTORS - 1) + 1;
        uint256 count;
        for (uint256 i; i < ACTORS; ++i) {
            if (mask & (1 << i) != 0) ++count;
        }
        r = new address[](count);
        a = new uint32[](count);
        uint256 k;
        for (uint256 i; i < ACTORS; ++i) {
            if (mask & (1 << i) != 0) r[k++] = actors[i];
        }
        uint256 left = SCALE - count;
        for (uint256 i; i < count; ++i) {
            uint256 extra = i == count - 1 ? left : uint256(keccak256(abi.encode(seed, i))) % (left + 1);
            a[i] = uint32(1 + extra);
            left -= extra;
        }
        // Sort by address (insertion sort, at most six entries).
        for (uint256 i = 1; i < count; ++i) {
            (address ri, uint32 ai) = (r[i], a[i]);
            uint256 j = i;
            while (j > 0 && r[j - 1] > ri) {
                (r[j], a[j]) = (r[j - 1], a[j - 1]);
                --j;
            }
            (r[j], a[j]) = (ri, ai);
        }
    }
}

contract SplitVaultInvariantTest is InvariantTest {
    SplitVaultHandler internal handler;

    function setUp() public {
        address admin = address(0xA);
        address arbiter = address(0xB);
        RightsRegistry registry = new RightsRegistry(admin);
        vm.prank(admin);
        registry.grantRole(keccak256("ARBITER_ROLE"), arbiter);
        SplitVault vault = new SplitVault(address(registry));
        handler = new SplitVaultHandler(registry, vault, address(0xC), arbiter);

        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = SplitVaultHandler.deposit.selector;
        selectors[1] = SplitVaultHandler.payRoyalty.selector;
        selectors[2] = SplitVaultHandler.distribute.selector;
        selectors[3] = SplitVaultHandler.withdraw.selector;
        selectors[4] = SplitVaultHandler.updateSplit.selector;
        selectors[5] = SplitVaultHandler.toggleFreeze.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev Credited balances plus undistributed income equal what the vault holds, token by token.
    function invariant_HoldingsEqualCreditedPlusUndistributed() public view {
        for (uint256 i; i < handler.tokenCount(); ++i) {
            address token = handler.tokens(i);
            vm.assertEq(handler.owed(token), handler.holdings(token), "holdings != credited + undistributed");
        }
    }

    /// @dev What the vault holds is exactly what arrived minus what was paid out.
    function invariant_HoldingsEqualFlows() public view {
        for (uint256 i; i < handler.tokenCount(); ++i) {
            address token = handler.tokens(i);
            vm.assertEq(handler.holdings(token), handler.ghostIn(token) - handler.ghostOut(token), "flows");
        }
    }

    /// @dev Called by forge after each run: the fuzzer really drove the handler.
    function afterInvariant() external view {
        vm.assertGt(handler.totalCalls(), 0);
    }
}
