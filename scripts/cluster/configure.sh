# shellcheck shell=bash
# Writes the configuration of every cluster component; sourced by up.sh.

# Writes stdin to a config file only when its content differs: `up` on a running cluster must not
# touch the files of running components (kube-proxy exits when its configuration file is written).
write_config() { # file
    local new
    new="$(mktemp "$1.XXXXXX")"
    cat >"$new"
    chmod 644 "$new"
    if cmp -s "$new" "$1"; then rm -f "$new"; else mv "$new" "$1"; fi
}

write_containerd_config() {
    mkdir -p "$CLUSTER_STATE/containerd-config/certs.d/$REGISTRY" "$CLUSTER_STATE/cni/net.d"
    write_config "$CLUSTER_STATE/containerd-config/config.toml" <<TOML
version = 2
root = "$CONTAINERD_ROOT"
state = "$CLUSTER_RUN/containerd"
[grpc]
  address = "$CONTAINERD_SOCKET"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Lowering an oom_score_adj needs CAP_SYS_RESOURCE, which root lacks in sandboxed VMs like this
  # one; the kubelet asks for -998 for every pod sandbox. Clamp to containerd's own score instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CLUSTER_STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$CLUSTER_STATE/containerd-config/certs.d"
TOML
    # The local registry speaks plain HTTP on loopback.
    write_config "$CLUSTER_STATE/containerd-config/certs.d/$REGISTRY/hosts.toml" <<TOML
server = "http://$REGISTRY"
[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
TOML
    mkdir -p "$CNI_BIN_DIR"
    for plugin in bridge host-local portmap loopback; do ln -sfn "/usr/lib/cni/$plugin" "$CNI_BIN_DIR/$plugin"; done
    ln -sfn "$CLUSTER_BIN/cilium-cni" "$CNI_BIN_DIR/cilium-cni"
    # Pods share one bridge; no masquerade, so pod traffic never leaves the machine as the host.
    # Cilium's plugin, last in the chain, attaches the NetworkPolicy datapath to each pod's veth.
    write_config "$CLUSTER_STATE/cni/net.d/10-fastapi-k8s.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "fastapi-k8s",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$POD_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$NODE_POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$CLUSTER_STATE/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "cilium-cni", "chaining-mode": "generic-veth" }
  ]
}
JSON
}

write_registry_config() {
    mkdir -p "$CLUSTER_STATE/registry"
    write_config "$CLUSTER_STATE/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $CLUSTER_STATE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
}

write_kubeadm_config() {
    write_config "$CLUSTER_STATE/kubeadm.yaml" <<YAML
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: $NODE_IP
  bindPort: 6443
nodeRegistration:
  name: $NODE_NAME
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: $KUBERNETES_VERSION
clusterName: fastapi-k8s
certificatesDir: $PKI
controlPlaneEndpoint: $NODE_IP:6443
networking:
  serviceSubnet: $SERVICE_CIDR
  podSubnet: $POD_CIDR
  dnsDomain: cluster.local
apiServer:
  certSANs: [127.0.0.1, $NODE_IP, $KUBERNETES_SERVICE_IP]
YAML
}

write_kubelet_config() {
    write_config "$CLUSTER_STATE/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
clusterDomain: cluster.local
clusterDNS: [$DNS_SERVICE_IP]
resolvConf: $CLUSTER_STATE/resolv.conf
podCIDR: $NODE_POD_CIDR
maxPods: 60
serializeImagePulls: false
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
evictionHard:
  memory.available: "200Mi"
  nodefs.available: "2%"
  imagefs.available: "2%"
  nodefs.inodesFree: "2%"
YAML
    # Pods with dnsPolicy Default get no upstream resolver: nothing resolves or leaves the machine.
    echo "nameserver $DNS_SERVICE_IP" | write_config "$CLUSTER_STATE/resolv.conf"
}

write_kube_proxy_config() {
    write_config "$CLUSTER_STATE/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
hostnameOverride: $NODE_NAME
clientConnection:
  kubeconfig: $CLUSTER_STATE/kubeconfig/admin.conf
conntrack:
  maxPerCore: 0
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
YAML
}
