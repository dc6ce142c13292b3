/**
 * The error base and its codes live in the domain (services/domain/errors.ts), which throws them;
 * this is where the other layers import them from.
 */
export * from "./domain/errors.ts";
