// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @notice Test-only: exposes OpenZeppelin MerkleProof so off-chain trees can be checked against it.
contract MerkleProofHarness {
    /// @notice Whether `proof` proves `leaf` under `root`.
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @notice The leaf of `documentHash` as StandardMerkleTree with encoding ["bytes32"] builds it.
    function leafOf(bytes32 documentHash) external pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(documentHash))));
    }

    /// @notice Whether a multiproof proves `leaves` under `root`.
    function multiVerify(bytes32[] calldata proof, bool[] calldata flags, bytes32 root, bytes32[] calldata leaves)
        external
        pure
        returns (bool)
    {
        return MerkleProof.multiProofVerifyCalldata(proof, flags, root, leaves);
    }
}
