// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {PayoutDistributor} from "../src/PayoutDistributor.sol";
import {DevStablecoin} from "../src/dev/DevStablecoin.sol";
import {FeeOnTransferERC20} from "./mocks/MockTokens.sol";
import {MerkleBuilder} from "./utils/MerkleBuilder.sol";
import {Test} from "./utils/Test.sol";

contract PayoutDistributorTest is Test {
    using MerkleBuilder for MerkleBuilder.Tree;

    DevStablecoin internal usd;
    PayoutDistributor internal distributor;
    address internal admin;
    address internal publisher;
    address internal alice;
    address internal bob;
    address internal carol;
    address internal dave;

    function setUp() public {
        admin = makeAddr("admin");
        publisher = makeAddr("publisher");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        dave = makeAddr("dave");
        usd = new DevStablecoin(admin);
        distributor = new PayoutDistributor(admin, address(usd));
        vm.startPrank(admin);
        distributor.grantRole(distributor.PUBLISHER_ROLE(), publisher);
        usd.mint(publisher, type(uint128).max);
        vm.stopPrank();
        vm.prank(publisher);
        usd.approve(address(distributor), type(uint256).max);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Deployment and leaf format
    // ---------------------------------------------------------------------------------------------------------

    function test_Constructor() public view {
        vm.assertEq(distributor.token(), address(usd));
        vm.assertTrue(distributor.hasRole(distributor.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertEq(distributor.PUBLISHER_ROLE(), keccak256("PUBLISHER_ROLE"));
        vm.assertEq(distributor.currentRoot(), bytes32(0));
        vm.assertEq(uint256(distributor.currentPeriodId()), 0);
        vm.assertEq(distributor.cumulativeTotal(), 0);
        vm.assertEq(distributor.totalClaimed(), 0);
    }

    function test_RevertWhen_ConstructorZeroAddress() public {
        vm.expectRevert(PayoutDistributor.ZeroAddress.selector);
        new PayoutDistributor(admin, address(0));
        vm.expectRevert(PayoutDistributor.ZeroAddress.selector);
        new PayoutDistributor(address(0), address(usd));
    }

    function test_Leaf_MatchesStandardMerkleTree() public view {
        // `StandardMerkleTree.of([["0x1111…1111", "100"]], ["address", "uint256"]).leafHash(...)` (npm 1.0.8).
        vm.assertEq(
            distributor.leaf(0x1111111111111111111111111111111111111111, 100),
            0x922c8389ffeb7a618b1f9fe2e9a75c76d86291502713033e5951dbad45b3fc31
        );
    }

    /// @dev The test builder reproduces @openzeppelin/merkle-tree 1.0.8 exactly (root and proofs from node).
    function test_MerkleBuilder_MatchesOpenZeppelinMerkleTree() public pure {
        address[] memory accounts = new address[](5);
        uint256[] memory amounts = new uint256[](5);
        accounts[0] = 0x1111111111111111111111111111111111111111;
        accounts[1] = 0x2222222222222222222222222222222222222222;
        accounts[2] = 0x3333333333333333333333333333333333333333;
        accounts[3] = 0x4444444444444444444444444444444444444444;
        accounts[4] = 0x5555555555555555555555555555555555555555;
        (amounts[0], amounts[1], amounts[2], amounts[3], amounts[4]) = (100, 250, 1, 123_456_789, 7_000_000);
        MerkleBuilder.Tree memory tree = MerkleBuilder.build(accounts, amounts);
        vm.assertEq(tree.root(), 0xc3454064bd5a8106e861c834f5c5fb3852217f472f6553ad005d207440406f81);
        bytes32[] memory proof = tree.proof(accounts[1], amounts[1]);
        vm.assertEq(proof.length, 2);
        vm.assertEq(proof[0], 0xa9c8afc6fcf4b4125db9d497a926654e86544046aa63b08bd9ba8cfcfa38a538);
        vm.assertEq(proof[1], 0xccbbbcf4347898d8fdd117d0d1355a183875a23ef1b6f231e067eb8554037b5c);
    }

    // ---------------------------------------------------------------------------------------------------------
    // publishPeriod
    // ---------------------------------------------------------------------------------------------------------

    function test_PublishPeriod() public {
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 300, 0);
        vm.expectEmit(address(distributor));
        emit PayoutDistributor.PeriodPublished(1, tree.root(), bytes32(0), 600, 600, keccak256("s1"), "ipfs://s1");
        vm.prank(publisher);
        distributor.publishPeriod(1, tree.root(), 600, keccak256("s1"), "ipfs://s1", bytes32(0));
        vm.assertEq(distributor.currentRoot(), tree.root());
        vm.assertEq(uint256(distributor.currentPeriodId()), 1);
        vm.assertEq(distributor.cumulativeTotal(), 600);
        vm.assertEq(usd.balanceOf(address(distributor)), 600);
    }

    function test_PublishPeriod_FundsOnlyTheIncrease() public {
        bytes32 first = _publish(1, 100, 200, 300, 0, bytes32(0));
        (MerkleBuilder.Tree memory tree,) = _tree(150, 200, 300, 50);
        vm.expectEmit(address(distributor));
        emit PayoutDistributor.PeriodPublished(3, tree.root(), first, 700, 100, keccak256("s3"), "ipfs://s3");
        vm.prank(publisher);
        distributor.publishPeriod(3, tree.root(), 700, keccak256("s3"), "ipfs://s3", first);
        vm.assertEq(usd.balanceOf(address(distributor)), 700);
    }

    function test_PublishPeriod_SameTotalPullsNothing() public {
        bytes32 first = _publish(1, 100, 200, 300, 0, bytes32(0));
        uint256 publisherBalance = usd.balanceOf(publisher);
        // A correction that moves 50 from carol to dave: new root, same total.
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 250, 50);
        vm.prank(publisher);
        distributor.publishPeriod(2, tree.root(), 600, keccak256("s2"), "ipfs://s2", first);
        vm.assertEq(usd.balanceOf(publisher), publisherBalance);
    }

    function test_RevertWhen_PublishNotPublisher() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, distributor.PUBLISHER_ROLE()
            )
        );
        vm.prank(alice);
        distributor.publishPeriod(1, keccak256("root"), 0, bytes32(0), "", bytes32(0));
    }

    function test_RevertWhen_PublishPeriodNotIncreasing() public {
        bytes32 first = _publish(5, 1, 1, 1, 1, bytes32(0));
        vm.startPrank(publisher);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.PeriodNotIncreasing.selector, 5, 5));
        distributor.publishPeriod(5, keccak256("r"), 4, bytes32(0), "", first);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.PeriodNotIncreasing.selector, 4, 5));
        distributor.publishPeriod(4, keccak256("r"), 4, bytes32(0), "", first);
        vm.stopPrank();
    }

    function test_RevertWhen_PublishPeriodZero() public {
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.PeriodNotIncreasing.selector, 0, 0));
        vm.prank(publisher);
        distributor.publishPeriod(0, keccak256("r"), 0, bytes32(0), "", bytes32(0));
    }

    function test_RevertWhen_PublishRootRace() public {
        bytes32 first = _publish(1, 1, 1, 1, 1, bytes32(0));
        // A second publisher built period 2 on top of the empty root: it must not overwrite period 1.
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.RootMismatch.selector, bytes32(0), first));
        vm.prank(publisher);
        distributor.publishPeriod(2, keccak256("r"), 4, bytes32(0), "", bytes32(0));
    }

    function test_RevertWhen_PublishEmptyRoot() public {
        vm.expectRevert(PayoutDistributor.EmptyRoot.selector);
        vm.prank(publisher);
        distributor.publishPeriod(1, bytes32(0), 0, bytes32(0), "", bytes32(0));
    }

    function test_RevertWhen_PublishTotalDecreases() public {
        bytes32 first = _publish(1, 100, 100, 100, 100, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.CumulativeTotalDecreased.selector, 399, 400));
        vm.prank(publisher);
        distributor.publishPeriod(2, keccak256("r"), 399, bytes32(0), "", first);
    }

    function test_RevertWhen_PublishTotalAbove128Bits() public {
        uint256 tooLarge = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 128, tooLarge));
        vm.prank(publisher);
        distributor.publishPeriod(1, keccak256("r"), tooLarge, bytes32(0), "", bytes32(0));
    }

    function test_RevertWhen_PublishUnderfunded() public {
        vm.prank(publisher);
        usd.approve(address(distributor), 599);
        vm.expectRevert();
        vm.prank(publisher);
        distributor.publishPeriod(1, keccak256("r"), 600, bytes32(0), "", bytes32(0));
    }

    function test_RevertWhen_PublishFeeOnTransferToken() public {
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        PayoutDistributor feeDistributor = new PayoutDistributor(admin, address(feeToken));
        bytes32 publisherRole = feeDistributor.PUBLISHER_ROLE();
        vm.prank(admin);
        feeDistributor.grantRole(publisherRole, publisher);
        feeToken.mint(publisher, 1_000);
        vm.startPrank(publisher);
        feeToken.approve(address(feeDistributor), 1_000);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.FundingMismatch.selector, 1_000, 990));
        feeDistributor.publishPeriod(1, keccak256("r"), 1_000, bytes32(0), "", bytes32(0));
        vm.stopPrank();
    }

    // ---------------------------------------------------------------------------------------------------------
    // claim
    // ---------------------------------------------------------------------------------------------------------

    function test_Claim() public {
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 300, 0);
        bytes32 root = _publishTree(1, tree, 600, bytes32(0));
        bytes32[] memory proof = tree.proof(bob, 200);
        vm.expectEmit(address(distributor));
        emit PayoutDistributor.Claimed(bob, 200, 200, root);
        vm.prank(carol); // anyone may submit; bob is paid
        distributor.claim(bob, 200, proof, root);
        vm.assertEq(usd.balanceOf(bob), 200);
        vm.assertEq(distributor.claimed(bob), 200);
        vm.assertEq(distributor.totalClaimed(), 200);
    }

    function test_Claim_CumulativeAcrossPeriods() public {
        (MerkleBuilder.Tree memory tree1,) = _tree(100, 200, 300, 0);
        bytes32 root1 = _publishTree(1, tree1, 600, bytes32(0));
        distributor.claim(alice, 100, tree1.proof(alice, 100), root1);

        (MerkleBuilder.Tree memory tree2,) = _tree(180, 260, 300, 40);
        bytes32 root2 = _publishTree(2, tree2, 780, root1);
        vm.expectEmit(address(distributor));
        emit PayoutDistributor.Claimed(alice, 80, 180, root2);
        distributor.claim(alice, 180, tree2.proof(alice, 180), root2);
        // bob skipped period 1: one claim against the latest root pays both periods.
        distributor.claim(bob, 260, tree2.proof(bob, 260), root2);
        vm.assertEq(usd.balanceOf(alice), 180);
        vm.assertEq(usd.balanceOf(bob), 260);
        vm.assertEq(distributor.totalClaimed(), 440);
        vm.assertEq(usd.balanceOf(address(distributor)), 780 - 440);
    }

    function test_RevertWhen_ClaimStaleRoot() public {
        (MerkleBuilder.Tree memory tree1,) = _tree(100, 200, 300, 0);
        bytes32 root1 = _publishTree(1, tree1, 600, bytes32(0));
        (MerkleBuilder.Tree memory tree2,) = _tree(150, 200, 300, 0);
        bytes32 root2 = _publishTree(2, tree2, 650, root1);
        bytes32[] memory proof = tree1.proof(alice, 100);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.RootMismatch.selector, root1, root2));
        distributor.claim(alice, 100, proof, root1);
    }

    function test_RevertWhen_ClaimInvalidProof() public {
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 300, 0);
        bytes32 root = _publishTree(1, tree, 600, bytes32(0));
        bytes32[] memory proof = tree.proof(bob, 200);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InvalidProof.selector, bob, 201));
        distributor.claim(bob, 201, proof, root);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InvalidProof.selector, alice, 200));
        distributor.claim(alice, 200, proof, root);
    }

    function test_RevertWhen_ClaimIntermediateNodeAsLeaf() public {
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 300, 400);
        bytes32 root = _publishTree(1, tree, 1_000, bytes32(0));
        // Second-preimage attempt: an inner node is 64 bytes of hashes, but leaves are double-hashed.
        bytes32[] memory empty = new bytes32[](0);
        address fakeAccount = address(uint160(uint256(tree.nodes[1])));
        vm.expectRevert(
            abi.encodeWithSelector(PayoutDistributor.InvalidProof.selector, fakeAccount, uint256(tree.nodes[2]))
        );
        distributor.claim(fakeAccount, uint256(tree.nodes[2]), empty, root);
    }

    function test_RevertWhen_ClaimTwice() public {
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 300, 0);
        bytes32 root = _publishTree(1, tree, 600, bytes32(0));
        bytes32[] memory proof = tree.proof(carol, 300);
        distributor.claim(carol, 300, proof, root);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.NothingToClaim.selector, carol, 300, 300));
        distributor.claim(carol, 300, proof, root);
    }

    function test_RevertWhen_ClaimZeroLeaf() public {
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 300, 0);
        bytes32 root = _publishTree(1, tree, 600, bytes32(0));
        bytes32[] memory proof = tree.proof(dave, 0);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.NothingToClaim.selector, dave, 0, 0));
        distributor.claim(dave, 0, proof, root);
    }

    function test_RevertWhen_ClaimBeyondFunding() public {
        // A faulty root whose leaves sum to 600 but which was funded with 450.
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 300, 0);
        bytes32 root = _publishTree(1, tree, 450, bytes32(0));
        distributor.claim(carol, 300, tree.proof(carol, 300), root);
        bytes32[] memory proof = tree.proof(bob, 200);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.ExceedsFunded.selector, 200, 300, 450));
        distributor.claim(bob, 200, proof, root);
    }

    function test_RevertWhen_ClaimBeforeFirstPeriod() public {
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.RootMismatch.selector, keccak256("x"), bytes32(0)));
        distributor.claim(alice, 1, new bytes32[](0), keccak256("x"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fuzz: claims
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Random monotone entitlements over three periods and random claim orders: no account ever holds more
    /// than its latest cumulative entitlement, and total claimed never exceeds total funded.
    function testFuzz_ClaimsNeverExceedEntitlement(uint64[12] memory increments, uint8 claimMask) public {
        address[] memory accounts = _accounts();
        uint256[] memory cumulative = new uint256[](4);
        bytes32 root;
        for (uint256 period; period < 3; ++period) {
            uint256 total;
            for (uint256 i; i < 4; ++i) {
                cumulative[i] += increments[period * 4 + i];
                total += cumulative[i];
            }
            MerkleBuilder.Tree memory tree = MerkleBuilder.build(accounts, cumulative);
            root = _publishTree(uint64(period + 1), tree, total, root);
            for (uint256 i; i < 4; ++i) {
                if ((claimMask >> ((period * 4 + i) % 8)) & 1 == 1 && cumulative[i] > distributor.claimed(accounts[i]))
                {
                    distributor.claim(accounts[i], cumulative[i], tree.proof(accounts[i], cumulative[i]), root);
                }
                vm.assertLe(usd.balanceOf(accounts[i]), cumulative[i]);
                vm.assertEq(usd.balanceOf(accounts[i]), distributor.claimed(accounts[i]));
            }
            vm.assertLe(distributor.totalClaimed(), distributor.cumulativeTotal());
            vm.assertEq(usd.balanceOf(address(distributor)), distributor.cumulativeTotal() - distributor.totalClaimed());
        }
    }

    /// @dev A proof for any (account, amount) other than the published leaves fails.
    function testFuzz_RevertWhen_ClaimForgedLeaf(address account, uint256 amount) public {
        (MerkleBuilder.Tree memory tree,) = _tree(100, 200, 300, 400);
        bytes32 root = _publishTree(1, tree, 1_000, bytes32(0));
        bytes32[] memory proof = tree.proof(bob, 200);
        vm.assume(!(account == bob && amount == 200));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InvalidProof.selector, account, amount));
        distributor.claim(account, amount, proof, root);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    function _accounts() internal view returns (address[] memory accounts) {
        accounts = new address[](4);
        (accounts[0], accounts[1], accounts[2], accounts[3]) = (alice, bob, carol, dave);
    }

    function _tree(uint256 a, uint256 b, uint256 c, uint256 d)
        internal
        view
        returns (MerkleBuilder.Tree memory tree, uint256 total)
    {
        uint256[] memory amounts = new uint256[](4);
        (amounts[0], amounts[1], amounts[2], amounts[3]) = (a, b, c, d);
        tree = MerkleBuilder.build(_accounts(), amounts);
        total = a + b + c + d;
    }

    function _publishTree(uint64 periodId, MerkleBuilder.Tree memory tree, uint256 total, bytes32 previous)
        internal
        returns (bytes32 root)
    {
        root = tree.root();
        vm.prank(publisher);
        distributor.publishPeriod(periodId, root, total, keccak256(abi.encode(periodId)), "ipfs://statement", previous);
    }

    function _publish(uint64 periodId, uint256 a, uint256 b, uint256 c, uint256 d, bytes32 previous)
        internal
        returns (bytes32)
    {
        (MerkleBuilder.Tree memory tree, uint256 total) = _tree(a, b, c, d);
        return _publishTree(periodId, tree, total, previous);
    }
}
