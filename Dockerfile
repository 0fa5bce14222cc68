# syntax=docker/dockerfile:1
# The cube-gateway image: the gateway by default, the local users service with the command
# `node --import ./src/compile-cache.mjs src/local-service/main.ts` (compose.yaml runs both). Node 24 runs the TypeScript
# sources directly (type stripping), so there is no build step: the first stage only
# installs the production dependencies exactly as locked.

# Pinned: the Node of the `node` devDependency (package-lock.json), on Debian slim.
ARG NODE_IMAGE=node:24.21.0-trixie-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` refuses a lock file that does not match package.json. No dev dependencies (the
# `node` one is a Node binary for machines without Node 24; the base image has it) and no
# install scripts (the only production one, msgpackr-extract's, is optional: prebuilt).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
# tini as PID 1: signals reach node, and zombies are reaped.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
# The embedded local users service (LOCAL_SERVICE_EMBEDDED=1) keeps its store here.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 4000
# Slim has no curl: Node's fetch asks /healthz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# node itself, not `npm start`: SIGTERM must reach the process that shuts down. The flags are
# npm start's (see the README: two V8 background threads, WebAssembly kept on V8's
# baseline compiler, an 8 MB young generation, uploads' chunks collected once 16 MB of them
# are young, one collection after the warm-up, Node's compile cache).
CMD ["node", "--v8-pool-size=2", "--liftoff-only", "--max-semi-space-size=8", "--scavenger-max-new-space-capacity-mb=4", "--expose-gc", "--import", "./src/compile-cache.mjs", "src/main.ts"]
