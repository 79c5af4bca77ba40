// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISplitVault
/// @notice The part of the HARMONI split vault that the editions contract uses.
interface ISplitVault {
    /// @notice Deposits `amount` of `token` (address(0) = native) as undistributed income of `assetId`.
    function deposit(uint256 assetId, address token, uint256 amount) external payable;

    /// @notice The per-asset address that receives secondary-sale royalties for `assetId`.
    function royaltyReceiver(uint256 assetId) external view returns (address);
}
