#!/usr/bin/env bash
# make release REGISTRY=<registry>/<path>: push build/image.oci.tar to $REGISTRY/cnb-report:<version>
# and pin the digest the registry returned in every Task and StepAction under $TASKS (tasks/).
# An image built on local stand-in bases (scripts/standin.sh) is refused: it is not what the
# Dockerfile pins. ALLOW_STANDIN=1 lets one through, for a local or test registry only.
# RELEASE_TLS_VERIFY=false pushes over plain HTTP (a registry on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${REGISTRY:?make release needs REGISTRY=<registry>/<path>: the image goes to \$REGISTRY/cnb-report}"
TASKS=${TASKS:-tasks}
ARCHIVE=build/image.oci.tar
VERSION=$(node -p 'require("./package.json").version')
repository="${REGISTRY%/}/cnb-report"
[[ -f $ARCHIVE ]] || { echo "release: no $ARCHIVE: run make image" >&2; exit 1; }

base=$(skopeo inspect --config "oci-archive:$ARCHIVE" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).config?.Labels?.["io.cnb-report.base"]??""))')
if [[ $base == stand-in ]]; then
  if [[ ${ALLOW_STANDIN:-} != 1 ]]; then
    echo "release: refusing $ARCHIVE: it was built on local stand-in base images (scripts/standin.sh), not the ones the Dockerfile pins. Build where those can be pulled, or set ALLOW_STANDIN=1 for a local registry." >&2
    exit 1
  fi
  echo "release: ALLOW_STANDIN=1: pushing an image built on stand-in bases to $repository" >&2
fi

tls=()
[[ ${RELEASE_TLS_VERIFY:-true} == false ]] && tls=(--dest-tls-verify=false)
skopeo --command-timeout "${RELEASE_TIMEOUT:-10m}" copy --quiet --retry-times 2 "${tls[@]}" --digestfile build/release.digest \
  "oci-archive:$ARCHIVE" "docker://$repository:$VERSION"
echo "release: pushed $repository:$VERSION@$(cat build/release.digest)"
node scripts/stamp.js "$repository" "$(cat build/release.digest)" "$TASKS"
