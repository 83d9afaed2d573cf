#!/usr/bin/env bash
# Build two stand-in buildpacks builders for the pod-level e2e (test/pod/README.md), both with
# /cnb/lifecycle/creator = test/pod/standin-creator.cjs, a POSIX sh and the few tools a Task's
# scripts use (chown, chmod, mkdir, cat, id):
#   localhost/cnb-standin/builder-jammy   USER cnb, CNB_USER_ID=1001 CNB_GROUP_ID=1000 (Paketo jammy/noble)
#   localhost/cnb-standin/builder-bionic  USER cnb, CNB_USER_ID=1000 CNB_GROUP_ID=1000 (older builders)
# On top of the stand-in Node image that scripts/standin.sh makes (built if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/containers.sh
BASE=localhost/cnb-report-standin/node24-build:latest
buildah inspect --type image "$BASE" >/dev/null 2>&1 || scripts/standin.sh >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
for tool in chown chmod mkdir cat id; do
  bin=$(command -v "$tool")
  install -D -m 0755 "$(readlink -f "$bin")" "$root/bin/$tool"
  ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"; done
done
install -D -m 0755 test/pod/standin-creator.cjs "$root/cnb/lifecycle/creator"
printf '[[images]]\n  image = "cnb-standin/run:latest"\n' > "$root/cnb/run.toml"
mkdir -p "$root/workspace" "$root/layers" "$root/platform"

build() { # build NAME UID GID
  local name=$1 uid=$2 gid=$3 ctr
  mkdir -p "$work/$name/etc" "$work/$name/home"
  printf 'root:x:0:0:root:/root:/bin/sh\ncnb:x:%s:%s:cnb:/home/cnb:/bin/sh\n' "$uid" "$gid" > "$work/$name/etc/passwd"
  printf 'root:x:0:\ncnb:x:%s:\n' "$gid" > "$work/$name/etc/group"
  ctr=$(buildah from --pull=never "$BASE")
  buildah copy --quiet "$ctr" "$root" / >/dev/null
  buildah copy --quiet "$ctr" "$work/$name" / >/dev/null
  buildah copy --quiet --chown "$uid:$gid" "$ctr" "$work/$name/home" /home/cnb >/dev/null
  buildah config --user cnb --workingdir /workspace --entrypoint '[]' --cmd '[]' \
    --env CNB_USER_ID="$uid" --env CNB_GROUP_ID="$gid" --env HOME=/home/cnb --env NODE_EXTRA_CA_CERTS- --env NPM_CONFIG_UPDATE_NOTIFIER- \
    --env PATH=/cnb/lifecycle:/usr/local/bin:/nodejs/bin:/bin \
    --label org.opencontainers.image.description="stand-in buildpacks builder for tests: USER cnb $uid:$gid" "$ctr"
  buildah commit --quiet --timestamp 0 --rm "$ctr" "localhost/cnb-standin/builder-$name:latest" >/dev/null
  echo "localhost/cnb-standin/builder-$name:latest"
}
build jammy 1001 1000
build bionic 1000 1000
