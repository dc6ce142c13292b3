// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
contract Probe is AccessControl { constructor() { _grantRole(DEFAULT_ADMIN_ROLE, msg.sender); } }
