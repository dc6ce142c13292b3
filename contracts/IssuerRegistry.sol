// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";

/**
 * @title IssuerRegistry
 * @notice Who may issue what: departments (bilingual names, Active/Suspended), the document types each
 * may issue (with the schema hash), the fingerprints of their document-signing keys with validity
 * windows, and the chain accounts that anchor their batches.
 * @dev `DEFAULT_ADMIN_ROLE` is meant for a multisig or timelock and moves only in two steps after a
 * delay (AccessControlDefaultAdminRules); it grants and revokes roles. `REGISTRAR_ROLE` does the
 * day-to-day governance. All times are block times (unix seconds). Departments are keyed by `bytes32`
 * id (`encodeBytes32String(code)`); document types get a global 1-based index so that a batch record
 * fits in one storage slot of the DocumentRegistry. An account anchors for ONE department at most, so
 * a stolen anchoring key never reaches beyond its own department.
 */
contract IssuerRegistry is AccessControlDefaultAdminRules, IIssuerRegistry {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice A department as stored. The first slot (index, status, registeredAt) is what anchoring reads.
    /// @dev Packed by hand: the three fixed fields share one slot, each name takes its own.
    // solhint-disable-next-line gas-struct-packing
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
    mapping(address account => bytes32 department) private _anchorerDepartment;

    /**
     * @notice A department was registered.
     * @param department The department id.
     * @param index Its compact 1-based index.
     * @param nameEn Its English name.
     * @param nameZhHk Its Traditional Chinese name.
     */
    event DepartmentRegistered(bytes32 indexed department, uint32 index, string nameEn, string nameZhHk);
    /**
     * @notice A department was suspended: it can no longer anchor.
     * @param department The department id.
     */
    event DepartmentSuspended(bytes32 indexed department);
    /**
     * @notice A suspended department was reinstated.
     * @param department The department id.
     */
    event DepartmentReinstated(bytes32 indexed department);
    /**
     * @notice A department may issue a document type (again, or with a new schema).
     * @param department The department id.
     * @param docType The document type id.
     * @param schemaHash keccak256 of the type's canonical JSON schema.
     */
    event DocumentTypeGranted(bytes32 indexed department, bytes32 indexed docType, bytes32 schemaHash);
    /**
     * @notice A department may no longer issue a document type.
     * @param department The department id.
     * @param docType The document type id.
     */
    event DocumentTypeWithdrawn(bytes32 indexed department, bytes32 indexed docType);
    /**
     * @notice A document-signing key was registered.
     * @param department The department id.
     * @param fingerprint The key's RFC 7638 thumbprint.
     * @param validFrom First block time at which it may sign.
     * @param validUntil Block time from which it may no longer sign (0: open).
     */
    event SigningKeyRegistered(
        bytes32 indexed department, bytes32 indexed fingerprint, uint64 validFrom, uint64 validUntil
    );
    /**
     * @notice A signing key was retired as of a time not in the past.
     * @param department The department id.
     * @param fingerprint The key's thumbprint.
     * @param validUntil Block time from which it may no longer sign.
     */
    event SigningKeyRetired(bytes32 indexed department, bytes32 indexed fingerprint, uint64 validUntil);
    /**
     * @notice A signing key was reported compromised.
     * @param department The department id.
     * @param fingerprint The key's thumbprint.
     * @param compromisedAt Block time from which batches no longer verify with it.
     */
    event SigningKeyCompromised(bytes32 indexed department, bytes32 indexed fingerprint, uint64 compromisedAt);
    /**
     * @notice An account may anchor and change statuses for a department.
     * @param department The department id.
     * @param account The anchoring account.
     */
    event AnchorerAdded(bytes32 indexed department, address indexed account);
    /**
     * @notice An account may no longer anchor for a department.
     * @param department The department id.
     * @param account The anchoring account.
     */
    event AnchorerRemoved(bytes32 indexed department, address indexed account);

    /// @notice The zero address was given as an anchorer of `department`.
    /// @param department The department concerned.
    error IssuerRegistryZeroAnchorer(bytes32 department);
    /// @notice The zero department id was given.
    error IssuerRegistryZeroDepartment();
    /// @notice `department` is registered already.
    /// @param department The department id.
    error IssuerRegistryDepartmentAlreadyRegistered(bytes32 department);
    /// @notice `department` is not registered.
    /// @param department The department id.
    error IssuerRegistryUnknownDepartment(bytes32 department);
    /// @notice No department has compact index `index`.
    /// @param index The 1-based index asked for.
    error IssuerRegistryUnknownDepartmentIndex(uint32 index);
    /// @notice A department name is empty.
    /// @param department The department id.
    error IssuerRegistryEmptyName(bytes32 department);
    /// @notice `department` is already in the asked status.
    /// @param department The department id.
    /// @param suspended The status asked for.
    error IssuerRegistryDepartmentStatusUnchanged(bytes32 department, bool suspended);
    /// @notice The zero document type was given for `department`.
    /// @param department The department id.
    error IssuerRegistryZeroDocumentType(bytes32 department);
    /// @notice The zero schema hash was given.
    /// @param department The department id.
    /// @param docType The document type id.
    error IssuerRegistryZeroSchemaHash(bytes32 department, bytes32 docType);
    /// @notice The type is granted already with this schema.
    /// @param department The department id.
    /// @param docType The document type id.
    /// @param schemaHash The schema hash.
    error IssuerRegistryDocumentTypeAlreadyGranted(bytes32 department, bytes32 docType, bytes32 schemaHash);
    /// @notice The type is not currently granted.
    /// @param department The department id.
    /// @param docType The document type id.
    error IssuerRegistryDocumentTypeNotGranted(bytes32 department, bytes32 docType);
    /// @notice The zero key fingerprint was given.
    /// @param department The department id.
    error IssuerRegistryZeroFingerprint(bytes32 department);
    /// @notice The key is registered already.
    /// @param department The department id.
    /// @param fingerprint The key's thumbprint.
    error IssuerRegistrySigningKeyAlreadyRegistered(bytes32 department, bytes32 fingerprint);
    /// @notice The key is not registered.
    /// @param department The department id.
    /// @param fingerprint The key's thumbprint.
    error IssuerRegistryUnknownSigningKey(bytes32 department, bytes32 fingerprint);
    /// @notice The window would end at or before it starts, or be extended.
    /// @param department The department id.
    /// @param fingerprint The key's thumbprint.
    /// @param validFrom The window's start.
    /// @param validUntil The window's end asked for.
    error IssuerRegistryInvalidKeyWindow(bytes32 department, bytes32 fingerprint, uint64 validFrom, uint64 validUntil);
    /// @notice A key may not be valid from before the block of its registration.
    /// @param department The department id.
    /// @param fingerprint The key's thumbprint.
    /// @param validFrom The start asked for.
    /// @param blockTime The block time of the registration.
    error IssuerRegistrySigningKeyBackdated(bytes32 department, bytes32 fingerprint, uint64 validFrom, uint64 blockTime);
    /// @notice A key may not be retired as of a time in the past (use markSigningKeyCompromised).
    /// @param department The department id.
    /// @param fingerprint The key's thumbprint.
    /// @param validUntil The end asked for.
    /// @param blockTime The current block time.
    error IssuerRegistryRetirementInPast(bytes32 department, bytes32 fingerprint, uint64 validUntil, uint64 blockTime);
    /// @notice The key was reported compromised already.
    /// @param department The department id.
    /// @param fingerprint The key's thumbprint.
    /// @param compromisedAt The time reported then.
    error IssuerRegistrySigningKeyAlreadyCompromised(bytes32 department, bytes32 fingerprint, uint64 compromisedAt);
    /// @notice A compromise time of 0 was given.
    /// @param department The department id.
    /// @param fingerprint The key's thumbprint.
    error IssuerRegistryZeroCompromiseTime(bytes32 department, bytes32 fingerprint);
    /// @notice `account` anchors for `department` already.
    /// @param department The department id.
    /// @param account The account.
    error IssuerRegistryAnchorerAlreadyAdded(bytes32 department, address account);
    /// @notice `account` anchors for another department: an account anchors for one department only.
    /// @param department The department it was to be added to.
    /// @param account The account.
    /// @param anchorsFor The department it anchors for now.
    error IssuerRegistryAnchorerOfAnotherDepartment(bytes32 department, address account, bytes32 anchorsFor);
    /// @notice `account` does not anchor for `department`.
    /// @param department The department id.
    /// @param account The account.
    error IssuerRegistryUnknownAnchorer(bytes32 department, address account);

    modifier onlyRegistered(bytes32 department) {
        _requireRegistered(department);
        _;
    }

    /**
     * @notice Deploys the registry with `admin` holding `DEFAULT_ADMIN_ROLE` from the start, so that no
     * deployer key ever governs it, and `registrar` doing the day-to-day governance.
     * @param adminDelay Delay of a `DEFAULT_ADMIN_ROLE` handover, seconds (e.g. 2 days in production).
     * @param admin Holder of `DEFAULT_ADMIN_ROLE` (a multisig or timelock in production).
     * @param registrar Initial holder of `REGISTRAR_ROLE`, or the zero address for none.
     */
    constructor(uint48 adminDelay, address admin, address registrar) AccessControlDefaultAdminRules(adminDelay, admin) {
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
     * @param department The department id.
     * @param suspended True to suspend, false to reinstate.
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
     * @param department The department id.
     * @param docType The document type id (`encodeBytes32String("licence")`).
     * @param schemaHash keccak256 of the type's canonical JSON schema.
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

    /**
     * @notice Stops `department` from anchoring batches of `docType` from now on.
     * @param department The department id.
     * @param docType The document type id.
     */
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
     * @dev No backdating: a key registered now cannot make batches anchored before now valid.
     * @param department The department id.
     * @param fingerprint The key's thumbprint.
     * @param validFrom First block time at which the key may sign: 0 for this block's time, else not before it.
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
        uint64 blockTime = uint64(block.timestamp);
        if (validFrom == 0) validFrom = blockTime;
        if (validFrom < blockTime) revert IssuerRegistrySigningKeyBackdated(department, fingerprint, validFrom, blockTime);
        if (validUntil != 0 && validUntil <= validFrom) {
            revert IssuerRegistryInvalidKeyWindow(department, fingerprint, validFrom, validUntil);
        }
        _keys[department][fingerprint] =
            SigningKey({
                registered: true,
                validFrom: validFrom,
                validUntil: validUntil,
                compromisedAt: 0,
                registeredBlock: uint56(block.number)
            });
        _keyFingerprints[department].push(fingerprint);
        emit SigningKeyRegistered(department, fingerprint, validFrom, validUntil);
    }

    /**
     * @notice Retires a key as of `validUntil` (not in the past, so documents already issued stay valid).
     * @dev May shorten or set the window; use `markSigningKeyCompromised` to invalidate retroactively.
     * @param department The department id.
     * @param fingerprint The key's thumbprint.
     * @param validUntil Block time from which the key may no longer sign.
     */
    function retireSigningKey(bytes32 department, bytes32 fingerprint, uint64 validUntil)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        SigningKey storage key = _existingKey(department, fingerprint);
        if (validUntil < block.timestamp) {
            revert IssuerRegistryRetirementInPast(department, fingerprint, validUntil, uint64(block.timestamp));
        }
        if (validUntil <= key.validFrom || (key.validUntil != 0 && validUntil > key.validUntil)) {
            revert IssuerRegistryInvalidKeyWindow(department, fingerprint, key.validFrom, validUntil);
        }
        key.validUntil = validUntil;
        emit SigningKeyRetired(department, fingerprint, validUntil);
    }

    /**
     * @notice Marks a key compromised as of `compromisedAt` (may be in the past): documents anchored at
     * or after that block time no longer verify with it.
     * @param department The department id.
     * @param fingerprint The key's thumbprint.
     * @param compromisedAt Block time from which the key is not trusted (non-zero).
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

    /**
     * @notice Allows `account` to anchor batches and change statuses for `department`.
     * @dev An account anchors for one department only: give each department its own account.
     * @param department The department id.
     * @param account The anchoring account (not anchoring for any department yet).
     */
    function addAnchorer(bytes32 department, address account)
        external
        onlyRole(REGISTRAR_ROLE)
        onlyRegistered(department)
    {
        if (account == address(0)) revert IssuerRegistryZeroAnchorer(department);
        bytes32 anchorsFor = _anchorerDepartment[account];
        if (anchorsFor == department) revert IssuerRegistryAnchorerAlreadyAdded(department, account);
        if (anchorsFor != bytes32(0)) revert IssuerRegistryAnchorerOfAnotherDepartment(department, account, anchorsFor);
        _anchorerDepartment[account] = department;
        _anchorers[department].add(account);
        emit AnchorerAdded(department, account);
    }

    /**
     * @notice Withdraws `account`'s right to anchor for `department`.
     * @param department The department id.
     * @param account The anchoring account.
     */
    function removeAnchorer(bytes32 department, address account)
        external
        onlyRole(REGISTRAR_ROLE)
        onlyRegistered(department)
    {
        if (!_anchorers[department].remove(account)) revert IssuerRegistryUnknownAnchorer(department, account);
        delete _anchorerDepartment[account];
        emit AnchorerRemoved(department, account);
    }

    // ---------------------------------------------------------------- views

    /**
     * @notice A department's record.
     * @param department The department id.
     * @return The record (status Unregistered and index 0 when unknown).
     */
    function departmentRecord(bytes32 department) external view returns (Department memory) {
        return _departments[department];
    }

    /**
     * @notice Number of registered departments (indexes run from 1 to this).
     * @return The count.
     */
    function departmentCount() external view returns (uint32) {
        return uint32(_departmentIds.length);
    }

    /**
     * @notice The document type with compact index `index`.
     * @param index The 1-based index.
     * @return The type id, or zero when unknown.
     */
    function docTypeIdAt(uint32 index) external view returns (bytes32) {
        return index == 0 || index > _docTypeIds.length ? bytes32(0) : _docTypeIds[index - 1];
    }

    /**
     * @notice The grant of `docType` to `department`.
     * @param department The department id.
     * @param docType The document type id.
     * @return The grant (all zero when never granted).
     */
    function documentType(bytes32 department, bytes32 docType) external view returns (TypeGrant memory) {
        return _grants[department][docType];
    }

    /**
     * @notice Every document type ever granted to `department` (see `documentType` for the window).
     * @param department The department id.
     * @return The type ids, in order of first grant.
     */
    function documentTypes(bytes32 department) external view returns (bytes32[] memory) {
        return _grantedTypes[department];
    }

    /**
     * @notice The window of a signing key.
     * @param department The department id.
     * @param fingerprint The key's thumbprint.
     * @return The window (`registered` false when unknown).
     */
    function signingKey(bytes32 department, bytes32 fingerprint) external view returns (SigningKey memory) {
        return _keys[department][fingerprint];
    }

    /**
     * @notice Every key fingerprint ever registered for `department`.
     * @param department The department id.
     * @return The thumbprints, in registration order.
     */
    function signingKeys(bytes32 department) external view returns (bytes32[] memory) {
        return _keyFingerprints[department];
    }

    /**
     * @notice The accounts currently anchoring for `department`.
     * @param department The department id.
     * @return The accounts.
     */
    function anchorers(bytes32 department) external view returns (address[] memory) {
        return _anchorers[department].values();
    }

    /**
     * @notice The department `account` anchors for.
     * @param account The account.
     * @return The department id, or zero when it anchors for none.
     */
    function anchorerDepartment(address account) external view returns (bytes32) {
        return _anchorerDepartment[account];
    }

    /// @inheritdoc IIssuerRegistry
    function isAnchorer(bytes32 department, address account) external view returns (bool) {
        return department != bytes32(0) && _anchorerDepartment[account] == department;
    }

    /// @inheritdoc IIssuerRegistry
    function anchorContext(bytes32 department, bytes32 docType, address account)
        external
        view
        returns (AnchorContext memory context)
    {
        TypeGrant storage grant = _grants[department][docType];
        context.departmentActive = _departments[department].status == DepartmentStatus.Active;
        context.anchorer = department != bytes32(0) && _anchorerDepartment[account] == department;
        context.typeGranted = grant.grantedAt != 0 && grant.withdrawnAt == 0;
        context.docTypeIndex = grant.docTypeIndex;
    }

    /// @inheritdoc IIssuerRegistry
    function issuerContext(bytes32 department, uint32 docTypeIndex, bytes32 keyFingerprint)
        external
        view
        returns (IssuerContext memory context)
    {
        DepartmentStatus status = _departments[department].status;
        context.departmentRegistered = status != DepartmentStatus.Unregistered;
        context.departmentSuspended = status == DepartmentStatus.Suspended;
        if (docTypeIndex != 0 && docTypeIndex <= _docTypeIds.length) {
            bytes32 docType = _docTypeIds[docTypeIndex - 1];
            TypeGrant storage grant = _grants[department][docType];
            context.docType = docType;
            context.typeGrantedAt = grant.grantedAt;
            context.typeWithdrawnAt = grant.withdrawnAt;
        }
        context.key = _keys[department][keyFingerprint];
    }

    // ---------------------------------------------------------------- public

    /**
     * @notice The id of the department with compact index `index`.
     * @param index The 1-based index.
     * @return The department id.
     */
    function departmentIdAt(uint32 index) public view returns (bytes32) {
        if (index == 0 || index > _departmentIds.length) revert IssuerRegistryUnknownDepartmentIndex(index);
        return _departmentIds[index - 1];
    }

    // ---------------------------------------------------------------- private

    function _requireRegistered(bytes32 department) private view {
        if (_departments[department].status == DepartmentStatus.Unregistered) {
            revert IssuerRegistryUnknownDepartment(department);
        }
    }

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
