# shellcheck shell=bash disable=SC2034  # sourced: the scripts that source it read these variables
# Paths and addresses of the local cluster; sourced by the cluster scripts.
# Addresses come from 198.18.0.0/15 (reserved for benchmarking): they exist only on this machine.
CLUSTER_STATE=/var/lib/fastapi-k8s/cluster
CLUSTER_RUN=/run/fastapi-k8s/cluster
CLUSTER_LOGS=/var/log/fastapi-k8s
CLUSTER_BIN="$REPO_ROOT/.cache/cluster/bin"
KUBECONFIG_OUT="$REPO_ROOT/.cache/cluster/kubeconfig"

NODE_NAME=fk8s-node
NODE_BRIDGE=fk8s-node         # holds the node address (this kernel has no dummy interfaces)
NODE_IP=198.19.255.1
POD_BRIDGE=fk8s-br0
POD_CIDR=198.18.0.0/16
NODE_POD_CIDR=198.18.0.0/24
POD_GATEWAY=198.18.0.1              # the pods' bridge: their default gateway (host-local's first address)
SERVICE_CIDR=198.19.0.0/24
KUBERNETES_SERVICE_IP=198.19.0.1
DNS_SERVICE_IP=198.19.0.10
LOAD_BALANCER_CIDR=198.19.200.0/24  # addresses of LoadBalancer Services (Cilium LB-IPAM)
CILIUM_HOST_CIDR=198.18.1.0/24      # addresses of the Cilium agent's own host device, apart from the pods'
REGISTRY=127.0.0.1:5000
PAUSE_IMAGE="$REGISTRY/pause:3.10"
COREDNS_IMAGE="$REGISTRY/coredns:${COREDNS_VERSION:-v1.12.1}"
METRICS_SERVER_IMAGE="$REGISTRY/metrics-server:${METRICS_SERVER_VERSION:-v0.9.0}"
CILIUM_OPERATOR_IMAGE="$REGISTRY/cilium-operator:${CILIUM_VERSION:-v1.15.19}"
CILIUM_AGENT_IMAGE="$REGISTRY/cilium-agent:${CILIUM_VERSION:-v1.15.19}"
CILIUM_HEALTH_PORT=9879
TRAEFIK_IMAGE="$REGISTRY/traefik:${TRAEFIK_VERSION:-v3.6.12}"
PV_COUNT=8
PV_SIZE=10Gi

CONTAINERD_ROOT="$CLUSTER_STATE/containerd"
CONTAINERD_SOCKET="$CLUSTER_RUN/containerd/containerd.sock"
PKI="$CLUSTER_STATE/pki"
# How the API server encrypts Secrets in etcd; its key is made at the first `up` (0600).
ENCRYPTION_CONFIG="$CLUSTER_STATE/encryption-config.yaml"
KUBELET_ROOT="$CLUSTER_STATE/kubelet"
# The CNI plugins containerd runs: Debian's (linked) and Cilium's, chained after the bridge.
CNI_BIN_DIR="$CLUSTER_STATE/cni/bin"
# The Cilium agent's runtime state; the CNI plugin finds the agent's socket only under Cilium's
# fixed default, /var/run/cilium.
CILIUM_STATE_DIR=/var/run/cilium
