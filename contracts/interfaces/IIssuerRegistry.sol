// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IIssuerRegistry
 * @notice What the DocumentRegistry (and any verifier) reads from the issuer registry: departments,
 * the document types they may issue, their signing-key windows and their anchoring accounts.
 * @dev The two "context" views exist so that anchoring and verification each cost ONE cross-contract call.
 */
interface IIssuerRegistry {
    /// @notice Lifecycle of a department: never registered, issuing, or suspended from issuing.
    enum DepartmentStatus {
        Unregistered,
        Active,
        Suspended
    }

    /// @notice A signing key's validity window, in block time (unix seconds). 0 = open / never.
    /// `registeredBlock` is the block of its registration: only batches anchored in a LATER block can
    /// count for it (block times repeat within a block and, on some chains, across blocks of one second).
    /// 1 + 8 + 8 + 8 + 7 = 32 bytes, one slot: a block number fits 56 bits.
    struct SigningKey {
        bool registered;
        uint64 validFrom;
        uint64 validUntil;
        uint64 compromisedAt;
        uint56 registeredBlock;
    }

    /// @notice The grant of a document type to a department. `grantedAt` is the first grant,
    /// `withdrawnAt` the latest withdrawal (0 while granted).
    struct TypeGrant {
        bytes32 schemaHash;
        uint64 grantedAt;
        uint64 withdrawnAt;
        uint32 docTypeIndex;
    }

    /// @notice What `anchorBatch` must know about the caller, the department and the type.
    struct AnchorContext {
        uint32 docTypeIndex;
        bool departmentActive;
        bool anchorer;
        bool typeGranted;
    }

    /// @notice What a verifier must know about the issuer of an anchored batch.
    struct IssuerContext {
        bytes32 docType;
        bool departmentRegistered;
        bool departmentSuspended;
        uint64 typeGrantedAt;
        uint64 typeWithdrawnAt;
        SigningKey key;
    }

    /**
     * @notice Whether `account` may anchor batches and change statuses for `department`.
     * @param department The department id (`encodeBytes32String(code)`).
     * @param account The chain account asked about.
     * @return True when `account` is a current anchorer of `department`.
     */
    function isAnchorer(bytes32 department, address account) external view returns (bool);

    /**
     * @notice Everything `DocumentRegistry.anchorBatch` checks, in one call.
     * @param department The department the batch is anchored for.
     * @param docType The document type of the batch.
     * @param account The account that sends the anchoring.
     * @return The anchoring context (type index, department active, caller anchors for it, type granted).
     */
    function anchorContext(bytes32 department, bytes32 docType, address account)
        external
        view
        returns (AnchorContext memory);

    /**
     * @notice Everything a verifier needs about a batch's issuer and a signing key, in one call.
     * @param department The department the batch was anchored for.
     * @param docTypeIndex The compact index of the batch's document type.
     * @param keyFingerprint The RFC 7638 thumbprint of the key that signed the document.
     * @return The issuer context (type, department status, grant window, key window).
     */
    function issuerContext(bytes32 department, uint32 docTypeIndex, bytes32 keyFingerprint)
        external
        view
        returns (IssuerContext memory);
}
