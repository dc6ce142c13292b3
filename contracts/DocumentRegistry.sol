// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";

/**
 * @title DocumentRegistry
 * @notice Anchors Merkle roots of document batches and records status changes (suspension,
 * reinstatement, revocation, supersession) per document and per batch.
 * @dev Nothing personal is stored: only roots, 16-byte random document ids, statuses and times. The
 * chain never says WHY a status changed: reasons stay in the department's own records.
 * Batches belong to their department: a batch is recorded under (department, root), and only an
 * anchorer of that department (per the IssuerRegistry) writes there, so another department anchoring
 * the same root (front-running, squatting after a rollback) fills its own record and harms nobody.
 * A batch record is packed into ONE storage slot so anchoring costs about one OpenAttestation issue.
 * `DEFAULT_ADMIN_ROLE` (two-step, delayed handover) can only close anchoring when the registry is
 * succeeded by a new one; statuses of documents already anchored can still change after that.
 */
contract DocumentRegistry is AccessControlDefaultAdminRules {
    /// @notice Status of a document or batch. `Active` (0) is the state of every never-touched document.
    enum DocumentStatus {
        Active,
        Suspended,
        Revoked,
        Superseded
    }

    /// @notice A batch as stored: 8 + 8 + 4 + 4 + 1 = 25 bytes, one slot.
    struct Batch {
        uint64 anchoredAt;
        uint64 blockNumber;
        uint32 count;
        uint32 docTypeIndex;
        DocumentStatus status;
    }

    /// @notice A document's status as stored: 1 + 8 + 16 = 25 bytes, one slot.
    struct DocumentState {
        DocumentStatus status;
        uint64 changedAt;
        bytes16 successor;
    }

    /// @notice A batch as a verifier reads it.
    /// @dev Returned, never stored: its field order is the ABI verifiers decode, not a storage layout.
    // solhint-disable-next-line gas-struct-packing
    struct BatchRecord {
        bool anchored;
        bytes32 department;
        bytes32 docType;
        uint32 count;
        uint64 blockNumber;
        uint64 anchoredAt;
        DocumentStatus status;
    }

    /// @notice The department's status now.
    struct DepartmentRecord {
        bool registered;
        bool suspended;
    }

    /// @notice The department's grant window for the batch's document type.
    struct TypeGrantRecord {
        uint64 grantedAt;
        uint64 withdrawnAt;
    }

    /// @notice The window of the signing key asked about.
    struct KeyRecord {
        bool registered;
        uint64 validFrom;
        uint64 validUntil;
        uint64 compromisedAt;
        uint64 registeredBlock;
    }

    /// @notice Everything a verifier needs about one document, read in one call.
    struct VerificationRecord {
        BatchRecord batch;
        DocumentState document;
        DepartmentRecord department;
        TypeGrantRecord typeGrant;
        KeyRecord key;
    }

    /// @notice The IssuerRegistry that says who may anchor for which department.
    IIssuerRegistry public immutable issuerRegistry;

    /// @notice Block time from which no batch can be anchored here any more (0 while open).
    uint64 public anchoringClosedAt;

    mapping(bytes32 department => mapping(bytes32 root => Batch)) private _batches;
    mapping(bytes32 department => mapping(bytes16 documentId => DocumentState)) private _documents;

    /**
     * @notice A batch was anchored.
     * @param department The department it belongs to.
     * @param root Its Merkle root.
     * @param docType Its document type.
     * @param count How many documents it holds.
     * @param anchorer The account that anchored it.
     */
    event BatchAnchored(
        bytes32 indexed department, bytes32 indexed root, bytes32 indexed docType, uint32 count, address anchorer
    );
    /**
     * @notice The status of a whole batch changed.
     * @param department The department it belongs to.
     * @param root Its Merkle root.
     * @param status The new status.
     */
    event BatchStatusChanged(bytes32 indexed department, bytes32 indexed root, DocumentStatus status);
    /**
     * @notice The status of a document changed.
     * @param department Its department.
     * @param documentId Its 16-byte id.
     * @param status The new status.
     */
    event DocumentStatusChanged(bytes32 indexed department, bytes16 indexed documentId, DocumentStatus status);
    /**
     * @notice A document was superseded by a newer one.
     * @param department Its department.
     * @param documentId Its 16-byte id.
     * @param successorId The newer document's id.
     */
    event DocumentSuperseded(bytes32 indexed department, bytes16 indexed documentId, bytes16 indexed successorId);
    /**
     * @notice Anchoring was closed for good (the registry was succeeded by a new one).
     * @param closedAt The block time of the closing.
     */
    event AnchoringClosed(uint64 closedAt);

    /// @notice The zero address was given as the IssuerRegistry.
    error DocumentRegistryZeroIssuerRegistry();
    /// @notice The zero root was given.
    /// @param department The department.
    error DocumentRegistryZeroRoot(bytes32 department);
    /// @notice A batch of zero documents was given.
    /// @param department The department.
    /// @param root The root.
    error DocumentRegistryEmptyBatch(bytes32 department, bytes32 root);
    /// @notice The department has anchored this root already.
    /// @param department The department.
    /// @param root The root.
    error DocumentRegistryAlreadyAnchored(bytes32 department, bytes32 root);
    /// @notice The department has no batch with this root.
    /// @param department The department.
    /// @param root The root.
    error DocumentRegistryUnknownBatch(bytes32 department, bytes32 root);
    /// @notice `account` does not anchor for `department`.
    /// @param department The department.
    /// @param account The caller.
    error DocumentRegistryUnauthorizedAnchorer(bytes32 department, address account);
    /// @notice The department is suspended or not registered.
    /// @param department The department.
    error DocumentRegistryDepartmentNotActive(bytes32 department);
    /// @notice The department may not issue this type now.
    /// @param department The department.
    /// @param docType The document type.
    error DocumentRegistryDocumentTypeNotGranted(bytes32 department, bytes32 docType);
    /// @notice No document ids were given.
    /// @param department The department.
    error DocumentRegistryNoDocuments(bytes32 department);
    /// @notice The zero document id was given.
    /// @param department The department.
    error DocumentRegistryZeroDocumentId(bytes32 department);
    /// @notice The successor is zero or the document itself.
    /// @param department The department.
    /// @param documentId The document.
    /// @param successorId The successor given.
    error DocumentRegistryInvalidSuccessor(bytes32 department, bytes16 documentId, bytes16 successorId);
    /// @notice The document cannot go from `from` to `to`.
    /// @param department The department.
    /// @param documentId The document.
    /// @param from Its status.
    /// @param to The status asked for.
    error DocumentRegistryInvalidDocumentTransition(
        bytes32 department, bytes16 documentId, DocumentStatus from, DocumentStatus to
    );
    /// @notice The batch cannot go from `from` to `to`.
    /// @param department The department.
    /// @param root The batch's root.
    /// @param from Its status.
    /// @param to The status asked for.
    error DocumentRegistryInvalidBatchTransition(bytes32 department, bytes32 root, DocumentStatus from, DocumentStatus to);
    /// @notice Anchoring here was closed (the registry was succeeded).
    /// @param closedAt When it was closed.
    error DocumentRegistryAnchoringClosed(uint64 closedAt);

    modifier onlyAnchorer(bytes32 department) {
        if (!issuerRegistry.isAnchorer(department, msg.sender)) {
            revert DocumentRegistryUnauthorizedAnchorer(department, msg.sender);
        }
        _;
    }

    /**
     * @notice Deploys the registry against `issuerRegistry_`, with `admin` holding `DEFAULT_ADMIN_ROLE`
     * from the start (only it can close anchoring).
     * @param issuerRegistry_ The IssuerRegistry consulted for every write.
     * @param adminDelay Delay of a `DEFAULT_ADMIN_ROLE` handover, seconds.
     * @param admin Holder of `DEFAULT_ADMIN_ROLE` (a multisig or timelock in production).
     */
    constructor(IIssuerRegistry issuerRegistry_, uint48 adminDelay, address admin)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (address(issuerRegistry_) == address(0)) revert DocumentRegistryZeroIssuerRegistry();
        issuerRegistry = issuerRegistry_;
    }

    /**
     * @notice Anchors the Merkle root of a batch of `count` documents of `docType` issued by `department`.
     * @dev The caller must be an anchorer of an Active department that currently holds the type grant.
     * Cost is independent of `count`.
     * @param department The department the batch belongs to.
     * @param docType The batch's document type.
     * @param root The Merkle root (OpenZeppelin MerkleProof compatible).
     * @param count How many documents the batch holds (at least 1).
     */
    function anchorBatch(bytes32 department, bytes32 docType, bytes32 root, uint32 count) external {
        if (root == bytes32(0)) revert DocumentRegistryZeroRoot(department);
        if (count == 0) revert DocumentRegistryEmptyBatch(department, root);
        if (_batches[department][root].anchoredAt != 0) revert DocumentRegistryAlreadyAnchored(department, root);
        if (anchoringClosedAt != 0) revert DocumentRegistryAnchoringClosed(anchoringClosedAt);
        IIssuerRegistry.AnchorContext memory context = issuerRegistry.anchorContext(department, docType, msg.sender);
        if (!context.anchorer) revert DocumentRegistryUnauthorizedAnchorer(department, msg.sender);
        if (!context.departmentActive) revert DocumentRegistryDepartmentNotActive(department);
        if (!context.typeGranted) revert DocumentRegistryDocumentTypeNotGranted(department, docType);
        _batches[department][root] = Batch({
            anchoredAt: uint64(block.timestamp),
            blockNumber: uint64(block.number),
            count: count,
            docTypeIndex: context.docTypeIndex,
            status: DocumentStatus.Active
        });
        emit BatchAnchored(department, root, docType, count, msg.sender);
    }

    /**
     * @notice Changes the status of many documents of `department` in one transaction.
     * @dev Allowed: Active -> Suspended, Suspended -> Active (reinstate), Active|Suspended -> Revoked.
     * Revoked and Superseded are final; supersession goes through `supersede`. No reason goes on chain.
     * @param department The documents' department (the caller must anchor for it).
     * @param ids 16-byte document ids.
     * @param status The new status.
     */
    function changeDocumentStatus(bytes32 department, bytes16[] calldata ids, DocumentStatus status)
        external
        onlyAnchorer(department)
    {
        if (ids.length == 0) revert DocumentRegistryNoDocuments(department);
        uint64 changedAt = uint64(block.timestamp);
        for (uint256 i = 0; i < ids.length; ++i) {
            bytes16 id = ids[i];
            if (id == bytes16(0)) revert DocumentRegistryZeroDocumentId(department);
            DocumentState storage document = _documents[department][id];
            if (!_allowed(document.status, status)) {
                revert DocumentRegistryInvalidDocumentTransition(department, id, document.status, status);
            }
            document.status = status;
            document.changedAt = changedAt;
            emit DocumentStatusChanged(department, id, status);
        }
    }

    /**
     * @notice Changes the status of a whole batch (every document under `root`) of `department`.
     * @dev Same transitions as `changeDocumentStatus`.
     * @param department The batch's department (the caller must anchor for it).
     * @param root The batch's root.
     * @param status The new status.
     */
    function changeBatchStatus(bytes32 department, bytes32 root, DocumentStatus status)
        external
        onlyAnchorer(department)
    {
        Batch storage stored = _batches[department][root];
        if (stored.anchoredAt == 0) revert DocumentRegistryUnknownBatch(department, root);
        if (!_allowed(stored.status, status)) {
            revert DocumentRegistryInvalidBatchTransition(department, root, stored.status, status);
        }
        stored.status = status;
        emit BatchStatusChanged(department, root, status);
    }

    /**
     * @notice Marks `documentId` as Superseded by `successorId` (e.g. a corrected reissue).
     * @dev Allowed from Active or Suspended; final.
     * @param department The document's department (the caller must anchor for it).
     * @param documentId The document replaced.
     * @param successorId The document that replaces it.
     */
    function supersede(bytes32 department, bytes16 documentId, bytes16 successorId)
        external
        onlyAnchorer(department)
    {
        if (documentId == bytes16(0)) revert DocumentRegistryZeroDocumentId(department);
        if (successorId == bytes16(0) || successorId == documentId) {
            revert DocumentRegistryInvalidSuccessor(department, documentId, successorId);
        }
        DocumentStatus from = _documents[department][documentId].status;
        if (from != DocumentStatus.Active && from != DocumentStatus.Suspended) {
            revert DocumentRegistryInvalidDocumentTransition(department, documentId, from, DocumentStatus.Superseded);
        }
        _documents[department][documentId] =
            DocumentState({status: DocumentStatus.Superseded, changedAt: uint64(block.timestamp), successor: successorId});
        emit DocumentSuperseded(department, documentId, successorId);
    }

    /**
     * @notice Closes anchoring for good, when a new registry succeeds this one. Documents anchored
     * before stay verifiable here and their statuses can still change.
     */
    function closeAnchoring() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (anchoringClosedAt != 0) revert DocumentRegistryAnchoringClosed(anchoringClosedAt);
        anchoringClosedAt = uint64(block.timestamp);
        emit AnchoringClosed(anchoringClosedAt);
    }

    /**
     * @notice The batch `department` anchored under `root`.
     * @param department The department.
     * @param root The root.
     * @return record The batch (`anchored` false and the rest zero when absent).
     */
    function batch(bytes32 department, bytes32 root) external view returns (BatchRecord memory record) {
        Batch memory stored = _batches[department][root];
        if (stored.anchoredAt == 0) return record;
        IIssuerRegistry.IssuerContext memory issuer =
            issuerRegistry.issuerContext(department, stored.docTypeIndex, bytes32(0));
        return _batchRecord(department, stored, issuer);
    }

    /**
     * @notice The status of `documentId` of `department`.
     * @param department The department.
     * @param documentId The document.
     * @return The status (Active with changedAt 0 when never changed).
     */
    function documentStatus(bytes32 department, bytes16 documentId) external view returns (DocumentState memory) {
        return _documents[department][documentId];
    }

    /**
     * @notice Everything a verifier needs, in one call: the batch `department` anchored under `root`;
     * the status of `documentId` in that department; the department's status; its grant window for
     * the batch's document type; and the window of the signing key `keyFingerprint` for it.
     * @dev When the department has no batch `root`, every part is zero.
     * @param department The document's issuer (its header), not whoever else may have anchored the root.
     * @param root The root the document's Merkle path leads to.
     * @param documentId The document's id.
     * @param keyFingerprint The RFC 7638 thumbprint of the key that signed it.
     * @return record The verification record.
     */
    function verificationRecord(bytes32 department, bytes32 root, bytes16 documentId, bytes32 keyFingerprint)
        external
        view
        returns (VerificationRecord memory record)
    {
        Batch memory stored = _batches[department][root];
        if (stored.anchoredAt == 0) return record;
        IIssuerRegistry.IssuerContext memory issuer =
            issuerRegistry.issuerContext(department, stored.docTypeIndex, keyFingerprint);
        record.batch = _batchRecord(department, stored, issuer);
        record.document = _documents[department][documentId];
        record.department =
            DepartmentRecord({registered: issuer.departmentRegistered, suspended: issuer.departmentSuspended});
        record.typeGrant = TypeGrantRecord({grantedAt: issuer.typeGrantedAt, withdrawnAt: issuer.typeWithdrawnAt});
        record.key = KeyRecord({
            registered: issuer.key.registered,
            validFrom: issuer.key.validFrom,
            validUntil: issuer.key.validUntil,
            compromisedAt: issuer.key.compromisedAt,
            registeredBlock: issuer.key.registeredBlock
        });
    }

    /// @dev The status changes `changeDocumentStatus` and `changeBatchStatus` accept (never to Superseded).
    function _allowed(DocumentStatus from, DocumentStatus to) private pure returns (bool) {
        return (from == DocumentStatus.Active && to == DocumentStatus.Suspended)
            || (from == DocumentStatus.Suspended && (to == DocumentStatus.Active || to == DocumentStatus.Revoked))
            || (from == DocumentStatus.Active && to == DocumentStatus.Revoked);
    }

    function _batchRecord(bytes32 department, Batch memory stored, IIssuerRegistry.IssuerContext memory issuer)
        private
        pure
        returns (BatchRecord memory)
    {
        return BatchRecord({
            anchored: true,
            department: department,
            docType: issuer.docType,
            count: stored.count,
            blockNumber: stored.blockNumber,
            anchoredAt: stored.anchoredAt,
            status: stored.status
        });
    }
}
