/**
 * The composition root: reads the configuration, builds every adapter once, wires the use cases
 * and starts the HTTP server and the anchoring worker. `npm start` runs this file.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { Wallet } from "ethers";
import type pg from "pg";
import { BlockPinnedReads } from "./adapters/chain/block-pinned-reads.ts";
import { chainProbe } from "./adapters/chain/chain-probe.ts";
import { EthersChainEvents } from "./adapters/chain/ethers-chain-events.ts";
import { custodyAccounts, EthersLedger } from "./adapters/chain/ethers-ledger.ts";
import { Governance } from "./adapters/chain/governance.ts";
import { quietBlocks } from "./adapters/chain/quiet-blocks.ts";
import { createFailoverProvider } from "./adapters/chain/rpc-provider.ts";
import { apiKeySecrets } from "./adapters/http/api-key-secrets.ts";
import { createApp } from "./adapters/http/app.ts";
import { invalidateApiKeyCache } from "./adapters/http/auth.ts";
import { failOpen } from "./adapters/http/counter-store.ts";
import type { HttpDeps } from "./adapters/http/http-deps.ts";
import { createMetrics } from "./adapters/http/metrics.ts";
import { createSubscriptionMetrics } from "./adapters/http/subscription-metrics.ts";
import { guardedWebhookTransport } from "./adapters/http/webhook-transport.ts";
import { documentPdfs } from "./adapters/pdf/document-pdf-input.ts";
import { qrRenderer } from "./adapters/qr/qr-code.ts";
import { pooledRandom } from "./adapters/random/pooled-random.ts";
import { loadOrCreateCustodyKey } from "./adapters/signing/custody-key.ts";
import { es256 } from "./adapters/signing/es256.ts";
import { IssuanceWorkers } from "./adapters/signing/issuance-workers.ts";
import { StoreKeyCustody } from "./adapters/signing/key-custody.ts";
import { KeyDirectory } from "./adapters/signing/key-directory.ts";
import { NotificationKey } from "./adapters/signing/notification-key.ts";
import { proofJwtVerifier } from "./adapters/signing/proof-jwt.ts";
import { VerificationWorkers } from "./adapters/signing/verification-workers.ts";
import { groupCommittedAudit, groupCommittedInserts } from "./adapters/store/group-commit.ts";
import { InProcessLocks } from "./adapters/store/in-process-locks.ts";
import { openPgPool } from "./adapters/store/pg-database.ts";
import { PgLocks } from "./adapters/store/pg-locks.ts";
import { PgStore } from "./adapters/store/pg-store.ts";
import { PgSubscriptions } from "./adapters/store/pg-subscriptions.ts";
import { memoryCounters, pgCounters } from "./adapters/store/rate-limit-counters.ts";
import type { SqlStore } from "./adapters/store/sql-store.ts";
import { SqliteStore } from "./adapters/store/sqlite-store.ts";
import { SqliteSubscriptions } from "./adapters/store/sqlite-subscriptions.ts";
import { type Config, loadConfig, type TrustedRegistry } from "./config.ts";
import { currentRegistrySince, type TrustList, trustListOf } from "./domain/trust-list.ts";
import { type EmbeddedChain, startSupervisedAnvil } from "./embedded/anvil-process.ts";
import { bootstrapEmbedded, DEMO_DEPARTMENT, fundOnDevChain } from "./embedded/dev-bootstrap.ts";
import { EProofError, isEProofError } from "./errors.ts";
import { createLogger, type Logger } from "./logger.ts";
import type { Clock, DepartmentPolicies, Hex, Locks, Subscriptions } from "./ports.ts";
import { Administration } from "./use-cases/administer.ts";
import { AnchoringWorker } from "./use-cases/anchor-batches.ts";
import { BackgroundLoop } from "./use-cases/background-loop.ts";
import { checkHealth } from "./use-cases/check-health.ts";
import { CredentialExporter } from "./use-cases/credential-exports.ts";
import { WebhookDispatcher } from "./use-cases/deliver-webhooks.ts";
import { DepartmentDirectory } from "./use-cases/department-directory.ts";
import { anchorOf } from "./use-cases/document-files.ts";
import { ChainFollower } from "./use-cases/follow-chain-events.ts";
import { ChainIssuanceGate } from "./use-cases/issuance-gate.ts";
import { WalletIssuance } from "./use-cases/issue-to-wallet.ts";
import { StatusLists } from "./use-cases/publish-status-lists.ts";
import { withTimeout } from "./with-timeout.ts";

export interface RunningService {
  url: string;
  rpcUrl: string;
  trust: TrustList;
  issuerRegistry: Hex;
  /** The instance's database: each use case and adapter below is given only the ports of it that it needs. */
  store: SqlStore;
  /** The instance's one PostgreSQL pool, which every PostgreSQL adapter uses (null on SQLite). */
  databasePool: pg.Pool | null;
  ledger: EthersLedger;
  /** The officer role's parts: null on an instance without it. */
  worker: AnchoringWorker | null;
  subscriptions: Subscriptions | null;
  follower: ChainFollower | null;
  dispatcher: WebhookDispatcher | null;
  /** The key custody (officer and admin roles), null on a public instance. */
  custody: StoreKeyCustody | null;
  /** The credential exports (SD-JWT VC, VC-JWT) of stored documents; null on a public instance. */
  credentialExports: CredentialExporter | null;
  /** The embedded chain (anvil), or null on an external chain. */
  embeddedChain: EmbeddedChain | null;
  /** The departments' status lists: documents' places (StatusListPositions, for the exports) and the signed lists. */
  statusLists: StatusLists;
  stop(): Promise<void>;
}

/**
 * The one shutdown list: each component registers how to stop it as soon as it has started, and
 * stop() and a failed start both run the list in reverse order of start. So the start order in
 * wire() is the shutdown order read backwards: embedded chain, the PostgreSQL pool (ended last of the
 * database users), store, subscriptions, provider, custody, dispatcher, follower, worker, HTTP server (the
 * server closes first, the embedded chain last).
 */
class StartedComponents {
  readonly #stops: Array<() => unknown> = [];

  /** Registers how to stop what has just started. */
  add(stop: () => unknown): void {
    this.#stops.push(stop);
  }

  /** Stops everything, last started first. Every stop runs even when one fails; the first failure is thrown after. */
  async stopAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const stop of this.#stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

/** Publication policies read at most every few seconds per department (a verify answer asks only when a status check failed). */
function cachedPolicies(policies: DepartmentPolicies): Pick<DepartmentPolicies, "publishableReasonCodes"> & { invalidate(): void } {
  const cache = new Map<string, { codes: number[]; until: number }>();
  return {
    invalidate: () => cache.clear(),
    async publishableReasonCodes(department) {
      const hit = cache.get(department);
      if (hit && hit.until > Date.now()) return hit.codes;
      const codes = await policies.publishableReasonCodes(department);
      cache.set(department, { codes, until: Date.now() + 5_000 });
      return codes;
    },
  };
}

/**
 * Parts built outside this file. `credentialExports` makes the SD-JWT VC export that OpenID4VCI's
 * credential endpoint hands out (the issue 15 export, wired here at merge; tests give a stand-in).
 * Without it the wallet flow runs up to the token and the credential endpoint says it cannot issue.
 */
export async function startEProof(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningService> {
  const started = new StartedComponents();
  try {
    return await wire(config, logger, started);
  } catch (error) {
    // Undo what did start (the embedded chain above all), so a failed start leaves no process behind.
    await started.stopAll().catch(() => undefined);
    throw error;
  }
}

async function wire(config: Config, logger: Logger, started: StartedComponents): Promise<RunningService> {
  const officer = config.roles.has("officer");
  const holdsKeys = officer || config.roles.has("admin");
  // The embedded chain starts first so that it stops last: everything else may still need it while stopping.
  let embedded: EmbeddedChain | null = null;
  if (config.chain.kind === "embedded") {
    if (!holdsKeys) throw new EProofError("CONFIG_INVALID", "the embedded chain is started by an officer instance");
    const chain = await startSupervisedAnvil({ dataDir: config.dataDir, port: config.chain.port, chainId: config.chain.chainId, logger });
    embedded = chain;
    started.add(() => chain.stop());
  }
  // PostgreSQL when configured (several instances may share it, coordinated by its locks);
  // otherwise the embedded SQLite file, owned by this one process.
  // On PostgreSQL one pool serves every adapter of the instance (store, locks, subscriptions, rate-limit
  // counters), so an instance holds at most its pool's connections; it is ended after all of them stopped.
  const pool = config.databaseUrl ? await openPgPool({ connectionString: config.databaseUrl }) : null;
  if (pool) started.add(() => pool.end());
  const sqlitePath = join(config.dataDir, "eproof.sqlite");
  const store: SqlStore = pool ? new PgStore(pool) : new SqliteStore(sqlitePath);
  started.add(() => store.close());
  const locks: Locks = pool ? new PgLocks(pool) : new InProcessLocks();
  // On PostgreSQL the rate limits are shared by every instance; a database hiccup lets requests through.
  const rateLimitCounters = pool ? failOpen(pgCounters(pool), logger) : memoryCounters();
  // Webhooks are the officer role's: the follower signs notifications with a private key.
  const subscriptions: Subscriptions | null = !officer ? null : pool ? new PgSubscriptions(pool) : new SqliteSubscriptions(sqlitePath);
  if (subscriptions) started.add(() => subscriptions.close());
  const notificationKey = officer ? await NotificationKey.loadOrCreate(join(config.dataDir, "webhook-key", "notification-signing.private.jwk.json")) : null;
  // The departments' signing keys and anchoring accounts, shared by every officer instance through the
  // store and sealed there under the custody key. A public instance holds none.
  const custody = holdsKeys
    ? new StoreKeyCustody({
        records: store,
        kek: loadOrCreateCustodyKey({ value: config.custodyKey, filePath: join(config.dataDir, "custody.key") }),
        logger,
      })
    : null;
  if (custody) {
    await custody.importLegacyKeyFiles(join(config.dataDir, "keys"));
    await custody.refresh();
  }
  // Issuance validates, builds and signs batches on worker threads.
  const builder = officer && custody && config.issuanceThreads > 0 ? new IssuanceWorkers({ keys: custody, threads: config.issuanceThreads }) : null;
  if (builder) {
    started.add(() => builder.close());
    // The threads start and compile their code now, beside the start-up: the first batch pays none of it.
    builder.ready().catch((error: unknown) => logger.warn({ event: "issuance.warm-up-failed", err: error }, "the issuance threads could not warm up"));
  }
  // Every instance serves the verify API: its threads start now, beside the start-up (the event loop verifies until they are up).
  const verification = config.verifyThreads > 0 ? new VerificationWorkers(config.verifyThreads) : null;
  if (verification) {
    started.add(() => verification.close());
    verification
      .ready()
      .catch((error: unknown) => logger.warn({ event: "verification.threads-failed", err: error }, "the verification threads could not start"));
  }
  let rpcUrls: string[];
  let documentRegistry: Hex;
  let issuerRegistry: Hex;
  let governanceKey: string | undefined;
  let earlierRegistries: TrustedRegistry[] = [];
  let fundAnchorer: ((account: Hex) => Promise<void>) | undefined;
  if (config.chain.kind === "embedded") {
    if (!custody || !embedded) throw new EProofError("CONFIG_INVALID", "the embedded chain is started by an officer instance");
    rpcUrls = [embedded.rpcUrl];
    const deployment = await bootstrapEmbedded({
      rpcUrl: embedded.rpcUrl,
      chainId: config.chain.chainId,
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      store,
      custody,
      logger,
    });
    ({ documentRegistry, issuerRegistry } = deployment);
    governanceKey = deployment.adminKey;
    const rpcUrl = embedded.rpcUrl;
    fundAnchorer = (account) => fundOnDevChain(rpcUrl, config.chain.chainId, account);
  } else {
    rpcUrls = config.chain.rpcUrls;
    ({ documentRegistry, issuerRegistry, governanceKey, earlierRegistries } = config.chain);
  }

  const chainId = config.chain.chainId;
  // Reads and writes fail over between the configured endpoints (failover-provider.ts).
  const provider = createFailoverProvider(rpcUrls, chainId);
  started.add(() => provider.destroy());
  const rpcUrl = rpcUrls[0] ?? "";
  // A chain that cannot be reached now is checked again by every write and read; an endpoint that
  // answers with another id is the wrong chain, and the service refuses to start on it.
  for (const endpoint of await provider.chainIds()) {
    if (endpoint.chainId === null) {
      logger.warn(
        { event: "chain.unreachable_at_start", rpcUrl: endpoint.url },
        "cannot read the chain id of this endpoint now; starting anyway, documents stay queued until the chain answers",
      );
    } else if (endpoint.chainId !== chainId) {
      throw new EProofError("CONFIG_INVALID", `the chain at ${endpoint.url} has chain id ${endpoint.chainId}, but EPROOF_CHAIN_ID is ${chainId}`);
    }
  }
  const gasPrice = config.chain.kind === "external" ? config.chain.gasPrice : undefined;
  if (custody && config.chain.kind === "external") {
    for (const [department, key] of Object.entries(config.chain.anchorKeys)) await custody.importAnchoringKey(department, key);
  }
  if (custody) {
    // Watches for key changes made through other instances; stopped before the provider and the store.
    custody.start();
    started.add(() => custody.stop());
  }
  const accounts = officer && custody ? custodyAccounts(custody, provider) : undefined;
  // The verify API's reads, pinned to the chain head and kept for that block; whatever this instance
  // sees change on chain (its own transactions, governance, status events the follower reads) starts
  // them afresh. Other instances' changes show within EPROOF_VERIFY_HEAD_MS of their block.
  let verifyReads: BlockPinnedReads | null = null;
  const onChainChanged = () => verifyReads?.invalidate();
  const ledger = new EthersLedger({ provider, ...(accounts ? { accounts } : {}), documentRegistry, chainId, gasPrice, locks, onMined: onChainChanged });
  // Answers cross to a new block when it changed no record (only new anchorings: under load, most blocks).
  const carry = quietBlocks(ledger, {
    current: documentRegistry,
    earlier: earlierRegistries.map((r) => r.registry),
    issuerRegistries: [issuerRegistry, ...earlierRegistries.map((r) => r.issuerRegistry)],
  });
  verifyReads = config.verifyHeadMs > 0 ? new BlockPinnedReads(ledger, { freshMs: config.verifyHeadMs, carry }) : null;
  const clock: Clock = { now: () => Date.now() };
  const random = pooledRandom();
  // Reads of the IssuerRegistry need no account; writes (the admin API) need the governance account.
  const registryReader = Governance.reader(provider, issuerRegistry);
  // Department names as the chain records them (verify answers, public status, PDF headings).
  const departments = new DepartmentDirectory(registryReader, {
    clock,
    known: [[DEMO_DEPARTMENT.code, DEMO_DEPARTMENT.name]],
    onError: (error) =>
      logger.warn(
        { event: "departments.refresh_failed", reason: error instanceof Error ? error.message.slice(0, 200) : String(error) },
        "could not read department names from the chain; codes are shown until it answers",
      ),
  });
  // Names are ready before the first verification unless the chain is slow or away (then they follow).
  await withTimeout(departments.refresh(), 2_000).catch(() => undefined);
  const gate = new ChainIssuanceGate({
    governance: registryReader,
    store,
    keys: custody ?? { currentSigningKey: async () => undefined },
    now: clock.now,
    onDepartment: (code, name) => departments.learn(code, name),
  });
  const keyDirectory = new KeyDirectory(store);
  const policies = cachedPolicies(store);
  const governance = config.roles.has("admin") && governanceKey ? new Governance(new Wallet(governanceKey, provider), issuerRegistry, { gasPrice }) : null;
  if (governance && config.chain.kind === "external" && config.chain.anchorFundingWei > 0n) {
    const wei = config.chain.anchorFundingWei;
    fundAnchorer = (account) => governance.fund(account, wei);
  }
  const administration =
    governance && custody
      ? new Administration({
          governance,
          apiKeyRecords: store,
          signingKeyMirror: store,
          audit: store.audit,
          policies: store,
          keys: custody,
          apiKeys: apiKeySecrets,
          random,
          signatures: es256,
          ...(fundAnchorer ? { fundAnchorer } : {}),
          onGovernanceChanged: () => {
            onChainChanged();
            gate.invalidate();
            keyDirectory.invalidate();
            policies.invalidate();
            void departments.refresh();
          },
          onApiKeyRevoked: invalidateApiKeyCache,
        })
      : null;
  const metrics = createMetrics(() => store.countUnanchored());
  const trust: TrustList = trustListOf(chainId, documentRegistry, issuerRegistry, earlierRegistries);
  const worker = officer
    ? new AnchoringWorker(
        { store, ledger, clock, logger, locks, onAnchored: () => metrics.batchesAnchored.inc() },
        {
          batchSize: config.anchoring.batchSize,
          maxWaitMs: config.anchoring.maxWaitMs,
          watchMs: config.anchoring.watchMs,
          currentSince: currentRegistrySince(trust),
        },
      )
    : null;
  const subscriptionMetrics = createSubscriptionMetrics(metrics.registry);
  const dispatcher = subscriptions
    ? new WebhookDispatcher(
        {
          subscriptions,
          transport: guardedWebhookTransport({ allowPrivateAddresses: config.subscriptions.allowPrivateWebhooks }),
          clock,
          random,
          logger,
          onAttempt: (outcome) => subscriptionMetrics.webhookAttempts.inc({ outcome }),
        },
        {
          policy: {
            baseDelayMs: config.subscriptions.retryBaseMs,
            maxDelayMs: config.subscriptions.retryMaxDelayMs,
            maxAttempts: config.subscriptions.maxAttempts,
          },
        },
      )
    : null;
  const follower =
    subscriptions && notificationKey && dispatcher
      ? new ChainFollower(
          {
            events: new EthersChainEvents({ provider, documentRegistries: (trust.registries ?? []).map((r) => r.registry) }),
            store,
            subscriptions,
            signer: notificationKey,
            clock,
            logger,
            trust,
            issuer: config.publicUrl,
            onQueued: () => dispatcher.poke(),
            onProgress: (block, events) => {
              if (events > 0) onChainChanged();
              subscriptionMetrics.followerBlock.set(block);
              subscriptionMetrics.chainStatusEvents.inc(events);
            },
          },
          { pollMs: config.subscriptions.followPollMs, graceMs: config.subscriptions.followGraceMs, startBlock: config.subscriptions.followFromBlock },
        )
      : null;

  // Status lists (issue 15): an instance with department keys signs them, and its loop, every 2 s, gives the
  // documents issued since a place, then signs again every list whose statuses or places changed, into the
  // shared store; a public instance serves what it finds stored.
  const statusLists = new StatusLists({ records: store, ...(custody ? { signer: custody } : {}), clock, random, publicUrl: config.publicUrl, logger });
  const statusListLoop = custody
    ? new BackgroundLoop(async () => {
        // Placing and signing fail apart: a list still follows the statuses while places cannot be given.
        try {
          await statusLists.placeNew();
        } catch (error) {
          logger.warn(
            { event: "status_lists.place_failed", reason: error instanceof Error ? error.message.slice(0, 200) : String(error) },
            "could not give new documents their status list places; trying again (an export still places its document)",
          );
        }
        try {
          await statusLists.refreshAll();
        } catch (error) {
          logger.warn(
            { event: "status_lists.refresh_failed", reason: error instanceof Error ? error.message.slice(0, 200) : String(error) },
            "could not refresh the status lists; trying again",
          );
        }
        return 2_000;
      })
    : null;

  // The SD-JWT VC and VC-JWT exports (also the OpenID4VCI credential endpoint's, through the CredentialExports port).
  const credentialExports = custody
    ? new CredentialExporter({
        store,
        signer: custody,
        keys: custody,
        trust,
        clock,
        publicUrl: config.publicUrl,
        anchorWaitMs: config.anchoring.downloadWaitMs,
        statusLists,
      })
    : null;

  const probe = chainProbe(provider);
  const health = () => checkHealth({ chain: probe, chainId, store, logger });

  // OpenID4VCI: on an officer instance, which holds the department keys the credential is signed with.
  const walletIssuance =
    officer && custody
      ? new WalletIssuance({
          offers: store.credentialOffers,
          documents: store,
          ...(credentialExports ? { exports: credentialExports } : {}),
          proofs: proofJwtVerifier,
          audit: store.audit,
          clock,
          random,
          publicUrl: config.publicUrl,
          settings: {
            offerTtlMs: config.openid4vci.offerTtlSeconds * 1000,
            tokenTtlMs: config.openid4vci.tokenTtlSeconds * 1000,
            nonceTtlMs: config.openid4vci.nonceTtlSeconds * 1000,
            maxTxFailures: config.openid4vci.txCodeMaxTries,
          },
        })
      : null;

  // On PostgreSQL the requests' small writes are group-committed (group-commit.ts): the single issuances,
  // and the audit entries of the officer actions, that arrive while one is being written share its next
  // transaction. SQLite writes synchronously: there is never a write in flight to join.
  const issuanceStore = pool ? groupCommittedInserts(store) : store;
  const requestAudit = pool ? groupCommittedAudit(store.audit) : store.audit;
  const deps: HttpDeps = {
    config,
    store,
    ledger,
    ...(verifyReads ? { verifyReads } : {}),
    ...(verification ? { chainFree: (input: unknown, now: number) => verification.check(input, now) } : {}),
    trust,
    clock,
    logger,
    metrics,
    keys: keyDirectory,
    pdfReader: documentPdfs(config.publicUrl),
    signatures: es256,
    departmentName: (code) => departments.name(code),
    ...(worker ? { onAnchorMissing: () => worker.reconcileSoon() } : {}),
    health,
    policies,
    audit: requestAudit,
    ...(officer && custody && worker && credentialExports
      ? {
          officer: {
            issuance: { store: issuanceStore, signer: custody, clock, random, gate, ...(builder ? { builder } : {}) },
            statusDeps: { store, ledger, clock, registryOf: (document) => anchorOf(document, trust)?.registry },
            onAccepted: () => worker.poke(),
            qr: qrRenderer,
            pdf: documentPdfs(config.publicUrl),
            exports: credentialExports,
          },
        }
      : {}),
    ...(administration ? { admin: { administration } } : {}),
    ...(walletIssuance ? { wallet: { issuance: walletIssuance, qr: qrRenderer } } : {}),
    ...(subscriptions && notificationKey
      ? { webhooks: { subscriptions, jwks: () => notificationKey.jwks(), random, allowPrivateAddresses: config.subscriptions.allowPrivateWebhooks } }
      : {}),
    rateLimitCounters,
    statusLists,
  };
  const app = createApp(deps);
  // Started in reverse of the stop order (worker, follower, dispatcher), before the server opens its port.
  if (dispatcher) {
    dispatcher.start();
    started.add(() => dispatcher.stop());
  }
  if (follower) {
    follower.start();
    started.add(() => follower.stop());
  }
  if (worker) {
    worker.start();
    started.add(() => worker.stop());
  }
  if (statusListLoop) {
    statusListLoop.start();
    started.add(() => statusListLoop.stop());
  }
  const server: Server = await new Promise((resolve, reject) => {
    // Node checks the request and header timeouts only every connectionsCheckingInterval (30 s by
    // default): checked more often, a slow client (slowloris) is cut off close to the limit.
    const s = createServer(
      {
        requestTimeout: config.abuse.requestTimeoutMs,
        headersTimeout: config.abuse.headersTimeoutMs,
        connectionsCheckingInterval: Math.min(1_000, config.abuse.headersTimeoutMs),
      },
      app,
    );
    s.listen(config.port, "0.0.0.0", () => resolve(s));
    s.once("error", reject);
  });
  // Started last, so closed first: no new request reaches a component that is stopping.
  started.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests in flight get a few seconds; keep-alive connections of a browser left open after
        // that would otherwise hold the shutdown for as long as the client keeps them.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  );
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info(
    { event: "service.started", port, chainId, documentRegistry, roles: [...config.roles] },
    `e-Proof listening on http://localhost:${port} (${[...config.roles].join(", ")})`,
  );

  let stopping: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    rpcUrl,
    trust,
    issuerRegistry,
    store,
    databasePool: pool,
    ledger,
    worker,
    subscriptions,
    follower,
    dispatcher,
    custody,
    credentialExports,
    embeddedChain: embedded,
    statusLists,
    stop() {
      stopping ??= (async () => {
        await started.stopAll();
        logger.info({ event: "service.stopped" }, "e-Proof stopped");
      })();
      return stopping;
    },
  };
}

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig(process.env, (path) => readFileSync(path, "utf8"));
  } catch (error) {
    // A bad setting is the operator's mistake: one clear line, no stack trace.
    console.error(`e-Proof cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  try {
    const service = await startEProof(config, logger);
    if (config.chain.kind === "embedded") {
      const credentials = join(config.dataDir, "dev-credentials.json");
      logger.info(
        { event: "service.try_it", credentials },
        `try: curl -s -X POST ${config.publicUrl}/api/v1/documents -H "Authorization: Bearer $(node -p 'require("${credentials}").apiKey')" -H 'Content-Type: application/json' -d @docs/examples/licence.json`,
      );
    }
    const shutdown = (signal: string) => {
      logger.info({ event: "service.stopping", signal }, "stopping: finishing the batch in flight");
      service.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  } catch (error) {
    if (isEProofError(error, "CONFIG_INVALID")) {
      // The operator's to fix (a setting, an old data folder): what to do in one line, no stack trace.
      console.error(`e-Proof cannot start: ${error.message}`);
    } else {
      logger.fatal({ event: "service.failed", err: error }, error instanceof Error ? error.message : "failed to start");
    }
    process.exit(1);
  }
}
