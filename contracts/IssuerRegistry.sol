// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";

/**
 * @title IssuerRegistry
 * @notice Who may issue what: departments (bilingual names, Active/Suspended), the document types each
 * may issue (with the schema hash), the fingerprints of their document-signing keys with validity
 * windows, and the chain accounts that anchor their batches.
 * @dev `DEFAULT_ADMIN_ROLE` is meant for a multisig or timelock: it only grants and revokes roles.
 * `REGISTRAR_ROLE` does the day-to-day governance. All times are block times (unix seconds).
 * Departments are keyed by `bytes32` id (`encodeBytes32String(code)`) and also get a compact
 * 1-based `uint32` index so that a batch record fits in one storage slot of the DocumentRegistry;
 * document types get a global 1-based index for the same reason.
 */
contract IssuerRegistry is AccessControl, IIssuerRegistry {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice A department as stored. The first slot (index, status, registeredAt) is what anchoring reads.
    struct Department {
        uint32 index;
        DepartmentStatus status;
        uint64 registeredAt;
        string nameEn;
        string nameZhHk;
    }

    /// @notice Role for day-to-day governance: departments, document types, signing keys, anchorers.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    mapping(bytes32 department => Department) private _departments;
    bytes32[] private _departmentIds;

    mapping(bytes32 docType => uint32) private _docTypeIndex;
    bytes32[] private _docTypeIds;

    mapping(bytes32 department => mapping(bytes32 docType => TypeGrant)) private _grants;
    mapping(bytes32 department => bytes32[]) private _grantedTypes;

    mapping(bytes32 department => mapping(bytes32 fingerprint => SigningKey)) private _keys;
    mapping(bytes32 department => bytes32[]) private _keyFingerprints;

    mapping(bytes32 department => EnumerableSet.AddressSet) private _anchorers;

    event DepartmentRegistered(bytes32 indexed department, uint32 index, string nameEn, string nameZhHk);
    event DepartmentSuspended(bytes32 indexed department);
    event DepartmentReinstated(bytes32 indexed department);
    event DocumentTypeGranted(bytes32 indexed department, bytes32 indexed docType, bytes32 schemaHash);
    event DocumentTypeWithdrawn(bytes32 indexed department, bytes32 indexed docType);
    event SigningKeyRegistered(
        bytes32 indexed department, bytes32 indexed fingerprint, uint64 validFrom, uint64 validUntil
    );
    event SigningKeyRetired(bytes32 indexed department, bytes32 indexed fingerprint, uint64 validUntil);
    event SigningKeyCompromised(bytes32 indexed department, bytes32 indexed fingerprint, uint64 compromisedAt);
    event AnchorerAdded(bytes32 indexed department, address indexed account);
    event AnchorerRemoved(bytes32 indexed department, address indexed account);

    error IssuerRegistryZeroAccount();
    error IssuerRegistryZeroDepartment();
    error IssuerRegistryDepartmentAlreadyRegistered(bytes32 department);
    error IssuerRegistryUnknownDepartment(bytes32 department);
    error IssuerRegistryUnknownDepartmentIndex(uint32 index);
    error IssuerRegistryEmptyName(bytes32 department);
    error IssuerRegistryDepartmentStatusUnchanged(bytes32 department, bool suspended);
    error IssuerRegistryZeroDocumentType(bytes32 department);
    error IssuerRegistryZeroSchemaHash(bytes32 department, bytes32 docType);
    error IssuerRegistryDocumentTypeAlreadyGranted(bytes32 department, bytes32 docType, bytes32 schemaHash);
    error IssuerRegistryDocumentTypeNotGranted(bytes32 department, bytes32 docType);
    error IssuerRegistryZeroFingerprint(bytes32 department);
    error IssuerRegistrySigningKeyAlreadyRegistered(bytes32 department, bytes32 fingerprint);
    error IssuerRegistryUnknownSigningKey(bytes32 department, bytes32 fingerprint);
    error IssuerRegistryInvalidKeyWindow(uint64 validFrom, uint64 validUntil);
    error IssuerRegistryRetirementInPast(uint64 validUntil, uint64 blockTime);
    error IssuerRegistrySigningKeyAlreadyCompromised(bytes32 department, bytes32 fingerprint, uint64 compromisedAt);
    error IssuerRegistryZeroCompromiseTime(bytes32 department, bytes32 fingerprint);
    error IssuerRegistryAnchorerAlreadyAdded(bytes32 department, address account);
    error IssuerRegistryUnknownAnchorer(bytes32 department, address account);

    modifier onlyRegistered(bytes32 department) {
        if (_departments[department].status == DepartmentStatus.Unregistered) {
            revert IssuerRegistryUnknownDepartment(department);
        }
        _;
    }

    /**
     * @param admin Holder of `DEFAULT_ADMIN_ROLE` (a multisig or timelock in production).
     * @param registrar Initial holder of `REGISTRAR_ROLE`, or the zero address for none.
     */
    constructor(address admin, address registrar) {
        if (admin == address(0)) revert IssuerRegistryZeroAccount();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (registrar != address(0)) _grantRole(REGISTRAR_ROLE, registrar);
    }

    // ---------------------------------------------------------------- departments

    /**
     * @notice Registers a department, Active from now on.
     * @param department `encodeBytes32String(code)`, e.g. "DEMO".
     * @param nameEn English name (non-empty).
     * @param nameZhHk Traditional Chinese (Hong Kong) name (non-empty).
     */
    function registerDepartment(bytes32 department, string calldata nameEn, string calldata nameZhHk)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (department == bytes32(0)) revert IssuerRegistryZeroDepartment();
        if (_departments[department].status != DepartmentStatus.Unregistered) {
            revert IssuerRegistryDepartmentAlreadyRegistered(department);
        }
        if (bytes(nameEn).length == 0 || bytes(nameZhHk).length == 0) revert IssuerRegistryEmptyName(department);
        _departmentIds.push(department);
        uint32 index = uint32(_departmentIds.length);
        _departments[department] = Department({
            index: index,
            status: DepartmentStatus.Active,
            registeredAt: uint64(block.timestamp),
            nameEn: nameEn,
            nameZhHk: nameZhHk
        });
        emit DepartmentRegistered(department, index, nameEn, nameZhHk);
    }

    /**
     * @notice Suspends a department (it can no longer anchor) or reinstates it.
     * @dev A suspended department's anchorers may still change statuses (e.g. revoke).
     */
    function setDepartmentSuspended(bytes32 department, bool suspended)
        external
        onlyRole(REGISTRAR_ROLE)
        onlyRegistered(department)
    {
        Department storage record = _departments[department];
        if ((record.status == DepartmentStatus.Suspended) == suspended) {
            revert IssuerRegistryDepartmentStatusUnchanged(department, suspended);
        }
        record.status = suspended ? DepartmentStatus.Suspended : DepartmentStatus.Active;
        if (suspended) emit DepartmentSuspended(department);
        else emit DepartmentReinstated(department);
    }

    // ---------------------------------------------------------------- document types

    /**
     * @notice Allows `department` to issue `docType` with the schema `schemaHash`. Re-granting after a
     * withdrawal, or granting a new schema version, is allowed.
     * @dev `grantedAt` keeps the FIRST grant and `withdrawnAt` the latest withdrawal (0 while granted).
     * Because anchoring requires a current grant, every anchored batch of the type lies inside
     * [grantedAt, withdrawnAt) however often the type was withdrawn and re-granted in between.
     */
    function grantDocumentType(bytes32 department, bytes32 docType, bytes32 schemaHash)
        external
        onlyRole(REGISTRAR_ROLE)
        onlyRegistered(department)
    {
        if (docType == bytes32(0)) revert IssuerRegistryZeroDocumentType(department);
        if (schemaHash == bytes32(0)) revert IssuerRegistryZeroSchemaHash(department, docType);
        TypeGrant storage grant = _grants[department][docType];
        if (grant.grantedAt == 0) {
            grant.grantedAt = uint64(block.timestamp);
            grant.docTypeIndex = _indexOfDocType(docType);
            _grantedTypes[department].push(docType);
        } else if (grant.withdrawnAt == 0 && grant.schemaHash == schemaHash) {
            revert IssuerRegistryDocumentTypeAlreadyGranted(department, docType, schemaHash);
        }
        grant.schemaHash = schemaHash;
        grant.withdrawnAt = 0;
        emit DocumentTypeGranted(department, docType, schemaHash);
    }

    /// @notice Stops `department` from anchoring batches of `docType` from now on.
    function withdrawDocumentType(bytes32 department, bytes32 docType)
        external
        onlyRole(REGISTRAR_ROLE)
        onlyRegistered(department)
    {
        TypeGrant storage grant = _grants[department][docType];
        if (grant.grantedAt == 0 || grant.withdrawnAt != 0) {
            revert IssuerRegistryDocumentTypeNotGranted(department, docType);
        }
        grant.withdrawnAt = uint64(block.timestamp);
        emit DocumentTypeWithdrawn(department, docType);
    }

    // ---------------------------------------------------------------- signing keys

    /**
     * @notice Registers the RFC 7638 thumbprint of a department's document-signing key.
     * @param validFrom First block time at which the key may sign.
     * @param validUntil Block time from which the key may no longer sign; 0 for open-ended.
     */
    function registerSigningKey(bytes32 department, bytes32 fingerprint, uint64 validFrom, uint64 validUntil)
        external
        onlyRole(REGISTRAR_ROLE)
        onlyRegistered(department)
    {
        if (fingerprint == bytes32(0)) revert IssuerRegistryZeroFingerprint(department);
        SigningKey storage key = _keys[department][fingerprint];
        if (key.registered) revert IssuerRegistrySigningKeyAlreadyRegistered(department, fingerprint);
        if (validUntil != 0 && validUntil <= validFrom) revert IssuerRegistryInvalidKeyWindow(validFrom, validUntil);
        _keys[department][fingerprint] =
            SigningKey({registered: true, validFrom: validFrom, validUntil: validUntil, compromisedAt: 0});
        _keyFingerprints[department].push(fingerprint);
        emit SigningKeyRegistered(department, fingerprint, validFrom, validUntil);
    }

    /**
     * @notice Retires a key as of `validUntil` (not in the past, so documents already issued stay valid).
     * @dev May shorten or set the window; use `markSigningKeyCompromised` to invalidate retroactively.
     */
    function retireSigningKey(bytes32 department, bytes32 fingerprint, uint64 validUntil)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        SigningKey storage key = _existingKey(department, fingerprint);
        if (validUntil < block.timestamp) revert IssuerRegistryRetirementInPast(validUntil, uint64(block.timestamp));
        if (validUntil <= key.validFrom || (key.validUntil != 0 && validUntil > key.validUntil)) {
            revert IssuerRegistryInvalidKeyWindow(key.validFrom, validUntil);
        }
        key.validUntil = validUntil;
        emit SigningKeyRetired(department, fingerprint, validUntil);
    }

    /**
     * @notice Marks a key compromised as of `compromisedAt` (may be in the past): documents anchored at
     * or after that block time no longer verify with it.
     */
    function markSigningKeyCompromised(bytes32 department, bytes32 fingerprint, uint64 compromisedAt)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        SigningKey storage key = _existingKey(department, fingerprint);
        if (key.compromisedAt != 0) {
            revert IssuerRegistrySigningKeyAlreadyCompromised(department, fingerprint, key.compromisedAt);
        }
        if (compromisedAt == 0) revert IssuerRegistryZeroCompromiseTime(department, fingerprint);
        key.compromisedAt = compromisedAt;
        emit SigningKeyCompromised(department, fingerprint, compromisedAt);
    }

    // ---------------------------------------------------------------- anchorers

    /// @notice Allows `account` to anchor batches and change statuses for `department`.
    function addAnchorer(bytes32 department, address account)
        external
        onlyRole(REGISTRAR_ROLE)
        onlyRegistered(department)
    {
        if (account == address(0)) revert IssuerRegistryZeroAccount();
        if (!_anchorers[department].add(account)) revert IssuerRegistryAnchorerAlreadyAdded(department, account);
        emit AnchorerAdded(department, account);
    }

    /// @notice Withdraws `account`'s right to anchor for `department`.
    function removeAnchorer(bytes32 department, address account)
        external
        onlyRole(REGISTRAR_ROLE)
        onlyRegistered(department)
    {
        if (!_anchorers[department].remove(account)) revert IssuerRegistryUnknownAnchorer(department, account);
        emit AnchorerRemoved(department, account);
    }

    // ---------------------------------------------------------------- views

    /// @notice A department's record (status Unregistered and index 0 when unknown).
    function departmentRecord(bytes32 department) external view returns (Department memory) {
        return _departments[department];
    }

    /// @notice Number of registered departments (indexes run from 1 to this).
    function departmentCount() external view returns (uint32) {
        return uint32(_departmentIds.length);
    }

    /// @notice The document type with compact index `index` (1-based), or zero when unknown.
    function docTypeIdAt(uint32 index) external view returns (bytes32) {
        return index == 0 || index > _docTypeIds.length ? bytes32(0) : _docTypeIds[index - 1];
    }

    /// @notice The grant of `docType` to `department` (all zero when never granted).
    function documentType(bytes32 department, bytes32 docType) external view returns (TypeGrant memory) {
        return _grants[department][docType];
    }

    /// @notice Every document type ever granted to `department` (see `documentType` for the window).
    function documentTypes(bytes32 department) external view returns (bytes32[] memory) {
        return _grantedTypes[department];
    }

    /// @notice The window of a signing key (`registered` false when unknown).
    function signingKey(bytes32 department, bytes32 fingerprint) external view returns (SigningKey memory) {
        return _keys[department][fingerprint];
    }

    /// @notice Every key fingerprint ever registered for `department`, in registration order.
    function signingKeys(bytes32 department) external view returns (bytes32[] memory) {
        return _keyFingerprints[department];
    }

    /// @notice The accounts currently anchoring for `department`.
    function anchorers(bytes32 department) external view returns (address[] memory) {
        return _anchorers[department].values();
    }

    /// @inheritdoc IIssuerRegistry
    function isAnchorer(bytes32 department, address account) external view returns (bool) {
        return _anchorers[department].contains(account);
    }

    /// @inheritdoc IIssuerRegistry
    function anchorerAt(uint32 departmentIndex, address account)
        external
        view
        returns (bytes32 department, bool anchorer)
    {
        department = departmentIdAt(departmentIndex);
        anchorer = _anchorers[department].contains(account);
    }

    /// @inheritdoc IIssuerRegistry
    function anchorContext(bytes32 department, bytes32 docType, address account)
        external
        view
        returns (AnchorContext memory context)
    {
        Department storage record = _departments[department];
        TypeGrant storage grant = _grants[department][docType];
        context.departmentIndex = record.index;
        context.departmentActive = record.status == DepartmentStatus.Active;
        context.anchorer = _anchorers[department].contains(account);
        context.typeGranted = grant.grantedAt != 0 && grant.withdrawnAt == 0;
        context.docTypeIndex = grant.docTypeIndex;
    }

    /// @inheritdoc IIssuerRegistry
    function issuerContext(uint32 departmentIndex, uint32 docTypeIndex, bytes32 keyFingerprint)
        external
        view
        returns (IssuerContext memory context)
    {
        if (departmentIndex == 0 || departmentIndex > _departmentIds.length) return context;
        bytes32 id = _departmentIds[departmentIndex - 1];
        DepartmentStatus status = _departments[id].status;
        context.department = id;
        context.departmentRegistered = status != DepartmentStatus.Unregistered;
        context.departmentSuspended = status == DepartmentStatus.Suspended;
        if (docTypeIndex != 0 && docTypeIndex <= _docTypeIds.length) {
            bytes32 docType = _docTypeIds[docTypeIndex - 1];
            TypeGrant storage grant = _grants[id][docType];
            context.docType = docType;
            context.typeGrantedAt = grant.grantedAt;
            context.typeWithdrawnAt = grant.withdrawnAt;
        }
        context.key = _keys[id][keyFingerprint];
    }

    // ---------------------------------------------------------------- public

    /// @notice The id of the department with compact index `index` (1-based).
    function departmentIdAt(uint32 index) public view returns (bytes32) {
        if (index == 0 || index > _departmentIds.length) revert IssuerRegistryUnknownDepartmentIndex(index);
        return _departmentIds[index - 1];
    }

    // ---------------------------------------------------------------- private

    function _existingKey(bytes32 department, bytes32 fingerprint) private view returns (SigningKey storage key) {
        key = _keys[department][fingerprint];
        if (!key.registered) revert IssuerRegistryUnknownSigningKey(department, fingerprint);
    }

    function _indexOfDocType(bytes32 docType) private returns (uint32 index) {
        index = _docTypeIndex[docType];
        if (index == 0) {
            _docTypeIds.push(docType);
            index = uint32(_docTypeIds.length);
            _docTypeIndex[docType] = index;
        }
    }
}
