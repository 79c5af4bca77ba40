// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {DevStablecoin} from "../src/dev/DevStablecoin.sol";
import {Test} from "./utils/Test.sol";

contract DevStablecoinTest is Test {
    DevStablecoin internal usd;
    address internal admin;
    address internal alice;

    function setUp() public {
        admin = makeAddr("admin");
        alice = makeAddr("alice");
        usd = new DevStablecoin(admin);
    }

    function test_Metadata() public view {
        vm.assertEq(usd.name(), "HARMONI Dev USD");
        vm.assertEq(usd.symbol(), "hUSD");
        vm.assertEq(uint256(usd.decimals()), 6);
        vm.assertEq(usd.owner(), admin);
        vm.assertEq(usd.totalSupply(), 0);
    }

    function test_Mint() public {
        vm.prank(admin);
        usd.mint(alice, 250e6);
        vm.assertEq(usd.balanceOf(alice), 250e6);
        vm.assertEq(usd.totalSupply(), 250e6);
    }

    function test_RevertWhen_MintNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        usd.mint(alice, 1);
    }
}
