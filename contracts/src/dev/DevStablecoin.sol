// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title DevStablecoin
/// @notice "HARMONI Dev USD" (hUSD), a 6-decimal stand-in for USDC on local chains. Never deploy it to a public
/// network: the owner can mint without limit.
contract DevStablecoin is ERC20, Ownable {
    // ---------------------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------------------

    /// @param admin Owner, the only account allowed to mint.
    constructor(address admin) ERC20("HARMONI Dev USD", "hUSD") Ownable(admin) {}

    // ---------------------------------------------------------------------------------------------------------
    // External writes
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Mints `amount` (6 decimals) to `to`. Owner only.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    // ---------------------------------------------------------------------------------------------------------
    // External views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice 6, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
