# syntax=docker/dockerfile:1
# lotwatch-agent (the gateway agent) image. Build context: the repository root (docker-compose.yml does this):
#   docker build -f docker/agent.Dockerfile -t lotwatch/agent .
# Both platforms from one machine: docker buildx build --platform linux/amd64,linux/arm64 -f docker/agent.Dockerfile .
# Nothing here is tied to one architecture: the base image is multi-arch and native modules
# (better-sqlite3, serialport) are installed for the platform being built, compiled if no prebuilt fits.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Manifests first, so the dependency layer is cached until the lockfile changes.
COPY package.json package-lock.json tsconfig.base.json ./
COPY protocol/package.json protocol/
COPY edge-agent/package.json edge-agent/
COPY cloud-ingest/package.json cloud-ingest/
COPY simulators/package.json simulators/
COPY demo/package.json demo/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
COPY protocol/ protocol/
COPY edge-agent/ edge-agent/
RUN npx tsc -p protocol/tsconfig.build.json && npx tsc -p edge-agent/tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/lotwatch
COPY --from=build /src/node_modules/ node_modules/
COPY --from=build /src/package.json ./
COPY --from=build /src/protocol/package.json protocol/
COPY --from=build /src/protocol/dist/ protocol/dist/
COPY --from=build /src/edge-agent/package.json edge-agent/
COPY --from=build /src/edge-agent/dist/ edge-agent/dist/
RUN mkdir -p /var/lib/lotwatch /etc/lotwatch && chown node:node /var/lib/lotwatch \
 && usermod -aG dialout node
# Unprivileged; dialout opens serial adapters passed in with `devices:`.
USER node
EXPOSE 9100
VOLUME /var/lib/lotwatch
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(\"http://127.0.0.1:9100/healthz\").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A small young generation, as the lotwatch-agent script does (edge-agent/README.md "Memory").
ENTRYPOINT ["node", "--max-semi-space-size=1", "--max-old-space-size=64", "edge-agent/dist/cli.js"]
CMD ["run", "--config", "/etc/lotwatch/agent.yaml"]
