# syntax=docker/dockerfile:1
# lotwatch-sim (simulated sensors and cameras, scenarios, compare) image. Build context: the repository root (docker-compose.yml does this):
#   docker build -f docker/simulators.Dockerfile -t lotwatch/simulators .
# Both platforms from one machine: docker buildx build --platform linux/amd64,linux/arm64 -f docker/simulators.Dockerfile .
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
COPY simulators/ simulators/
RUN npx tsc -p protocol/tsconfig.build.json && npx tsc -p simulators/tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/lotwatch
COPY --from=build /src/node_modules/ node_modules/
COPY --from=build /src/package.json ./
COPY --from=build /src/protocol/package.json protocol/
COPY --from=build /src/protocol/dist/ protocol/dist/
COPY --from=build /src/simulators/package.json simulators/
COPY --from=build /src/simulators/dist/ simulators/dist/
RUN mkdir -p /var/lib/lotwatch-sim && chown node:node /var/lib/lotwatch-sim
USER node
# The scenario writes this once its output is ready (the serial-over-TCP port listens).
ENV LOTWATCH_SIM_READY_FILE=/tmp/lotwatch-sim-ready.json LOTWATCH_SIM_LISTEN=0.0.0.0:4001
EXPOSE 4001
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["test", "-s", "/tmp/lotwatch-sim-ready.json"]
ENTRYPOINT ["node", "simulators/dist/cli.js"]
CMD ["--help"]
