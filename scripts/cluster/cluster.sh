#!/usr/bin/env bash
# The local single-node Kubernetes, built from source here.
#   npm run cluster -- up | down | status | stop-control-plane | certificate <namespace> <secret> <host>...
# stop-control-plane stops the API server, controller manager and scheduler only (the node keeps
# running, as when a managed control plane is unreachable); `up` starts them again. certificate
# issues a TLS Secret from the cluster's ingress CA (scripts/cluster/certificates.sh).
source "$(dirname "$0")/../lib.sh"
source "$REPO_ROOT/scripts/cluster/versions.sh"
source "$REPO_ROOT/scripts/cluster/env.sh"
source "$REPO_ROOT/scripts/cluster/up.sh"
source "$REPO_ROOT/scripts/cluster/down.sh"
source "$REPO_ROOT/scripts/cluster/certificates.sh"

# One verb that changes the cluster at a time: an `up` and a `down` that overlap (two terminals, or
# a scenario run beside a test run) leave it half made and half removed. The lock is an open
# descriptor; every process `up` leaves running closes it (daemon() and the Docker engine in
# up.sh), so it is released when this command ends.
CLUSTER_LOCK=/run/fastapi-k8s/cluster.lock
hold_cluster_lock() {
    [ "$(id -u)" = 0 ] || return 0 # the verb itself refuses, saying why
    mkdir -p "$(dirname "$CLUSTER_LOCK")"
    exec {CLUSTER_LOCK_FD}>"$CLUSTER_LOCK"
    if ! flock -n "$CLUSTER_LOCK_FD"; then
        log "another cluster command is running (it holds $CLUSTER_LOCK); waiting for it to finish"
        flock "$CLUSTER_LOCK_FD"
    fi
}

COMPONENTS=(registry etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy)

cluster_status() {
    local running=0
    for name in "${COMPONENTS[@]}"; do
        if pid_alive "$name"; then
            printf '%-24s running (pid %s)\n' "$name" "$(cat "$CLUSTER_RUN/$name.pid")"
            running=$((running + 1))
        else
            printf '%-24s stopped\n' "$name"
        fi
    done
    if [ "$running" -gt 0 ] && [ -f "$CLUSTER_STATE/kubeconfig/admin.conf" ]; then
        kubectl get nodes -o wide 2>&1 || true
        kubectl -n kube-system get daemonsets,deployments 2>&1 || true # the add-ons
    fi
    [ "$running" -eq "${#COMPONENTS[@]}" ]
}

case "${1:-}" in
    up) hold_cluster_lock; cluster_up ;;
    down) hold_cluster_lock; cluster_down ;;
    status) cluster_status ;;
    stop-control-plane) hold_cluster_lock; for name in kube-scheduler kube-controller-manager kube-apiserver; do stop_pid "$name"; done ;;
    certificate) shift && issue_certificate "$@" ;;
    *) echo "usage: npm run cluster -- up|down|status|stop-control-plane|certificate <namespace> <secret> <host>..." >&2; exit 2 ;;
esac
