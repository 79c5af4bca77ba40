// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PayoutDistributor} from "../../src/PayoutDistributor.sol";
import {DevStablecoin} from "../../src/dev/DevStablecoin.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";
import {Test} from "../utils/Test.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice Gas of `claim` against a 100,000-leaf tree (proofs of 17 nodes), the case Uniswap's MerkleDistributor
/// quotes at ~78,600 gas on average. Run with `--isolate` so each call is its own transaction (numbers include
/// the 21,000 base cost and calldata).
///
/// A cumulative distributor needs one storage slot per account (the amount claimed so far) where Uniswap's
/// one-shot distributor flips one bit of a shared bitmap word. An account's FIRST claim therefore pays one
/// zero-to-non-zero write (22,100 gas) more and does not beat the reference; every later claim (the steady state:
/// payees claim period after period) does.
contract PayoutDistributorGasTest is Test {
    uint256 internal constant PROOF_LENGTH = 17; // ceil(log2(100_000))
    uint256 internal constant UNISWAP_REFERENCE = 78_600;
    /// @dev Regression budget for a first claim (measured 100,895 with --isolate).
    uint256 internal constant FIRST_CLAIM_BUDGET = 102_000;

    DevStablecoin internal usd;
    PayoutDistributor internal distributor;
    address internal publisher;

    function setUp() public {
        address admin = makeAddr("admin");
        publisher = makeAddr("publisher");
        usd = new DevStablecoin(admin);
        distributor = new PayoutDistributor(admin, address(usd));
        vm.startPrank(admin);
        distributor.grantRole(distributor.PUBLISHER_ROLE(), publisher);
        usd.mint(publisher, 1e30);
        vm.stopPrank();
        vm.prank(publisher);
        usd.approve(address(distributor), type(uint256).max);
    }

    /// @dev First claim of an account that holds no tokens yet (two zero-to-non-zero writes: worst case). Guards
    /// against regressions only.
    function test_Gas_ClaimFirst100kLeafTree() public {
        address account = makeAddr("payee");
        (bytes32 root, bytes32[] memory proof) = _pathTo(account, 250e6, 1);
        _publish(1, root, 1_000_000e6, bytes32(0));
        distributor.claim(account, 250e6, proof, root);
        Vm.Gas memory gas = vm.lastCallGas();
        emit log_named_uint("claim gas (first claim)", gas.gasTotalUsed);
        vm.assertLt(gas.gasTotalUsed, FIRST_CLAIM_BUDGET, "first claim regressed");
    }

    /// @dev A later claim of an account that claimed in an earlier period and still holds tokens.
    function test_Gas_ClaimRepeat100kLeafTree() public {
        address account = makeAddr("payee");
        (bytes32 root1, bytes32[] memory proof1) = _pathTo(account, 250e6, 1);
        _publish(1, root1, 1_000_000e6, bytes32(0));
        distributor.claim(account, 250e6, proof1, root1);
        (bytes32 root2, bytes32[] memory proof2) = _pathTo(account, 400e6, 2);
        _publish(2, root2, 2_000_000e6, root1);
        distributor.claim(account, 400e6, proof2, root2);
        Vm.Gas memory gas = vm.lastCallGas();
        emit log_named_uint("claim gas (repeat claim)", gas.gasTotalUsed);
        vm.assertLt(gas.gasTotalUsed, UNISWAP_REFERENCE, "claim costs more than Uniswap's MerkleDistributor");
    }

    function _publish(uint64 periodId, bytes32 root, uint256 total, bytes32 previous) internal {
        vm.prank(publisher);
        distributor.publishPeriod(periodId, root, total, keccak256("statement"), "ipfs://statement", previous);
    }

    /// @dev A root and a 17-node proof for one leaf, as in a 100k-leaf tree: random siblings, sorted pairs.
    function _pathTo(address account, uint256 amount, uint256 salt)
        internal
        pure
        returns (bytes32 node, bytes32[] memory proof)
    {
        proof = new bytes32[](PROOF_LENGTH);
        node = MerkleBuilder.leaf(account, amount);
        for (uint256 i; i < PROOF_LENGTH; ++i) {
            proof[i] = keccak256(abi.encode("sibling", salt, i));
            node = MerkleBuilder.hashPair(node, proof[i]);
        }
    }
}
