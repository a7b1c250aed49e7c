#!/usr/bin/env bash
# Runs Cilium's agent (v1.15.19, built by build.sh) on this node, the way up.sh starts the kubelet:
# a host process. It enforces NetworkPolicies by attaching its datapath to the pods' veths, chained
# after the bridge plugin (generic-veth chaining): pod addresses, routes and the egress guard stay
# the bridge's, and nothing is masqueraded or tunnelled.
#
# This kernel is built without loadable modules, so it has no /proc/modules, and Cilium 1.15 fails
# at start when it cannot read that file. The agent therefore runs in a mount namespace of its own
# (up.sh starts this script under `unshare --mount`) whose /proc holds every entry of the real one
# plus an empty modules list; what it would load is built in (docs/cluster.md).
source "$(dirname "$0")/../lib.sh"
source "$REPO_ROOT/scripts/cluster/versions.sh"
source "$REPO_ROOT/scripts/cluster/env.sh"

give_proc_a_modules_list() {
    local real="$CLUSTER_RUN/cilium-real-proc"
    mkdir -p "$real"
    mount --rbind /proc "$real"
    mount -t tmpfs -o mode=0555 cilium-proc /proc
    for entry in "$real"/*; do ln -s "$entry" "/proc/${entry##*/}"; done
    : >/proc/modules
}

give_proc_a_modules_list
export K8S_NODE_NAME="$NODE_NAME"
exec "$CLUSTER_BIN/cilium-agent" \
    --k8s-kubeconfig-path="$CLUSTER_STATE/kubeconfig/admin.conf" \
    --lib-dir="$CILIUM_LIB_DIR" --state-dir="$CILIUM_STATE_DIR" \
    --cni-chaining-mode=generic-veth --cni-log-file="$CLUSTER_LOGS/cilium-cni.log" \
    --routing-mode=native --ipv4-native-routing-cidr="$POD_CIDR" \
    --enable-ipv4-masquerade=false --enable-ipv6=false --enable-identity-mark=false \
    --kube-proxy-replacement=false --bpf-lb-sock=false --enable-l7-proxy=false \
    --ipam=kubernetes --annotate-k8s-node=true --enable-local-node-route=false \
    --enable-health-checking=false --enable-endpoint-health-checking=false \
    --enable-hubble=false --prometheus-serve-addr= --agent-health-port=9879
