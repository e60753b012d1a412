# TableRound bot image: Node 20 with the locked runtime dependencies. The same image runs every ROLE.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# `npm install` with the lock, not `npm ci`: see scripts/ensure-deps.mjs.
RUN npm install --omit=dev --no-audit --no-fund
COPY . .
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# node itself is PID 1, so SIGTERM from `docker compose stop` reaches the bot's graceful shutdown.
CMD ["node", "--import", "tsx", "adapters/main.ts"]
