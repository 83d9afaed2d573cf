#!/usr/bin/env bash
# Source me: configures buildah/podman/skopeo for this kind of machine (no Docker engine, crun
# unusable, no CAP_SYS_RESOURCE) with all state under $CONTAINERS_STATE (default build/containers).
#   . scripts/containers.sh
CONTAINERS_STATE=${CONTAINERS_STATE:-$PWD/build/containers}
mkdir -p "$CONTAINERS_STATE/root" "$CONTAINERS_STATE/run"
cat > "$CONTAINERS_STATE/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "none"
CONF
cat > "$CONTAINERS_STATE/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$CONTAINERS_STATE/root"
runroot = "$CONTAINERS_STATE/run"
CONF
export CONTAINERS_CONF="$CONTAINERS_STATE/containers.conf"
export CONTAINERS_STORAGE_CONF="$CONTAINERS_STATE/storage.conf"
