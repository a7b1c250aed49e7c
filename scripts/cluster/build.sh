#!/usr/bin/env bash
# Builds (or reuses from .cache/cluster/bin) every binary of the local cluster from the Go module
# proxy: kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubeadm,
# kubectl, etcd, CoreDNS, metrics-server, Cilium (operator, agent, CNI plugin), Traefik and the image
# registry. Writes small wrapper modules, never vendors code.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/versions.sh"
CACHE="$REPO_ROOT/.cache/cluster"
BIN="$CACHE/bin"
WORK="$CACHE/build"
mkdir -p "$BIN" "$WORK"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
# The checksum database reachable here lacks some k8s.io staging modules; their hashes are pinned
# in the wrapper's go.sum on first download instead.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}k8s.io"

stamp_ok() { [ -f "$BIN/.$1.version" ] && [ "$(cat "$BIN/.$1.version")" = "$2" ]; }
stamp() { echo "$2" >"$BIN/.$1.version"; }

# k8s.io/kubernetes replaces every staging module with a local path, so `go install` refuses it.
# The wrapper requires it and points each staging module at its published v0.X.Y instead.
build_kubernetes() {
    stamp_ok kubernetes "$KUBERNETES_VERSION" && return
    local dir="$WORK/kubernetes" staging="v0.${KUBERNETES_VERSION#v1.}"
    mkdir -p "$dir"
    local upstream
    upstream="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
    {
        echo "module fastapi-k8s.local/cluster-build"
        echo
        grep -E '^go ' "$upstream"
        echo
        echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
        echo
        echo "replace ("
        grep -E '^\s+k8s\.io/[a-z0-9-]+ => \./staging/' "$upstream" | awk -v v="$staging" '{print "\t" $1 " => " $1 " " v}'
        echo ")"
    } >"$dir/go.mod"
    printf 'package tools\n\nimport _ "k8s.io/kubernetes/cmd/kubelet/app"\n' >"$dir/tools.go"
    (cd "$dir" && { go mod tidy >/dev/null 2>&1 || true; })
    local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitTreeState=clean"
    for cmd in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubeadm kubectl; do
        log "building $cmd $KUBERNETES_VERSION"
        (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$BIN/$cmd" "k8s.io/kubernetes/cmd/$cmd")
    done
    stamp kubernetes "$KUBERNETES_VERSION"
}

# etcd's own main module carries replace directives; its server package is enough for a main.
build_etcd() {
    stamp_ok etcd "$ETCD_VERSION" && return
    local dir="$WORK/etcd"
    mkdir -p "$dir"
    printf 'module fastapi-k8s.local/etcd-build\n\ngo 1.23\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$dir/go.mod"
    printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >"$dir/main.go"
    log "building etcd $ETCD_VERSION"
    (cd "$dir" && go mod tidy && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" .)
    stamp etcd "$ETCD_VERSION"
}

build_installable() { # name module version
    stamp_ok "$1" "$3" && return
    log "building $1 $3"
    GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "$2@$3"
    stamp "$1" "$3"
}

# Cilium v1.15.19 from the committed wrapper module scripts/cluster/modules/cilium, whose go.sum
# pins every dependency (built in a copy of it): the operator (LoadBalancer addresses; the "generic"
# variant, which it picks by its file name, for clusters outside a cloud), the agent and its CNI
# plugin (NetworkPolicy enforcement, chained after the bridge). The agent compiles its datapath at
# run time from the module's bpf/ C sources, kept beside the binaries.
build_cilium() {
    local module="$REPO_ROOT/scripts/cluster/modules/cilium" dir="$WORK/cilium" want source
    want="$CILIUM_VERSION-$(cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -c1-12)"
    stamp_ok cilium "$want" && return
    rm -rf "$dir" && cp -r "$module" "$dir"
    log "building cilium-operator, cilium-agent and cilium-cni $CILIUM_VERSION"
    (
        cd "$dir"
        export GOFLAGS=-mod=readonly
        go build -trimpath -ldflags "-s -w" -tags ipam_provider_operator -o "$BIN/cilium-operator-generic" github.com/cilium/cilium/operator
        go build -trimpath -ldflags "-s -w" -o "$BIN/cilium-agent" github.com/cilium/cilium/daemon
        go build -trimpath -ldflags "-s -w" -o "$BIN/cilium-cni" github.com/cilium/cilium/plugins/cilium-cni
    )
    source="$(cd "$dir" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' github.com/cilium/cilium)"
    rm -rf "$CACHE/cilium-bpf" && cp -r "$source/bpf" "$CACHE/cilium-bpf" && chmod -R u+w "$CACHE/cilium-bpf"
    stamp cilium "$want"
}

# Traefik (the ingress controller) from the committed wrapper module scripts/cluster/modules/traefik.
# v3.6 is the newest minor whose dependencies the proxy serves: 3.7 moved to lego v5, whose DNS
# providers' SDKs it refuses (docs/cluster.md).
build_traefik() {
    local module="$REPO_ROOT/scripts/cluster/modules/traefik" dir="$WORK/traefik" want
    want="$TRAEFIK_VERSION-$(cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -c1-12)"
    stamp_ok traefik "$want" && return
    rm -rf "$dir" && cp -r "$module" "$dir"
    log "building traefik $TRAEFIK_VERSION"
    (
        cd "$dir"
        GOFLAGS=-mod=readonly go build -trimpath -o "$BIN/traefik" \
            -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
            github.com/traefik/traefik/v3/cmd/traefik
    )
    stamp traefik "$want"
}

build_kubernetes
build_etcd
build_cilium
build_traefik
build_installable coredns github.com/coredns/coredns "$COREDNS_VERSION"
build_installable registry github.com/distribution/distribution/v3/cmd/registry "$REGISTRY_VERSION"
build_installable metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server "$METRICS_SERVER_VERSION"
echo "$BIN"
