import { afterAll, beforeAll } from "vitest";
import { PgSubscriptions } from "../../services/adapters/store/pg-subscriptions.ts";
import type { Subscriptions } from "../../services/ports.ts";
import { type LocalPostgres, postgresInstalled, startLocalPostgres } from "./local-postgres.ts";
import { subscriptionsPortContract } from "./subscriptions-port-contract.ts";

let server: LocalPostgres | undefined;
let databases = 0;

beforeAll(async () => {
  if (postgresInstalled) server = await startLocalPostgres();
});

afterAll(() => {
  server?.stop();
});

if (postgresInstalled) {
  subscriptionsPortContract("PostgreSQL subscriptions and delivery queue", async () => {
    if (!server) throw new Error("postgres did not start");
    // A fresh database per test, so each test states its own facts.
    const admin = await PgSubscriptions.connect(server.url);
    const name = `subs_${process.pid}_${++databases}`;
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    await admin.close();
    const url = server.url.replace(/\/postgres$/, `/${name}`);
    const opened: Subscriptions[] = [await PgSubscriptions.connect(url)];
    return {
      subscriptions: opened[0] as Subscriptions,
      async reopen() {
        const again = await PgSubscriptions.connect(url);
        opened.push(again);
        return again;
      },
      async close() {
        for (const s of opened) await s.close();
      },
    };
  });
}
