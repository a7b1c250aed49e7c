# shellcheck shell=bash
# The cluster's ingress CA and the TLS Secrets it issues; sourced by cluster.sh.
# cert-manager cannot be built here (its controller module is not served), so `up` makes a CA of
# its own (apart from the Kubernetes CA, which must sign nothing but cluster components) and
#   npm run cluster -- certificate <namespace> <secret> <host>...
# issues a certificate for the hosts into a kubernetes.io/tls Secret, the kind an Ingress's `tls`
# names. Clients trust .cache/cluster/ingress-ca.crt. `down` deletes the CA with the state.

INGRESS_CA_DIR="$CLUSTER_STATE/ingress-ca"
INGRESS_CA_OUT="$REPO_ROOT/.cache/cluster/ingress-ca.crt"
CERTIFICATE_DAYS=90

make_ingress_ca() {
    if [ ! -f "$INGRESS_CA_DIR/ca.crt" ]; then
        mkdir -p "$INGRESS_CA_DIR"
        (
            umask 077
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
                -subj "/O=fastapi-k8s local cluster/CN=fastapi-k8s ingress CA" \
                -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
                -keyout "$INGRESS_CA_DIR/ca.key" -out "$INGRESS_CA_DIR/ca.crt" 2>/dev/null
        )
    fi
    mkdir -p "$(dirname "$INGRESS_CA_OUT")"
    cp "$INGRESS_CA_DIR/ca.crt" "$INGRESS_CA_OUT"
}

issue_certificate() { # namespace secret host...
    if [ $# -lt 3 ]; then
        echo "usage: npm run cluster -- certificate <namespace> <secret> <host>..." >&2
        return 2
    fi
    local namespace="$1" secret="$2" work host san=""
    shift 2
    [ -f "$INGRESS_CA_DIR/ca.key" ] || { echo "no ingress CA: run 'npm run cluster -- up' first" >&2; return 1; }
    for host in "$@"; do
        [[ "$host" =~ ^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ ]] ||
            { echo "host '$host' is not a DNS name (lower-case letters, digits, '-' and '.', optionally '*.' first)" >&2; return 2; }
        san="${san:+$san,}DNS:$host"
    done
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' RETURN
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
        -keyout "$work/tls.key" -out "$work/tls.csr" 2>/dev/null
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san" >"$work/ext"
    openssl x509 -req -in "$work/tls.csr" -CA "$INGRESS_CA_DIR/ca.crt" -CAkey "$INGRESS_CA_DIR/ca.key" -CAcreateserial \
        -CAserial "$work/ca.srl" -days "$CERTIFICATE_DAYS" -extfile "$work/ext" -out "$work/tls.crt" 2>/dev/null
    kubectl -n "$namespace" create secret tls "$secret" --cert "$work/tls.crt" --key "$work/tls.key" \
        --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    log "issued $secret in $namespace for $* (valid $CERTIFICATE_DAYS days, CA $INGRESS_CA_OUT)"
}
