// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title RoyaltyReceiver
/// @notice Per-asset inbox for secondary-sale royalties (ERC-2981 receiver of every edition of one asset).
/// Marketplaces pay it with a plain transfer; `SplitVault.collectRoyalties` sweeps it into the vault, attributed to
/// the asset. Deployed by the vault with CREATE2 (salt = asset id), so its address is known, and can be paid,
/// before it exists.
contract RoyaltyReceiver {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Only the vault that deployed this receiver may sweep it; `caller` is not that vault.
    error CallerNotVault(address caller);

    // ---------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The SplitVault that deployed this receiver and alone may sweep it.
    address public immutable vault;

    // ---------------------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------------------

    constructor() {
        vault = msg.sender;
    }

    // ---------------------------------------------------------------------------------------------------------
    // External writes
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Accepts native-token royalties. Runs no code, so a 2300-gas stipend is enough.
    receive() external payable {}

    /// @notice Sends this receiver's whole balance of `token` (address(0) = native) to the vault. Vault only.
    /// @dev Returns nothing: the vault credits what actually arrived (its balance delta).
    function sweep(address token) external {
        if (msg.sender != vault) revert CallerNotVault(msg.sender);
        if (token == address(0)) {
            Address.sendValue(payable(msg.sender), address(this).balance);
        } else {
            IERC20(token).safeTransfer(msg.sender, IERC20(token).balanceOf(address(this)));
        }
    }
}
