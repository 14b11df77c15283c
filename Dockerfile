# Partner Alerts container image. Two stages: the first compiles with the dev dependencies, the second runs
# the compiled code with production dependencies only, so the image carries no compiler and no test tools.
# test/deploy/productionStart.test.ts replays the runtime stage outside Docker (same ENV, COPY, npm ci,
# HEALTHCHECK and CMD, read from this file) and asks the started bot for /livez and a chat command.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing the bot needs compiles natively (restify's optional dtrace probe is skipped).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

FROM node:22-bookworm-slim AS runtime
# The image answers like `npm run serve` on a server. No Partner Center settings: the sandbox (simulator and
# bot, no Playground: nobody opens a browser in a container). State goes to the /data volume, or to
# PostgreSQL when DATABASE_URL is set.
ENV PORT=3978 \
    DATA_FILE=/data/state.json \
    SANDBOX_PLAYGROUND=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# dist/src is the bot; dist/scripts holds the one-off commands (migrate-state, connect-partner-center) an
# operator may run inside the container. dist/test and dist/bench stay out: the runtime must not need them.
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/scripts ./dist/scripts
COPY cards ./cards
# The official image's unprivileged "node" user owns the data volume and nothing else.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3978
# Slim images have no curl: node's own fetch asks /livez (200 while the process runs).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm, is PID 1: docker stop's SIGTERM reaches main.ts's clean shutdown.
CMD ["node", "--no-deprecation", "dist/src/main.js"]
