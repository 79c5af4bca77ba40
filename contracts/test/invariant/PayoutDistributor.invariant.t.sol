// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PayoutDistributor} from "../../src/PayoutDistributor.sol";
import {DevStablecoin} from "../../src/dev/DevStablecoin.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";
import {InvariantTest, Test} from "../utils/Test.sol";

/// @notice Publishes random cumulative periods (the handler is the publisher) and claims for random payees with
/// valid proofs, stale roots and inflated amounts.
contract PayoutDistributorHandler is Test {
    uint256 internal constant ACTORS = 6;

    PayoutDistributor public immutable distributor;
    DevStablecoin public immutable usd;
    address public immutable admin;

    address[] public actors;
    /// @notice Latest cumulative entitlement per actor (its leaf in the current root).
    mapping(address account => uint256) public entitlement;
    bytes32 public previousRoot;
    MerkleBuilder.Tree internal _tree;
    mapping(bytes32 action => uint256) public calls;

    constructor(PayoutDistributor distributor_, DevStablecoin usd_, address admin_) {
        distributor = distributor_;
        usd = usd_;
        admin = admin_;
        for (uint256 i; i < ACTORS; ++i) {
            actors.push(address(uint160(uint256(keccak256(abi.encode("payee", i))))));
        }
        usd.approve(address(distributor), type(uint256).max);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Raises some entitlements (never lowers one: the leaves are cumulative) and publishes a funded root.
    function publish(uint256 seed, uint64 periodGap) external {
        uint256[] memory amounts = new uint256[](ACTORS);
        uint256 total;
        for (uint256 i; i < ACTORS; ++i) {
            uint256 raise = uint256(keccak256(abi.encode(seed, i))) % 4 == 0
                ? 0
                : uint256(keccak256(abi.encode(seed, "amount", i))) % 1e12;
            amounts[i] = entitlement[actors[i]] + raise;
            total += amounts[i];
        }
        MerkleBuilder.Tree memory tree = MerkleBuilder.build(actors, amounts);
        uint256 funding = total - distributor.cumulativeTotal();
        vm.prank(admin);
        usd.mint(address(this), funding);
        uint64 periodId = distributor.currentPeriodId() + uint64(bound(periodGap, 1, 3));
        bytes32 current = distributor.currentRoot();
        distributor.publishPeriod(
            periodId, MerkleBuilder.root(tree), total, keccak256(abi.encode(seed)), "ipfs://s", current
        );
        previousRoot = current;
        _tree = tree;
        for (uint256 i; i < ACTORS; ++i) {
            entitlement[actors[i]] = amounts[i];
        }
        ++calls["publish"];
    }

    function claim(uint256 actorSeed) external {
        if (_tree.nodes.length == 0) return;
        address actor = actors[actorSeed % ACTORS];
        uint256 amount = entitlement[actor];
        if (amount <= distributor.claimed(actor)) return;
        distributor.claim(actor, amount, MerkleBuilder.proof(_tree, actor, amount), MerkleBuilder.root(_tree));
        ++calls["claim"];
    }

    /// @dev A proof against the previous root must fail once a newer root is published.
    function claimStale(uint256 actorSeed) external {
        bytes32 current = distributor.currentRoot();
        if (previousRoot == bytes32(0) || previousRoot == current) return;
        address actor = actors[actorSeed % ACTORS];
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.RootMismatch.selector, previousRoot, current));
        distributor.claim(actor, 1, new bytes32[](0), previousRoot);
        ++calls["claimStale"];
    }

    /// @dev Claiming more than the leaf, with the leaf's proof, must fail.
    function claimInflated(uint256 actorSeed, uint256 extra) external {
        if (_tree.nodes.length == 0) return;
        address actor = actors[actorSeed % ACTORS];
        uint256 amount = entitlement[actor];
        bytes32[] memory proof = MerkleBuilder.proof(_tree, actor, amount);
        uint256 inflated = amount + bound(extra, 1, 1e18);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InvalidProof.selector, actor, inflated));
        distributor.claim(actor, inflated, proof, MerkleBuilder.root(_tree));
        ++calls["claimInflated"];
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views for the invariants
    // ---------------------------------------------------------------------------------------------------------

    function actorCount() external pure returns (uint256) {
        return ACTORS;
    }

    function totalCalls() external view returns (uint256) {
        return calls["publish"] + calls["claim"] + calls["claimStale"] + calls["claimInflated"];
    }
}

contract PayoutDistributorInvariantTest is InvariantTest {
    PayoutDistributorHandler internal handler;
    PayoutDistributor internal distributor;
    DevStablecoin internal usd;

    function setUp() public {
        address admin = address(0xA);
        usd = new DevStablecoin(admin);
        distributor = new PayoutDistributor(admin, address(usd));
        handler = new PayoutDistributorHandler(distributor, usd, admin);
        bytes32 publisherRole = distributor.PUBLISHER_ROLE();
        vm.prank(admin);
        distributor.grantRole(publisherRole, address(handler));

        bytes4[] memory selectors = new bytes4[](4);
        selectors[0] = PayoutDistributorHandler.publish.selector;
        selectors[1] = PayoutDistributorHandler.claim.selector;
        selectors[2] = PayoutDistributorHandler.claimStale.selector;
        selectors[3] = PayoutDistributorHandler.claimInflated.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev Total claimed never exceeds total funded.
    function invariant_ClaimedNeverExceedsFunded() public view {
        vm.assertLe(distributor.totalClaimed(), distributor.cumulativeTotal());
    }

    /// @dev No account ever claims more than its latest leaf, and what it claimed is what it received.
    function invariant_AccountClaimsBoundedByLatestLeaf() public view {
        uint256 sum;
        for (uint256 i; i < handler.actorCount(); ++i) {
            address actor = handler.actors(i);
            uint256 claimedByActor = distributor.claimed(actor);
            vm.assertLe(claimedByActor, handler.entitlement(actor), "claimed above latest leaf");
            vm.assertEq(usd.balanceOf(actor), claimedByActor, "paid != claimed");
            sum += claimedByActor;
        }
        vm.assertEq(sum, distributor.totalClaimed(), "sum of claims != totalClaimed");
    }

    /// @dev The distributor holds exactly the funded-but-unclaimed amount.
    function invariant_HoldsFundedMinusClaimed() public view {
        vm.assertEq(usd.balanceOf(address(distributor)), distributor.cumulativeTotal() - distributor.totalClaimed());
    }

    /// @dev Called by forge after each run: the fuzzer really drove the handler.
    function afterInvariant() external view {
        vm.assertGt(handler.totalCalls(), 0);
    }
}
