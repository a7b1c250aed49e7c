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

# Fails, saying why, unless $2 is a DNS name of the kind $1 describes (Kubernetes' own rules).
check_dns_name() { # what value max-length pattern
    if [ "${#2}" -gt "$3" ] || ! [[ "$2" =~ $4 ]]; then
        echo "$1 '$2' is not valid: expected $5 (at most $3 characters)" >&2
        return 2
    fi
}

LABEL='[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?'

issue_certificate() { # namespace secret host...
    if [ $# -lt 3 ]; then
        echo "usage: npm run cluster -- certificate <namespace> <secret> <host>..." >&2
        return 2
    fi
    local namespace="$1" secret="$2" work host san="" cn output
    shift 2
    check_dns_name namespace "$namespace" 63 "^$LABEL\$" "a DNS label: lower-case letters, digits and '-'" || return 2
    check_dns_name "Secret name" "$secret" 253 "^$LABEL(\\.$LABEL)*\$" "a DNS subdomain: lower-case letters, digits, '-' and '.'" || return 2
    for host in "$@"; do
        check_dns_name host "$host" 253 "^(\\*\\.)?$LABEL(\\.$LABEL)*\$" \
            "a DNS name: labels of 1-63 lower-case letters, digits and '-', joined by '.', optionally '*.' first" || return 2
        san="${san:+$san,}DNS:$host"
    done
    [ -f "$INGRESS_CA_DIR/ca.key" ] || { echo "no ingress CA: run 'npm run cluster -- up' first" >&2; return 1; }
    # A certificate's common name holds at most 64 characters; the hosts are in subjectAltName anyway.
    cn="$1"
    [ "${#cn}" -le 64 ] || cn="fastapi-k8s ingress certificate"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' RETURN
    if ! output=$(openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
        -keyout "$work/tls.key" -out "$work/tls.csr" 2>&1); then
        echo "openssl could not make the key and request: $output" >&2
        return 1
    fi
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san" >"$work/ext"
    if ! output=$(openssl x509 -req -in "$work/tls.csr" -CA "$INGRESS_CA_DIR/ca.crt" -CAkey "$INGRESS_CA_DIR/ca.key" -CAcreateserial \
        -CAserial "$work/ca.srl" -days "$CERTIFICATE_DAYS" -extfile "$work/ext" -out "$work/tls.crt" 2>&1); then
        echo "openssl could not sign the certificate: $output" >&2
        return 1
    fi
    if ! output=$(kubectl -n "$namespace" create secret tls "$secret" --cert "$work/tls.crt" --key "$work/tls.key" \
        --dry-run=client -o yaml | kubectl apply -f - 2>&1); then
        echo "could not write Secret $secret in $namespace: $output" >&2
        return 1
    fi
    log "issued $secret in $namespace for $* (valid $CERTIFICATE_DAYS days, CA $INGRESS_CA_OUT)"
}
