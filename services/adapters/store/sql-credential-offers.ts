/**
 * The CredentialOfferRecords port in one SQL text for both dialects (sql-client.ts). Single use is
 * enforced by the database, not by the caller: redeeming is one conditional UPDATE … RETURNING (only
 * one of two concurrent redemptions, on any instance, changes the row), a nonce is used up by one
 * DELETE whose row count says who got it.
 */
import type { CredentialOfferRecords, CredentialOfferState, OfferRedemption, StoredCredentialOffer, WalletAccessToken } from "../../ports.ts";
import type { SqlClient } from "./sql-client.ts";
import type { Row } from "./store-rows.ts";

function toOffer(row: Row): StoredCredentialOffer {
  return {
    id: String(row.id),
    documentId: String(row.document_id),
    department: String(row.department),
    configurationId: String(row.configuration_id),
    codeHash: String(row.code_hash),
    txCodeHash: row.tx_code_hash === null || row.tx_code_hash === undefined ? null : String(row.tx_code_hash),
    createdBy: String(row.created_by),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    state: String(row.state) as CredentialOfferState,
    txFailures: Number(row.tx_failures),
  };
}

function toToken(row: Row): WalletAccessToken {
  return {
    tokenHash: String(row.token_hash),
    offerId: String(row.offer_id),
    documentId: String(row.document_id),
    department: String(row.department),
    configurationId: String(row.configuration_id),
    createdBy: String(row.created_by),
    expiresAt: Number(row.expires_at),
  };
}

export class SqlCredentialOffers implements CredentialOfferRecords {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async createOffer(offer: Parameters<CredentialOfferRecords["createOffer"]>[0]): Promise<void> {
    await this.#sql.run(
      `INSERT INTO credential_offers (id, code_hash, tx_code_hash, document_id, department, configuration_id, created_by, created_at, expires_at, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'OFFERED')`,
      [
        offer.id,
        offer.codeHash,
        offer.txCodeHash,
        offer.documentId,
        offer.department,
        offer.configurationId,
        offer.createdBy,
        offer.createdAt,
        offer.expiresAt,
      ],
    );
  }

  async redeemOffer(codeHash: string, txCodeHash: string | null, now: number, maxTxFailures: number): Promise<OfferRedemption> {
    const [redeemed] = await this.#sql.all(
      `UPDATE credential_offers SET state = 'REDEEMED', redeemed_at = $3
        WHERE code_hash = $1 AND state = 'OFFERED' AND expires_at > $3 AND (tx_code_hash IS NULL OR tx_code_hash = $2)
        RETURNING *`,
      [codeHash, txCodeHash, now],
    );
    if (redeemed) return { outcome: "redeemed", offer: toOffer(redeemed) };
    const [row] = await this.#sql.all("SELECT * FROM credential_offers WHERE code_hash = $1", [codeHash]);
    if (!row) return { outcome: "unknown" };
    const offer = toOffer(row);
    if (offer.state === "REDEEMED") return { outcome: "used", offer };
    if (offer.state === "LOCKED") return { outcome: "locked", offer };
    if (offer.expiresAt <= now) return { outcome: "expired", offer };
    // Still OFFERED and in time: the transaction code was wrong (or missing). Counted in one statement,
    // so concurrent wrong guesses cannot share one count.
    const [failed] = await this.#sql.all(
      `UPDATE credential_offers SET tx_failures = tx_failures + 1,
              state = CASE WHEN tx_failures + 1 >= $2 THEN 'LOCKED' ELSE state END
        WHERE code_hash = $1 AND state = 'OFFERED' RETURNING *`,
      [codeHash, maxTxFailures],
    );
    if (!failed) {
      // Redeemed or locked by someone else in between.
      const [again] = await this.#sql.all("SELECT * FROM credential_offers WHERE code_hash = $1", [codeHash]);
      const latest = toOffer(again ?? row);
      return { outcome: latest.state === "LOCKED" ? "locked" : "used", offer: latest };
    }
    const counted = toOffer(failed);
    return { outcome: "wrong-tx-code", offer: counted, locked: counted.state === "LOCKED" };
  }

  async insertAccessToken(token: WalletAccessToken): Promise<void> {
    // Tokens live minutes: those that expired a day before this one can go (nothing reads them).
    await this.#sql.run("DELETE FROM wallet_access_tokens WHERE expires_at <= $1", [token.expiresAt - 86_400_000]);
    await this.#sql.run(
      `INSERT INTO wallet_access_tokens (token_hash, offer_id, document_id, department, configuration_id, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [token.tokenHash, token.offerId, token.documentId, token.department, token.configurationId, token.createdBy, token.expiresAt],
    );
  }

  async findAccessToken(tokenHash: string, now: number): Promise<WalletAccessToken | null> {
    const [row] = await this.#sql.all("SELECT * FROM wallet_access_tokens WHERE token_hash = $1 AND expires_at > $2", [tokenHash, now]);
    return row ? toToken(row) : null;
  }

  async insertNonce(nonceHash: string, now: number, expiresAt: number): Promise<void> {
    await this.#sql.run("DELETE FROM wallet_nonces WHERE expires_at <= $1", [now]);
    await this.#sql.run("INSERT INTO wallet_nonces (nonce_hash, expires_at) VALUES ($1, $2)", [nonceHash, expiresAt]);
  }

  async consumeNonce(nonceHash: string, now: number): Promise<boolean> {
    return (await this.#sql.run("DELETE FROM wallet_nonces WHERE nonce_hash = $1 AND expires_at > $2", [nonceHash, now])) === 1;
  }
}
