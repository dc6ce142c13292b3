// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title MerkleProofHarness
 * @notice Test-only: exposes OpenZeppelin MerkleProof so off-chain trees can be checked against it.
 */
contract MerkleProofHarness {
    /**
     * @notice Whether `proof` proves `leaf` under `root`.
     * @param proof The sibling hashes from the leaf up.
     * @param root The Merkle root.
     * @param leaf The leaf hash.
     * @return True when the proof holds.
     */
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /**
     * @notice The leaf of `documentHash` as StandardMerkleTree with encoding ["bytes32"] builds it.
     * @param documentHash The document's hash.
     * @return The double-hashed leaf.
     */
    function leafOf(bytes32 documentHash) external pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(documentHash))));
    }

    /**
     * @notice Whether a multiproof proves `leaves` under `root`.
     * @param proof The multiproof's hashes.
     * @param flags The multiproof's flags.
     * @param root The Merkle root.
     * @param leaves The leaf hashes, in tree order.
     * @return True when the multiproof holds.
     */
    function multiVerify(bytes32[] calldata proof, bool[] calldata flags, bytes32 root, bytes32[] calldata leaves)
        external
        pure
        returns (bool)
    {
        return MerkleProof.multiProofVerifyCalldata(proof, flags, root, leaves);
    }
}
