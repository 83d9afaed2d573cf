#!/usr/bin/env bash
# make image: build localhost/cnb-report:dev with docker (where an engine runs), else buildah,
# reproducibly (timestamps 0), save it as an OCI archive at build/image.oci.tar and its manifest
# digest at build/image.digest. Where the pinned base images cannot be pulled, build on local
# stand-ins (scripts/standin.sh) and say so.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/cnb-report:dev}
VERSION=$(node -p 'require("./package.json").version')
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
mkdir -p build
base() { sed -n "s/^ARG $1=//p" Dockerfile; }
args=(--build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION")

if docker info >/dev/null 2>&1; then
  docker build "${args[@]}" -t "$IMAGE" .
  docker save "$IMAGE" -o build/image.docker.tar # docker ≥ 25 saves an OCI layout inside
  skopeo copy --quiet --digestfile build/image.digest docker-archive:build/image.docker.tar oci-archive:build/image.oci.tar
  exit 0
fi

. scripts/containers.sh
if ! buildah pull --quiet "$(base BUILD_IMAGE)" >/dev/null 2>&1 || ! buildah pull --quiet "$(base RUNTIME_IMAGE)" >/dev/null 2>&1; then
  read -r runtime build < <(scripts/standin.sh)
  echo "make image: the pinned base images cannot be pulled here; building on local stand-ins $build and $runtime" >&2
  # Marked in the image config, so that `make release` can refuse it (scripts/release.sh).
  args+=(--build-arg "BUILD_IMAGE=$build" --build-arg "RUNTIME_IMAGE=$runtime" --pull-never --label io.cnb-report.base=stand-in)
fi
# The build stage needs the npm registry; nothing else in the build does.
buildah bud --quiet --timestamp 0 --network host --layers=false ${NO_CACHE:+--no-cache} "${args[@]}" -t "$IMAGE" . >/dev/null
rm -f build/image.oci.tar
buildah push --quiet --compression-format gzip --compression-level 9 --digestfile build/image.digest "$IMAGE" "oci-archive:build/image.oci.tar:$IMAGE"
echo "$IMAGE $(cat build/image.digest) → build/image.oci.tar"
