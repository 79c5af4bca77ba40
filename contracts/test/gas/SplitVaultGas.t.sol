// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "../utils/Vm.sol";
import {HarmoniTest} from "../utils/HarmoniTest.sol";

/// @notice Gas of `distribute` for the native token with 2, 10 and 100 recipients whose balances are already
/// non-zero (not the first distribution), the case 0xSplits v1 quotes: 57,390 / 110,069 / 702,505 gas.
/// Run with `--isolate` so each call is its own transaction (cold storage, as on chain).
contract SplitVaultGasTest is HarmoniTest {
    address internal constant NATIVE = address(0);

    function test_Gas_DistributeNative2Recipients() public {
        _benchmark(2, 57_390);
    }

    function test_Gas_DistributeNative10Recipients() public {
        _benchmark(10, 110_069);
    }

    function test_Gas_DistributeNative100Recipients() public {
        _benchmark(100, 702_505);
    }

    function _benchmark(uint256 count, uint256 reference_) internal {
        (address[] memory r, uint32[] memory a) = _evenSplit(count, count);
        address controller = makeAddr("controller");
        uint256 assetId = _registerWork(controller, r, a);
        vault.deposit{value: 1 ether}(assetId, NATIVE, 1 ether);
        vault.distribute(assetId, NATIVE, r, a);
        vault.deposit{value: 1 ether}(assetId, NATIVE, 1 ether);

        vault.distribute(assetId, NATIVE, r, a);
        Vm.Gas memory gas = vm.lastCallGas();
        emit log_named_uint("recipients", count);
        emit log_named_uint("distribute gas", gas.gasTotalUsed);
        emit log_named_uint("0xSplits v1 reference", reference_);
        vm.assertLt(gas.gasTotalUsed, reference_, "distribute costs more than 0xSplits v1");
    }
}
