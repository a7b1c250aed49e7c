# shellcheck shell=bash
# Tears the cluster down; sourced by cluster.sh. Stops what up.sh started, by PID, unmounts what
# it mounted, removes its network devices and rules, and deletes its state.

stop_pid() { # name: SIGTERM, then SIGKILL after a grace period
    local file="$CLUSTER_RUN/$1.pid" pid
    [ -f "$file" ] || return 0
    pid="$(cat "$file")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

remove_pods() {
    # Let the kubelet stop pods itself so that CNI releases their addresses and network namespaces.
    if [ -f "$CLUSTER_RUN/kubelet.pid" ] && [ -f "$CLUSTER_STATE/kubeconfig/admin.conf" ]; then
        timeout 60 "$CLUSTER_BIN/kubectl" --kubeconfig "$CLUSTER_STATE/kubeconfig/admin.conf" \
            delete pods --all --all-namespaces --grace-period=2 --wait=true >/dev/null 2>&1 || true
    fi
}

stop_containers() {
    [ -S "$CONTAINERD_SOCKET" ] || return 0
    local ctr=(ctr --address "$CONTAINERD_SOCKET" -n k8s.io)
    for task in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
        "${ctr[@]}" tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
        "${ctr[@]}" tasks delete -f "$task" >/dev/null 2>&1 || true
    done
    for container in $("${ctr[@]}" containers ls -q 2>/dev/null); do
        "${ctr[@]}" containers delete "$container" >/dev/null 2>&1 || true
    done
}

unmount_state() {
    # Deepest first: pod volumes, overlay snapshots, then anything else below our directories.
    awk -v a="$CLUSTER_STATE" -v b="$CLUSTER_RUN" '$2 ~ "^"a || $2 ~ "^"b {print $2}' /proc/mounts |
        awk '{print length, $0}' | sort -rn | cut -d' ' -f2- |
        while read -r mount; do umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || true; done
}

# What the Cilium agent leaves in the host's network: its host devices, pinned maps and iptables chains.
remove_cilium_datapath() {
    ip link del cilium_host 2>/dev/null || true # with its peer, cilium_net
    ip link del cilium_net 2>/dev/null || true
    if [ -f "$CLUSTER_RUN/bpffs-mounted" ]; then
        umount /sys/fs/bpf 2>/dev/null || true
    else
        rm -rf /sys/fs/bpf/tc/globals/cilium_* /sys/fs/bpf/cilium
    fi
    local table chains
    for table in filter nat mangle raw; do
        # Rules in the built-in chains that jump to Cilium's, then Cilium's chains themselves.
        { iptables-save -t "$table" 2>/dev/null | grep -E '^-A [A-Z]+ .*-j CILIUM_' || true; } | sed 's/^-A /-D /' |
            while read -r rule; do eval "iptables -t $table $rule" 2>/dev/null || true; done
        chains="$(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(CILIUM_[A-Za-z0-9_]*\) .*/\1/p')"
        for chain in $chains; do iptables -t "$table" -F "$chain" 2>/dev/null || true; done
        for chain in $chains; do iptables -t "$table" -X "$chain" 2>/dev/null || true; done
    done
    awk -v dir="$(readlink -f "$CILIUM_STATE_DIR")" '$2 ~ "^"dir {print $2}' /proc/mounts | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$CILIUM_STATE_DIR"
}

cluster_down() {
    [ "$(id -u)" = 0 ] || { echo "the local cluster needs root" >&2; exit 1; }
    remove_pods
    stop_pid kube-proxy
    stop_pid kubelet
    stop_containers
    stop_pid containerd
    stop_pid cilium-agent # a host process in clusters brought up before the agent became a DaemonSet
    # Shims outlive containerd; they belong to this cluster when they name its socket.
    pkill -9 -f "containerd-shim.*$CONTAINERD_SOCKET" 2>/dev/null || true
    for name in kube-scheduler kube-controller-manager kube-apiserver etcd registry; do stop_pid "$name"; done
    unmount_state
    if [ -x "$CLUSTER_BIN/kube-proxy" ]; then "$CLUSTER_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
    iptables -D FORWARD -j FK8S-EGRESS-GUARD 2>/dev/null || true
    iptables -F FK8S-EGRESS-GUARD 2>/dev/null || true
    iptables -X FK8S-EGRESS-GUARD 2>/dev/null || true
    remove_cilium_datapath
    for link in "$POD_BRIDGE" "$NODE_BRIDGE"; do ip link del "$link" 2>/dev/null || true; done
    rm -rf "$CLUSTER_STATE" "$CLUSTER_RUN" "$KUBECONFIG_OUT" "$INGRESS_CA_OUT"
    log "cluster down"
}
