# shellcheck shell=bash
# Brings the cluster up; sourced by cluster.sh (lib.sh, versions.sh, env.sh already loaded).
source "$REPO_ROOT/scripts/cluster/configure.sh"

daemon() { # name command...: starts a background process, records its PID, logs to CLUSTER_LOGS
    local name="$1"
    shift
    if pid_alive "$name"; then return; fi
    # Without cluster.sh's lock descriptor: a daemon holding it would keep the lock after `up`.
    setsid "$@" >"$CLUSTER_LOGS/$name.log" 2>&1 </dev/null {CLUSTER_LOCK_FD}>&- &
    echo $! >"$CLUSTER_RUN/$name.pid"
}

pid_alive() { [ -f "$CLUSTER_RUN/$1.pid" ] && kill -0 "$(cat "$CLUSTER_RUN/$1.pid")" 2>/dev/null; }

wait_for() { # description seconds command...
    local what="$1" seconds="$2"
    shift 2
    for _ in $(seq 1 $((seconds * 2))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    log "timed out after ${seconds}s waiting for $what"
    return 1
}

kubectl() { "$CLUSTER_BIN/kubectl" --kubeconfig "$CLUSTER_STATE/kubeconfig/admin.conf" "$@"; }

prepare_host() {
    # clang, llvm and bpftool: the Cilium agent compiles and probes its datapath at run time.
    apt_install containerd runc containernetworking-plugins iptables conntrack ipset gcc libc6-dev curl iproute2 procps util-linux \
        clang llvm bpftool
    mkdir -p "$CLUSTER_STATE" "$CLUSTER_RUN" "$CLUSTER_LOGS" "$KUBELET_ROOT"
    # The Cilium agent pins its maps in the BPF file system; mounted here when the host has none, and
    # shared, as the agent's pod mounts it (bidirectionally, as Cilium's chart does).
    if ! mountpoint -q /sys/fs/bpf; then mount -t bpf bpf /sys/fs/bpf && touch "$CLUSTER_RUN/bpffs-mounted"; fi
    mount --make-shared /sys/fs/bpf
    if ! ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then
        ip link add "$NODE_BRIDGE" type bridge
        ip addr add "$NODE_IP/32" dev "$NODE_BRIDGE"
    fi
    ip link set "$NODE_BRIDGE" up
    # The pods' bridge is made here (the bridge plugin reuses it) so that this host reaches pods from
    # the node's address, as a real node does: Cilium's agent knows that address as the host, which
    # may always reach its pods, so kubelet probes pass a namespace's default-deny policy. From the
    # bridge's own gateway address they would be dropped as traffic from outside the cluster.
    ip link show "$POD_BRIDGE" >/dev/null 2>&1 || ip link add "$POD_BRIDGE" type bridge
    # Its own MAC, set (as the bridge plugin sets it on a bridge it makes): otherwise a bridge takes
    # the lowest MAC among its ports, which changes as pods come and go, and every pod that cached
    # the old gateway MAC loses the host (probes, the API) until its neighbour entry expires.
    [ "$(cat "/sys/class/net/$POD_BRIDGE/addr_assign_type")" = 3 ] ||
        ip link set dev "$POD_BRIDGE" address "$(cat "/sys/class/net/$POD_BRIDGE/address")"
    ip addr replace "$POD_GATEWAY/${NODE_POD_CIDR#*/}" dev "$POD_BRIDGE"
    ip link set "$POD_BRIDGE" up
    ip route replace "$NODE_POD_CIDR" dev "$POD_BRIDGE" proto kernel scope link src "$NODE_IP"
    sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
    # Pod traffic may go to pods, Services and this node only: nothing is forwarded off the machine.
    iptables -N FK8S-EGRESS-GUARD 2>/dev/null || iptables -F FK8S-EGRESS-GUARD
    iptables -A FK8S-EGRESS-GUARD -s "$POD_CIDR" -d 198.18.0.0/15 -j RETURN
    iptables -A FK8S-EGRESS-GUARD -s "$POD_CIDR" -j REJECT
    iptables -C FORWARD -j FK8S-EGRESS-GUARD 2>/dev/null || iptables -I FORWARD 1 -j FK8S-EGRESS-GUARD
}

start_registry() {
    write_registry_config
    daemon registry "$CLUSTER_BIN/registry" serve "$CLUSTER_STATE/registry.yml"
    wait_for "the registry" 20 curl -sf "http://$REGISTRY/v2/"
}

# Images the cluster itself needs, built from their binaries (no registry needs to be reachable)
# and pushed to the local registry.
push_system_images() {
    local docker_host build
    docker_host="$(bash "$REPO_ROOT/scripts/docker-engine.sh" start {CLUSTER_LOCK_FD}>&-)"  # dockerd outlives `up`
    build="$(mktemp -d)"
    gcc -Os -static -o "$build/pause" "$REPO_ROOT/scripts/cluster/pause.c"
    printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$build/Dockerfile"
    DOCKER_HOST="$docker_host" docker_build -q -t "$PAUSE_IMAGE" "$build" >/dev/null
    DOCKER_HOST="$docker_host" docker push -q "$PAUSE_IMAGE" >/dev/null
    push_binary_image "$docker_host" "$build" coredns "$COREDNS_IMAGE"
    push_binary_image "$docker_host" "$build" metrics-server "$METRICS_SERVER_IMAGE"
    push_binary_image "$docker_host" "$build" cilium-operator-generic "$CILIUM_OPERATOR_IMAGE"
    push_binary_image "$docker_host" "$build" traefik "$TRAEFIK_IMAGE"
    push_cilium_agent_image "$docker_host"
    rm -rf "$build"
}

# The agent compiles its datapath at start: its image adds Debian's clang/llvm to the local base
# image (docker's layer cache keeps that step after the first build).
push_cilium_agent_image() { # docker-host
    local context
    context="$(mktemp -d)"
    cp -r "$REPO_ROOT/scripts/cluster/images/cilium-agent/." "$context/"
    cp "$CLUSTER_BIN/cilium-agent" "$context/"
    cp -r "$REPO_ROOT/.cache/cluster/cilium-bpf" "$context/bpf"
    DOCKER_HOST="$1" docker_build -q --network host \
        --build-arg "BASE_IMAGE=$(DOCKER_HOST="$1" bash "$REPO_ROOT/scripts/base-image.sh")" -t "$CILIUM_AGENT_IMAGE" "$context" >/dev/null
    DOCKER_HOST="$1" docker push -q "$CILIUM_AGENT_IMAGE" >/dev/null
    rm -rf "$context"
}

push_binary_image() { # docker-host build-dir binary image: one static binary in an image from scratch
    cp "$CLUSTER_BIN/$3" "$2/$3"
    printf 'FROM scratch\nCOPY %s /%s\nUSER 65532:65532\nENTRYPOINT ["/%s"]\n' "$3" "$3" "$3" >"$2/Dockerfile"
    DOCKER_HOST="$1" docker_build -q -t "$4" "$2" >/dev/null
    DOCKER_HOST="$1" docker push -q "$4" >/dev/null
}

make_pki() {
    [ -f "$CLUSTER_STATE/kubeconfig/admin.conf" ] && return
    write_kubeadm_config
    "$CLUSTER_BIN/kubeadm" init phase certs all --config "$CLUSTER_STATE/kubeadm.yaml" >/dev/null
    "$CLUSTER_BIN/kubeadm" init phase kubeconfig all --config "$CLUSTER_STATE/kubeadm.yaml" \
        --kubeconfig-dir "$CLUSTER_STATE/kubeconfig" >/dev/null
}

# Secrets are stored in etcd encrypted (aescbc) with a key made at the first `up` and kept, readable
# by root only, in the cluster's state directory; `down` deletes it with the state.
make_encryption_config() {
    [ -f "$ENCRYPTION_CONFIG" ] && return
    local key
    key="$(head -c 32 /dev/urandom | base64)"
    (
        umask 077
        cat >"$ENCRYPTION_CONFIG" <<YAML
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys: [{ name: key1, secret: $key }]
      - identity: {}
YAML
    )
}

start_control_plane() {
    # An API server started by an older `up` without encryption at rest, or refusing privileged pods
    # (the Cilium agent is one), is restarted with both.
    if pid_alive kube-apiserver; then
        local cmdline
        cmdline="$(tr '\0' ' ' <"/proc/$(cat "$CLUSTER_RUN/kube-apiserver.pid")/cmdline")"
        [[ "$cmdline" == *--encryption-provider-config* && "$cmdline" == *--allow-privileged=true* ]] || stop_pid kube-apiserver
    fi
    daemon etcd "$CLUSTER_BIN/etcd" --name "$NODE_NAME" --data-dir "$CLUSTER_STATE/etcd" \
        --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
        --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
        --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381
    wait_for etcd 30 curl -sf http://127.0.0.1:2381/health
    daemon kube-apiserver "$CLUSTER_BIN/kube-apiserver" \
        --advertise-address "$NODE_IP" --bind-address "$NODE_IP" --secure-port 6443 \
        --etcd-servers http://127.0.0.1:2379 \
        --service-cluster-ip-range "$SERVICE_CIDR" \
        --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
        --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
        --kubelet-preferred-address-types InternalIP \
        --service-account-issuer https://kubernetes.default.svc.cluster.local \
        --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
        --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --proxy-client-cert-file "$PKI/front-proxy-client.crt" \
        --proxy-client-key-file "$PKI/front-proxy-client.key" --requestheader-allowed-names front-proxy-client \
        --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
        --requestheader-extra-headers-prefix X-Remote-Extra- \
        --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
        --encryption-provider-config "$ENCRYPTION_CONFIG" --enable-aggregator-routing=true \
        --profiling=false
    wait_for "the API server" 90 kubectl get --raw /readyz
    # admin.conf's user belongs to kubeadm:cluster-admins, which `kubeadm init` would bind; the
    # phases used here do not, so bind it once with the break-glass super-admin credentials.
    "$CLUSTER_BIN/kubectl" --kubeconfig "$CLUSTER_STATE/kubeconfig/super-admin.conf" create clusterrolebinding \
        kubeadm:cluster-admins --clusterrole=cluster-admin --group=kubeadm:cluster-admins \
        --dry-run=client -o yaml | "$CLUSTER_BIN/kubectl" --kubeconfig "$CLUSTER_STATE/kubeconfig/super-admin.conf" apply -f - >/dev/null
    daemon kube-controller-manager "$CLUSTER_BIN/kube-controller-manager" \
        --kubeconfig "$CLUSTER_STATE/kubeconfig/controller-manager.conf" \
        --authentication-kubeconfig "$CLUSTER_STATE/kubeconfig/controller-manager.conf" \
        --authorization-kubeconfig "$CLUSTER_STATE/kubeconfig/controller-manager.conf" \
        --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
        --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
        --root-ca-file "$PKI/ca.crt" --service-account-private-key-file "$PKI/sa.key" \
        --service-cluster-ip-range "$SERVICE_CIDR" --cluster-cidr "$POD_CIDR" \
        --allocate-node-cidrs=false --controllers '*,-cloud-node-lifecycle' --profiling=false
    daemon kube-scheduler "$CLUSTER_BIN/kube-scheduler" \
        --kubeconfig "$CLUSTER_STATE/kubeconfig/scheduler.conf" \
        --authentication-kubeconfig "$CLUSTER_STATE/kubeconfig/scheduler.conf" \
        --authorization-kubeconfig "$CLUSTER_STATE/kubeconfig/scheduler.conf" \
        --bind-address 127.0.0.1 --leader-elect=false --profiling=false
}

start_node() {
    write_containerd_config
    write_kubelet_config
    write_kube_proxy_config
    daemon containerd containerd --config "$CLUSTER_STATE/containerd-config/config.toml"
    wait_for containerd 30 ctr --address "$CONTAINERD_SOCKET" version
    daemon kubelet "$CLUSTER_BIN/kubelet" --config "$CLUSTER_STATE/kubelet.yaml" \
        --kubeconfig "$CLUSTER_STATE/kubeconfig/kubelet.conf" \
        --container-runtime-endpoint "unix://$CONTAINERD_SOCKET" \
        --root-dir "$KUBELET_ROOT" --node-ip "$NODE_IP" --hostname-override "$NODE_NAME" \
        --pod-infra-container-image "$PAUSE_IMAGE"
    daemon kube-proxy "$CLUSTER_BIN/kube-proxy" --config "$CLUSTER_STATE/kube-proxy.yaml"
    wait_for "node $NODE_NAME to be Ready" 120 \
        sh -c "'$CLUSTER_BIN/kubectl' --kubeconfig '$CLUSTER_STATE/kubeconfig/admin.conf' get node $NODE_NAME -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
}

# Cilium's operator registers the CRDs the agent waits for, so it comes first; it runs on the host
# network (as Cilium's own chart runs it) because pods need the agent before they get a network.
install_cilium_operator() {
    sed -e "s|@CILIUM_OPERATOR_IMAGE@|$CILIUM_OPERATOR_IMAGE|g" "$REPO_ROOT/scripts/cluster/addons/cilium-operator.yaml" | kubectl apply -f - >/dev/null
    wait_for "Cilium's operator to register its CRDs" 120 kubectl get crd ciliumloadbalancerippools.cilium.io ciliumnodes.cilium.io ciliumendpoints.cilium.io ciliumidentities.cilium.io
}

# The agent enforces NetworkPolicies (a DaemonSet, addons/cilium-agent.yaml). Its own host device
# takes an address from a range of its own, which it reads from the node's annotation.
install_cilium_agent() {
    kubectl annotate node "$NODE_NAME" --overwrite "network.cilium.io/ipv4-pod-cidr=$CILIUM_HOST_CIDR" >/dev/null
    sed -e "s|@CILIUM_AGENT_IMAGE@|$CILIUM_AGENT_IMAGE|g" -e "s|@CILIUM_CNI_LOG@|$CLUSTER_LOGS/cilium-cni.log|g" \
        -e "s|@POD_CIDR@|$POD_CIDR|g" -e "s|@CILIUM_HEALTH_PORT@|$CILIUM_HEALTH_PORT|g" \
        "$REPO_ROOT/scripts/cluster/addons/cilium-agent.yaml" | kubectl apply -f - >/dev/null
    wait_for "the Cilium agent" 240 curl -sf "http://127.0.0.1:$CILIUM_HEALTH_PORT/healthz"
}

install_addons() {
    sed -e "s|@DNS_SERVICE_IP@|$DNS_SERVICE_IP|g" -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|g" \
        "$REPO_ROOT/scripts/cluster/addons/coredns.yaml" | kubectl apply -f - >/dev/null
    kubectl apply -f "$REPO_ROOT/scripts/cluster/addons/storage.yaml" >/dev/null
    for i in $(seq 1 "$PV_COUNT"); do
        mkdir -p "$CLUSTER_STATE/volumes/pv$i"
        sed -e "s|@NAME@|local-pv$i|g" -e "s|@PATH@|$CLUSTER_STATE/volumes/pv$i|g" \
            -e "s|@SIZE@|$PV_SIZE|g" -e "s|@NODE@|$NODE_NAME|g" \
            "$REPO_ROOT/scripts/cluster/addons/local-pv.yaml" | kubectl apply -f - >/dev/null
    done
    sed -e "s|@METRICS_SERVER_IMAGE@|$METRICS_SERVER_IMAGE|g" "$REPO_ROOT/scripts/cluster/addons/metrics-server.yaml" | kubectl apply -f - >/dev/null
    sed -e "s|@LOAD_BALANCER_CIDR@|$LOAD_BALANCER_CIDR|g" "$REPO_ROOT/scripts/cluster/addons/load-balancer-pool.yaml" | kubectl apply -f - >/dev/null
    sed -e "s|@TRAEFIK_IMAGE@|$TRAEFIK_IMAGE|g" "$REPO_ROOT/scripts/cluster/addons/traefik.yaml" | kubectl apply -f - >/dev/null
    wait_for "CoreDNS to be available" 120 kubectl -n kube-system rollout status deployment/coredns --timeout=2s
    wait_for "the resource metrics API" 120 kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes
    wait_for "Traefik to be available" 120 kubectl -n kube-system rollout status deployment/traefik --timeout=2s
    wait_for "Traefik's load-balancer address" 60 \
        sh -c "'$CLUSTER_BIN/kubectl' --kubeconfig '$CLUSTER_STATE/kubeconfig/admin.conf' -n kube-system get service traefik -o jsonpath='{.status.loadBalancer.ingress[0].ip}' | grep -q ."
}

cluster_up() {
    [ "$(id -u)" = 0 ] || { echo "the local cluster needs root (network, mounts, containerd)" >&2; exit 1; }
    local started=$SECONDS phases="" mark=$SECONDS
    phase() { phases+="${phases:+, }$1 $((SECONDS - mark))s" && mark=$SECONDS; } # where bring-up time goes
    bash "$REPO_ROOT/scripts/cluster/build.sh" >/dev/null && phase build
    prepare_host
    start_registry
    push_system_images && phase images
    make_pki
    make_encryption_config
    make_ingress_ca
    start_control_plane
    start_node && phase "control plane and node"
    install_cilium_operator
    install_cilium_agent && phase cilium
    install_addons && phase "other add-ons"
    mkdir -p "$(dirname "$KUBECONFIG_OUT")"
    cp "$CLUSTER_STATE/kubeconfig/admin.conf" "$KUBECONFIG_OUT"
    log "cluster up in $((SECONDS - started))s ($phases); KUBECONFIG=$KUBECONFIG_OUT, registry $REGISTRY"
}
