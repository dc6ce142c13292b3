/**
 * solhint for contracts/ (`npm run check` runs it with --max-warnings 0: every finding fails the check).
 * A JS config so that each deviation from solhint:recommended can say why. Node 24 loads this ES module
 * through solhint's require(); the string export below makes it the CommonJS `module.exports` value.
 */
const config = {
  extends: "solhint:recommended",
  rules: {
    // NatSpec, as an error: @title + @notice on every contract and interface; @notice, one @param per
    // parameter and @return on every external/public function and every event; @notice on public state.
    // @author is off: authorship lives in git. The rule does not look at custom errors or unnamed
    // return values; test/contracts/natspec.test.ts checks those from the compiler's AST.
    "use-natspec": ["error", { author: { enabled: false } }],
    // Constructors have had no visibility since Solidity 0.7.
    "func-visibility": ["error", { ignoreConstructors: true }],
    // OpenZeppelin 5 style: immutables are named like variables (`issuerRegistry`, a public getter the
    // services call), not like constants.
    "immutable-vars-naming": ["error", { immutablesAsConstants: false }],
    // OpenZeppelin 5 style: private and internal state and functions start with an underscore.
    "private-vars-leading-underscore": ["error", { strict: false }],
    "no-unused-private-funcs": "error",
    "no-unused-import": "error",
    "no-unused-vars": ["error", { validateParameters: true }],
    "gas-custom-errors": "error",
    // Every event indexes what the chain follower and verifiers filter on (department, root,
    // documentId, docType, account). Indexing times, counts and statuses too would add a topic to
    // every anchoring and status change for queries nobody makes.
    "gas-indexed-events": "off",
    // Key and grant windows are half-open [from, until): `<` and `>=` say exactly that; a ±1 rewrite
    // to strict comparisons would hide the rule to save 3 gas.
    "gas-strict-inequalities": "off",
    // The house order is OpenZeppelin's (types, state, events, errors, modifiers, constructor, then
    // functions by visibility, grouped by topic under section comments). solhint's `ordering` also
    // sorts by mutability inside a visibility, which would break the topic groups; it is not in
    // solhint:recommended and stays off.
  },
};

export { config as "module.exports" };
