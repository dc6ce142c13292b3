# e-Proof service image (production profile: external chain + PostgreSQL; docs/production.md).
#
#   docker build -t eproof:latest .
#   docker run --env-file eproof.env -e EPROOF_ROLES=public … eproof:latest          # verify only, no key
#   docker run --env-file eproof.env -e EPROOF_ROLES=officer \
#     -e EPROOF_CUSTODY_KEY_FILE=/run/secrets/custody_key … eproof:latest            # issuance, anchoring
#   (admin: EPROOF_ROLES=admin with EPROOF_GOVERNANCE_KEY_FILE and EPROOF_CUSTODY_KEY_FILE)
#
# Node 24 runs the TypeScript sources directly (type stripping), so there is no transpile step; the
# only build step is compiling the contracts, whose ABI and bytecode the service reads at run time
# (artifacts/contracts). No secret is baked in: the custody key, the registrar key and the database
# URL come at run time from EPROOF_*_FILE secret files; department keys live in the database, sealed.

ARG NODE_IMAGE=node:24-slim

# --- build: compile the contracts (needs the dev dependencies: hardhat, solc-js) -----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script needs to run (the `node` dev package's would download a second Node).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY hardhat.config.ts tsconfig.json ./
COPY contracts ./contracts
# Called by path, not through npm/npx, so the image's own node runs it (no node_modules/.bin on PATH).
RUN node node_modules/hardhat/dist/src/cli.js build

# --- runtime: production dependencies, sources and contract artifacts only ------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    EPROOF_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/artifacts/contracts ./artifacts/contracts
COPY services ./services
COPY scripts ./scripts
# The code stays root-owned and read-only to the service; only the data folder is writable.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
# 1000 is the `node` user of the official image; numeric so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
EXPOSE 8080
# Liveness only (the process serves HTTP); the load balancer uses /healthz/ready instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Not `npm start`: its prestart hook installs and compiles on demand, which an image must never do.
CMD ["node", "services/main.ts"]
