// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {HarmoniEditions} from "../../src/HarmoniEditions.sol";
import {SplitVault} from "../../src/SplitVault.sol";

/// @notice A contract that refuses native tokens.
contract RejectingReceiver {}

/// @notice On receiving native tokens from the vault, tries to withdraw again (must be stopped by the guard).
contract ReentrantWithdrawer {
    SplitVault public immutable vault;
    bool public attempted;

    constructor(SplitVault vault_) {
        vault = vault_;
    }

    receive() external payable {
        if (!attempted) {
            attempted = true;
            vault.withdraw(address(this), address(0));
        }
    }
}

/// @notice ERC-1271 smart wallet owned by one key; `accept` toggles whether it approves anything.
contract ERC1271Wallet is IERC1271 {
    address public immutable owner;
    bool public accept = true;

    constructor(address owner_) {
        owner = owner_;
    }

    function setAccept(bool value) external {
        accept = value;
    }

    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, signature);
        if (accept && err == ECDSA.RecoverError.NoError && signer == owner) return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }
}

/// @notice ERC-1155 receiver that tries to mint again from inside the acceptance hook (must be stopped).
contract ReentrantMinter is IERC1155Receiver {
    HarmoniEditions public immutable editions;
    bool public attempted;

    constructor(HarmoniEditions editions_) {
        editions = editions_;
    }

    function buy(uint256 editionId) external payable {
        editions.mint{value: msg.value}(editionId, 1);
    }

    function onERC1155Received(address, address, uint256 id, uint256, bytes calldata) external returns (bytes4) {
        if (!attempted) {
            attempted = true;
            editions.mint(id, 1);
        }
        return IERC1155Receiver.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId;
    }
}
