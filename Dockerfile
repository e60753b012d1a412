# TableRound bot image: Node 20 with the locked dependencies. The same image runs every ROLE.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN mkdir -p /app/data && chown node:node /app/data
USER node
CMD ["npx", "tsx", "adapters/main.ts"]
