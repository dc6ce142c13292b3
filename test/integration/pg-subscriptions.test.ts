import { PgSubscriptions } from "../../services/adapters/store/pg-subscriptions.ts";
import type { Subscriptions } from "../../services/ports.ts";
import { createTestSchema } from "./pg-test-db.ts";
import { subscriptionsPortContract } from "./subscriptions-port-contract.ts";

// The local PostgreSQL of the test machine (see pg-test-db.ts); a schema of its own per test.
subscriptionsPortContract("PostgreSQL subscriptions and delivery queue", async () => {
  const schema = await createTestSchema();
  const opened: Subscriptions[] = [await PgSubscriptions.connect(schema.url)];
  return {
    subscriptions: opened[0] as Subscriptions,
    async reopen() {
      const again = await PgSubscriptions.connect(schema.url);
      opened.push(again);
      return again;
    },
    async close() {
      for (const s of opened) await s.close();
      await schema.drop();
    },
  };
});
