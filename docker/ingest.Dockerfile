# syntax=docker/dockerfile:1
# lotwatch-ingest (cloud ingest: embedded MQTT broker, store, REST) image. Build context: the repository root (docker-compose.yml does this):
#   docker build -f docker/ingest.Dockerfile -t lotwatch/ingest .
# Both platforms from one machine: docker buildx build --platform linux/amd64,linux/arm64 -f docker/ingest.Dockerfile .
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
COPY cloud-ingest/ cloud-ingest/
RUN npx tsc -p protocol/tsconfig.build.json && npx tsc -p cloud-ingest/tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/lotwatch
COPY --from=build /src/node_modules/ node_modules/
COPY --from=build /src/package.json ./
COPY --from=build /src/protocol/package.json protocol/
COPY --from=build /src/protocol/dist/ protocol/dist/
COPY --from=build /src/cloud-ingest/package.json cloud-ingest/
COPY --from=build /src/cloud-ingest/dist/ cloud-ingest/dist/
RUN mkdir -p /var/lib/lotwatch /etc/lotwatch && chown node:node /var/lib/lotwatch
# The image's own unprivileged user (uid 1000).
USER node
ENV LOTWATCH_HOST=0.0.0.0 LOTWATCH_HTTP_PORT=8080 LOTWATCH_MQTT_PORT=1883 LOTWATCH_DB=/var/lib/lotwatch/ingest.db
EXPOSE 8080 1883
VOLUME /var/lib/lotwatch
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(\"http://127.0.0.1:8080/readyz\").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "cloud-ingest/dist/cli.js"]
CMD ["--topology", "/etc/lotwatch/topology.yaml"]
