# syntax=docker/dockerfile:1
# cnb-report: a bundled CLI on distroless Node 24 (LTS), non-root, no shell, read-only friendly.
# Base images are pinned by digest; machines that cannot pull them pass local stand-ins as build
# args (make image does, see scripts/standin.sh).
ARG BUILD_IMAGE=docker.io/library/node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.js scripts/
COPY src src
RUN node scripts/build.js --no-code-cache

# V8's code cache for the bundle, made by the runtime image's own node (a cache is only good for
# the node that made it): a run of the Task's report step on examples/ (scripts/code-cache.cjs).
FROM ${RUNTIME_IMAGE} AS code-cache
USER 0:0
COPY --from=build /src/dist/ /app/
COPY scripts/code-cache.cjs /src/scripts/
COPY examples/report.toml examples/analyzed.toml /src/examples/
RUN ["/nodejs/bin/node", "--random-seed=1", "--predictable", "/src/scripts/code-cache.cjs", "/app"]

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="cnb-report" \
      org.opencontainers.image.description="Turn a buildpacks report.toml into exact Tekton results" \
      org.opencontainers.image.source="https://github.com/cnb-report/cnb-report" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=code-cache /app/ /app/
USER 65532:65532
WORKDIR /
ENTRYPOINT ["/nodejs/bin/node", "/app/cnb-report.cjs"]
