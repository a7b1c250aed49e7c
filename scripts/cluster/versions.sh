# shellcheck shell=bash disable=SC2034  # sourced: the scripts that source it read these variables
# Pinned versions of everything the local cluster builds; sourced by the cluster scripts.
# 1.33 is the newest minor whose kubelet still runs on a cgroup v1 host without opt-in (the offline
# machines this project is built on are; docs/environment.md).
KUBERNETES_VERSION=v1.33.4
ETCD_VERSION=v3.5.21
COREDNS_VERSION=v1.12.1
REGISTRY_VERSION=v3.0.0
METRICS_SERVER_VERSION=v0.9.0
# Its version is also the require line of scripts/cluster/modules/cilium/go.mod.
CILIUM_VERSION=v1.15.19
# Its version is also the require line of scripts/cluster/modules/traefik/go.mod.
TRAEFIK_VERSION=v3.6.12
