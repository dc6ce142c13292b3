import type pg from "pg";
import { openPgPool } from "../../services/adapters/store/pg-database.ts";
import { PgSubscriptions } from "../../services/adapters/store/pg-subscriptions.ts";
import { createTestSchema } from "./pg-test-db.ts";
import { subscriptionsPortContract } from "./subscriptions-port-contract.ts";

// The local PostgreSQL of the test machine (see pg-test-db.ts); a schema of its own per test. Each
// "instance" is a pool of its own, migrated as the service's is, with PgSubscriptions on it.
subscriptionsPortContract("PostgreSQL subscriptions and delivery queue", async () => {
  const schema = await createTestSchema();
  const pools: pg.Pool[] = [await openPgPool({ connectionString: schema.url, maxConnections: 4 })];
  return {
    subscriptions: new PgSubscriptions(pools[0] as pg.Pool),
    async reopen() {
      const pool = await openPgPool({ connectionString: schema.url, maxConnections: 4 });
      pools.push(pool);
      return new PgSubscriptions(pool);
    },
    async close() {
      for (const pool of pools) await pool.end();
      await schema.drop();
    },
  };
});
