# Keyward: one instance. Configure it through the environment (README, "In Slack" and
# "Deployment"); with DATABASE_URL it runs on PostgreSQL and several can share one database.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# better-sqlite3 is a native module: its prebuilt binary, or a build with these tools.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && npm ci --omit=dev \
  && apt-get purge -y python3 make g++ && apt-get autoremove -y \
  && rm -rf /var/lib/apt/lists/* /root/.npm
COPY src ./src
COPY db ./db
COPY scripts/build.mjs ./scripts/build.mjs
COPY tsconfig.json manifest.yml ./
# The same bundle npm start runs: plain node, no TypeScript compiler kept in memory.
RUN node scripts/build.mjs
USER node
EXPOSE 3000
# SIGTERM drains requests in flight (up to 10 s) before the process exits.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# npm start's node flags (a test keeps them the same): a young generation of 8 MB, and no
# memory reducer, whose collections on a server going quiet held the event loop 30-45 ms.
CMD ["node", "--max-semi-space-size=8", "--no-memory-reducer", "--enable-source-maps", "dist/main.mjs"]
