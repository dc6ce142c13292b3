// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";

/**
 * @title DocumentRegistry
 * @notice Anchors Merkle roots of document batches and records status changes (suspension,
 * reinstatement, revocation, supersession) per document and per batch, with reason codes.
 * @dev Nothing personal is stored: only roots, 16-byte random document ids and governance facts.
 * Authorisation comes from the IssuerRegistry: the caller must be an anchorer of the department.
 * A batch record is packed into ONE storage slot so anchoring costs about one OpenAttestation issue.
 * The contract has no admin: its rules cannot be changed, only the IssuerRegistry's governance.
 */
contract DocumentRegistry {
    /// @notice Status of a document or batch. `Active` (0) is the state of every never-touched document.
    enum DocumentStatus {
        Active,
        Suspended,
        Revoked,
        Superseded
    }

    /// @notice A batch as stored: 8 + 8 + 4 + 4 + 4 + 1 + 2 = 31 bytes, one slot.
    struct Batch {
        uint64 anchoredAt;
        uint64 blockNumber;
        uint32 count;
        uint32 departmentIndex;
        uint32 docTypeIndex;
        DocumentStatus status;
        uint16 reasonCode;
    }

    /// @notice A document's status as stored: 1 + 2 + 8 + 16 = 27 bytes, one slot.
    struct DocumentState {
        DocumentStatus status;
        uint16 reasonCode;
        uint64 changedAt;
        bytes16 successor;
    }

    struct BatchRecord {
        bool anchored;
        bytes32 department;
        bytes32 docType;
        uint32 count;
        uint64 blockNumber;
        uint64 anchoredAt;
        DocumentStatus status;
        uint16 reasonCode;
    }

    struct DepartmentRecord {
        bool registered;
        bool suspended;
    }

    struct TypeGrantRecord {
        uint64 grantedAt;
        uint64 withdrawnAt;
    }

    struct KeyRecord {
        bool registered;
        uint64 validFrom;
        uint64 validUntil;
        uint64 compromisedAt;
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

    mapping(bytes32 root => Batch) private _batches;
    mapping(bytes32 department => mapping(bytes16 documentId => DocumentState)) private _documents;

    event BatchAnchored(bytes32 indexed root, bytes32 indexed department, bytes32 indexed docType, uint32 count);
    event BatchStatusChanged(bytes32 indexed root, DocumentStatus status, uint16 reasonCode);
    event DocumentStatusChanged(
        bytes32 indexed department, bytes16 indexed documentId, DocumentStatus status, uint16 reasonCode
    );
    event DocumentSuperseded(
        bytes32 indexed department, bytes16 indexed documentId, bytes16 indexed successorId, uint16 reasonCode
    );

    error DocumentRegistryZeroIssuerRegistry();
    error DocumentRegistryZeroRoot();
    error DocumentRegistryEmptyBatch(bytes32 root);
    error DocumentRegistryAlreadyAnchored(bytes32 root);
    error DocumentRegistryUnknownBatch(bytes32 root);
    error DocumentRegistryUnauthorizedAnchorer(bytes32 department, address account);
    error DocumentRegistryDepartmentNotActive(bytes32 department);
    error DocumentRegistryDocumentTypeNotGranted(bytes32 department, bytes32 docType);
    error DocumentRegistryNoDocuments();
    error DocumentRegistryZeroDocumentId();
    error DocumentRegistryInvalidSuccessor(bytes16 documentId, bytes16 successorId);
    error DocumentRegistryInvalidDocumentTransition(bytes16 documentId, DocumentStatus from, DocumentStatus to);
    error DocumentRegistryInvalidBatchTransition(bytes32 root, DocumentStatus from, DocumentStatus to);

    modifier onlyAnchorer(bytes32 department) {
        if (!issuerRegistry.isAnchorer(department, msg.sender)) {
            revert DocumentRegistryUnauthorizedAnchorer(department, msg.sender);
        }
        _;
    }

    /// @param issuerRegistry_ The IssuerRegistry consulted for every write.
    constructor(IIssuerRegistry issuerRegistry_) {
        if (address(issuerRegistry_) == address(0)) revert DocumentRegistryZeroIssuerRegistry();
        issuerRegistry = issuerRegistry_;
    }

    /**
     * @notice Anchors the Merkle root of a batch of `count` documents of `docType` issued by `department`.
     * @dev The caller must be an anchorer of an Active department that currently holds the type grant.
     * Cost is independent of `count`.
     */
    function anchorBatch(bytes32 department, bytes32 docType, bytes32 root, uint32 count) external {
        if (root == bytes32(0)) revert DocumentRegistryZeroRoot();
        if (count == 0) revert DocumentRegistryEmptyBatch(root);
        if (_batches[root].anchoredAt != 0) revert DocumentRegistryAlreadyAnchored(root);
        IIssuerRegistry.AnchorContext memory context = issuerRegistry.anchorContext(department, docType, msg.sender);
        if (!context.anchorer) revert DocumentRegistryUnauthorizedAnchorer(department, msg.sender);
        if (!context.departmentActive) revert DocumentRegistryDepartmentNotActive(department);
        if (!context.typeGranted) revert DocumentRegistryDocumentTypeNotGranted(department, docType);
        _batches[root] = Batch({
            anchoredAt: uint64(block.timestamp),
            blockNumber: uint64(block.number),
            count: count,
            departmentIndex: context.departmentIndex,
            docTypeIndex: context.docTypeIndex,
            status: DocumentStatus.Active,
            reasonCode: 0
        });
        emit BatchAnchored(root, department, docType, count);
    }

    /**
     * @notice Changes the status of many documents of `department` in one transaction.
     * @dev Allowed: Active -> Suspended, Suspended -> Active (reinstate), Active|Suspended -> Revoked.
     * Revoked and Superseded are final; supersession goes through `supersede`.
     * @param ids 16-byte document ids.
     */
    function changeDocumentStatus(bytes32 department, bytes16[] calldata ids, DocumentStatus status, uint16 reasonCode)
        external
        onlyAnchorer(department)
    {
        if (ids.length == 0) revert DocumentRegistryNoDocuments();
        uint64 changedAt = uint64(block.timestamp);
        for (uint256 i = 0; i < ids.length; ++i) {
            bytes16 id = ids[i];
            if (id == bytes16(0)) revert DocumentRegistryZeroDocumentId();
            DocumentState storage document = _documents[department][id];
            if (!_allowed(document.status, status)) {
                revert DocumentRegistryInvalidDocumentTransition(id, document.status, status);
            }
            document.status = status;
            document.reasonCode = reasonCode;
            document.changedAt = changedAt;
            emit DocumentStatusChanged(department, id, status, reasonCode);
        }
    }

    /**
     * @notice Changes the status of a whole batch (every document under `root`).
     * @dev Same transitions as `changeDocumentStatus`; the caller must anchor for the batch's department.
     */
    function changeBatchStatus(bytes32 root, DocumentStatus status, uint16 reasonCode) external {
        Batch storage stored = _batches[root];
        if (stored.anchoredAt == 0) revert DocumentRegistryUnknownBatch(root);
        (bytes32 department, bool anchorer) = issuerRegistry.anchorerAt(stored.departmentIndex, msg.sender);
        if (!anchorer) revert DocumentRegistryUnauthorizedAnchorer(department, msg.sender);
        if (!_allowed(stored.status, status)) revert DocumentRegistryInvalidBatchTransition(root, stored.status, status);
        stored.status = status;
        stored.reasonCode = reasonCode;
        emit BatchStatusChanged(root, status, reasonCode);
    }

    /**
     * @notice Marks `documentId` as Superseded by `successorId` (e.g. a corrected reissue).
     * @dev Allowed from Active or Suspended; final.
     */
    function supersede(bytes32 department, bytes16 documentId, bytes16 successorId, uint16 reasonCode)
        external
        onlyAnchorer(department)
    {
        if (documentId == bytes16(0)) revert DocumentRegistryZeroDocumentId();
        if (successorId == bytes16(0) || successorId == documentId) {
            revert DocumentRegistryInvalidSuccessor(documentId, successorId);
        }
        DocumentStatus from = _documents[department][documentId].status;
        if (from != DocumentStatus.Active && from != DocumentStatus.Suspended) {
            revert DocumentRegistryInvalidDocumentTransition(documentId, from, DocumentStatus.Superseded);
        }
        _documents[department][documentId] = DocumentState({
            status: DocumentStatus.Superseded,
            reasonCode: reasonCode,
            changedAt: uint64(block.timestamp),
            successor: successorId
        });
        emit DocumentSuperseded(department, documentId, successorId, reasonCode);
    }

    /// @notice The batch anchored under `root` (`anchored` false and the rest zero when absent).
    function batch(bytes32 root) external view returns (BatchRecord memory record) {
        Batch memory stored = _batches[root];
        if (stored.anchoredAt == 0) return record;
        IIssuerRegistry.IssuerContext memory issuer =
            issuerRegistry.issuerContext(stored.departmentIndex, stored.docTypeIndex, bytes32(0));
        return _batchRecord(stored, issuer);
    }

    /// @notice The status of `documentId` of `department` (Active with changedAt 0 when never changed).
    function documentStatus(bytes32 department, bytes16 documentId) external view returns (DocumentState memory) {
        return _documents[department][documentId];
    }

    /**
     * @notice Everything a verifier needs, in one call: the batch of `root`; the status of `documentId` in
     * the batch's department; that department's status; its grant window for the batch's document
     * type; and the window of the signing key `keyFingerprint` for that department.
     * @dev When `root` is not anchored every part is zero.
     */
    function verificationRecord(bytes32 root, bytes16 documentId, bytes32 keyFingerprint)
        external
        view
        returns (VerificationRecord memory record)
    {
        Batch memory stored = _batches[root];
        if (stored.anchoredAt == 0) return record;
        IIssuerRegistry.IssuerContext memory issuer =
            issuerRegistry.issuerContext(stored.departmentIndex, stored.docTypeIndex, keyFingerprint);
        record.batch = _batchRecord(stored, issuer);
        record.document = _documents[issuer.department][documentId];
        record.department = DepartmentRecord({
            registered: issuer.departmentRegistered,
            suspended: issuer.departmentSuspended
        });
        record.typeGrant = TypeGrantRecord({grantedAt: issuer.typeGrantedAt, withdrawnAt: issuer.typeWithdrawnAt});
        record.key = KeyRecord({
            registered: issuer.key.registered,
            validFrom: issuer.key.validFrom,
            validUntil: issuer.key.validUntil,
            compromisedAt: issuer.key.compromisedAt
        });
    }

    /// @dev The status changes `changeDocumentStatus` and `changeBatchStatus` accept (never to Superseded).
    function _allowed(DocumentStatus from, DocumentStatus to) private pure returns (bool) {
        return (from == DocumentStatus.Active && to == DocumentStatus.Suspended)
            || (from == DocumentStatus.Suspended && (to == DocumentStatus.Active || to == DocumentStatus.Revoked))
            || (from == DocumentStatus.Active && to == DocumentStatus.Revoked);
    }

    function _batchRecord(Batch memory stored, IIssuerRegistry.IssuerContext memory issuer)
        private
        pure
        returns (BatchRecord memory)
    {
        return BatchRecord({
            anchored: true,
            department: issuer.department,
            docType: issuer.docType,
            count: stored.count,
            blockNumber: stored.blockNumber,
            anchoredAt: stored.anchoredAt,
            status: stored.status,
            reasonCode: stored.reasonCode
        });
    }
}
