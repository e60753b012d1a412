# TableRound bot image, multi-stage: the build stage installs every locked dependency and compiles
# the bot to JavaScript (dist/); the runtime stage holds only the production dependencies, the
# build and the prompts, runs plain `node` as the unprivileged `node` user, and reports its health
# from the bot's own /healthz. The same image runs every ROLE (gateway, worker, all).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci`: exactly the committed lock (it is whole: every platform's optional packages are in it).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY adapters ./adapters
COPY commands ./commands
RUN node scripts/build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HTTP_HOST=127.0.0.1 \
    HTTP_PORT=8080
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node prompts ./prompts
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# /healthz answers 200 when Redis and the platform connection are up (src/app/http-server.ts).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HTTP_PORT || 8080}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1, so SIGTERM from `docker compose stop` reaches the bot's graceful shutdown.
# Its V8 flags are scripts/node-flags.json's (what `npm start` passes; a test holds them equal).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=8", "dist/adapters/main.js"]
