// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRightsRegistry
/// @notice The part of the HARMONI rights registry that the vault and the editions contract read.
interface IRightsRegistry {
    /// @notice Number of assets registered so far; asset ids run from 1 to this number.
    function assetCount() external view returns (uint256);

    /// @notice Current controller of `assetId`. Reverts for an unknown asset.
    function controllerOf(uint256 assetId) external view returns (address);

    /// @notice Whether an arbiter has frozen `assetId`. Reverts for an unknown asset.
    function isFrozen(uint256 assetId) external view returns (bool);

    /// @notice What a distribution needs in one call: the split hash and version in force and the frozen flag.
    /// Reverts for an unknown asset.
    function splitState(uint256 assetId) external view returns (bytes32 splitHash, uint32 splitVersion, bool frozen);
}
