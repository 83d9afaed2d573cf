#!/usr/bin/env bash
# Install what the end-to-end test needs, if missing: a container runtime and a registry.
set -euo pipefail
need=()
for tool in buildah:buildah podman:podman skopeo:skopeo runc:runc docker-registry:docker-registry htpasswd:apache2-utils; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if ((${#need[@]})); then
  echo "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
