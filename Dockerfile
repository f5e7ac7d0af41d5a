# syntax=docker/dockerfile:1
# The CIMS server image. Two stages: `build` installs the whole workspace, builds the server and what it imports, and
# `pnpm deploy --prod` copies the server with its production dependencies only (no dev tools, no sources of the other
# packages) into /deploy; `runtime` is a plain Node image with that folder and nothing else.
#
#   docker build -t cims-server .
#   docker run --rm -p 8000:8000 -e NODE_ENV=production -e DATABASE_URL=… -e JWT_SECRET=… cims-server
#
# Operations (compose, Kubernetes, backups, key rotation): docs/operations.md.

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Corepack's pnpm 12 download fails its signature check on Node 20; npm installs the pinned release as is.
RUN npm install --global pnpm@12.4.2
# pnpm 12's own node-gyp would download Node's headers for a native build; the image has them.
ENV npm_config_nodedir=/usr/local CI=true
WORKDIR /repo
# The lockfile alone decides what is downloaded, so this layer is reused until the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
# The store already holds every package (pnpm fetch); the registry is only asked for the lockfile's policy check.
RUN pnpm install --frozen-lockfile
RUN pnpm --filter @cims/server... run build
# Since pnpm 12.2 `deploy` works without `injectWorkspacePackages`: @cims/contracts is copied in as a file:
# dependency (its `files`: the built dist), so /deploy runs without the workspace.
RUN pnpm --filter @cims/server deploy --prod /deploy

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    CIMS_DATA_DIR=/var/lib/cims
WORKDIR /app
# Owned by root and read-only to the server: only CIMS_DATA_DIR (uploads in flight, the blob store without an object
# store) is writable.
COPY --from=build /deploy /app
RUN mkdir -p /var/lib/cims && chown node:node /var/lib/cims
VOLUME /var/lib/cims
# The `node` user (uid 1000) of the official image.
USER node
EXPOSE 8000
# Liveness only: /healthz answers while the process serves. Readiness (/readyz, which fails while the database is
# unreachable or the instance drains) is for load balancers; a restart would not fix the database.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `node` itself is PID 1 (exec form, no shell in between), without tini: the server installs its own SIGTERM and
# SIGINT handlers (drain, finish requests, close the database, exit 0), so the kernel's rule that PID 1 ignores
# signals it does not handle changes nothing, and it starts no child processes whose zombies an init would have to
# reap. `docker run --init` still works if a platform insists on an init.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.js"]
