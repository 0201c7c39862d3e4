# syntax=docker/dockerfile:1
# One image recipe for every service (services/<SERVICE>). The build context is the repository root:
#   docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=gateway -t siliconalley/service-gateway .
# docker-compose.yml passes SERVICE per service. Ports: see packages/devstack/src/services.ts.
# The major of infra/local/versions.env's NODE_VERSION (what the local stack and the tests run on).
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Prune the monorepo to this service and the workspaces it depends on (pruned lockfile included).
FROM ${NODE_IMAGE} AS pruner
ARG SERVICE
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1
RUN npm install -g turbo@2.11.11 --no-audit --no-fund --loglevel=error
COPY . .
RUN test -n "${SERVICE}" || { echo "pass --build-arg SERVICE=<ingest|indicator|alerting|gateway>" >&2; exit 1; } \
 && turbo prune "@siliconalley/service-${SERVICE}" --docker

# 2. Install from the manifests alone (this layer is reused until a package.json or the lockfile
#    changes), then add the sources, build, and drop the dev dependencies.
FROM ${NODE_IMAGE} AS builder
ARG SERVICE
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1
COPY --from=pruner /app/out/json/ ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY --from=pruner /app/out/full/ ./
# turbo prune copies workspaces, not root files the tsconfigs extend.
COPY tsconfig.base.json ./
RUN npx turbo run build --filter="@siliconalley/service-${SERVICE}" --output-logs=errors-only \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error

# 3. Runtime: the built workspaces and production dependencies, owned by root, run as `node`.
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE_ENTRY=services/${SERVICE}/dist/index.js
# Only alerting prints PDF reports (services/alerting/src/assessments/pdf.ts): it alone gets Debian's
# Chromium and a CJK font (some 300 MB), so the other images stay slim. Before the COPY, so that the
# layer is rebuilt only when this line or the base image changes, not with every source change.
RUN if [ "${SERVICE}" = "alerting" ]; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-wqy-microhei \
      && rm -rf /var/lib/apt/lists/*; \
    fi
# The containers run read-only with a /tmp tmpfs (docker-compose.yml): Chromium's and fontconfig's
# caches go there; pdf.ts makes its browser profile there too (os.tmpdir()).
ENV CHROMIUM_PATH=/usr/bin/chromium \
    XDG_CONFIG_HOME=/tmp/.config \
    XDG_CACHE_HOME=/tmp/.cache
WORKDIR /app
COPY --from=builder /app ./
USER node
# exec: node is the process that receives SIGTERM (compose adds an init for reaping).
CMD ["sh", "-c", "exec node --enable-source-maps \"$SERVICE_ENTRY\""]
