#!/usr/bin/env bash
# Builds (or reuses from .cache/engine/bin) the Pulumi engine this project runs on a machine without
# a Pulumi installer: the `pulumi` CLI at the version of @pulumi/pulumi in package-lock.json, and the
# kubernetes and random resource providers. Each comes from a small wrapper module in this directory
# whose go.mod/go.sum pin every dependency; no third-party source is committed.
#
# There is no pulumi-language-nodejs: the Go proxy refuses every version of it. Programs run through
# the Automation API's inline mode instead (scripts/engine/workspace.ts), where the Node.js process
# itself serves the language runtime and the CLI connects to it (`--client`).
#
# Prints the bin directory. With a suitable `pulumi` already on PATH (a user's laptop) it builds
# nothing and prints nothing: the ambient CLI and its plugin cache serve instead.
source "$(dirname "$0")/../lib.sh"
ENGINE_SRC="$REPO_ROOT/scripts/engine"
CACHE="$REPO_ROOT/.cache/engine"
BIN="$CACHE/bin"
WORK="$CACHE/build"

# The version of an npm package as package-lock.json pins it.
locked_version() {
    node -e 'const l=require(process.argv[1]); console.log(l.packages["node_modules/"+process.argv[2]].version)' \
        "$REPO_ROOT/package-lock.json" "$1"
}

# The version a wrapper's go.mod requires of a module.
required_version() { # wrapper module
    awk -v m="$2" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$ENGINE_SRC/$1/go.mod"
}

SDK_VERSION="$(locked_version @pulumi/pulumi)"
CLI_MODULE_VERSION="$(required_version cli github.com/pulumi/pulumi/pkg/v3)"
KUBERNETES_PROVIDER_VERSION="$(required_version kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4)"
RANDOM_UPSTREAM_VERSION="$(required_version random github.com/terraform-providers/terraform-provider-random)"

if [ "${FASTAPI_K8S_BUILD_ENGINE:-}" != 1 ] && command -v pulumi >/dev/null 2>&1; then
    exit 0
fi
if [ "v$SDK_VERSION" != "$CLI_MODULE_VERSION" ]; then
    echo "engine: package-lock.json pins @pulumi/pulumi $SDK_VERSION but scripts/engine/cli/go.mod builds" \
        "the CLI at $CLI_MODULE_VERSION; bump github.com/pulumi/pulumi/pkg/v3 there (go get, go mod tidy)" >&2
    exit 1
fi

# Reads go.sum instead of asking the checksum database (which lacks Pulumi's modules here); the
# committed go.sum files are the pins, and -mod=readonly refuses anything not in them.
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GONOSUMDB="github.com/pulumi,github.com/terraform-providers"
mkdir -p "$BIN" "$WORK"

stamp_ok() { [ -x "$BIN/$1" ] && [ -f "$BIN/.$1.version" ] && [ "$(cat "$BIN/.$1.version")" = "$2" ]; }
stamp() { echo "$2" >"$BIN/.$1.version"; }

# A fresh copy of a wrapper module to build in, so generated files never land in the source tree.
workdir() {
    rm -rf "${WORK:?}/$1"
    cp -r "$ENGINE_SRC/$1" "$WORK/$1"
    echo "$WORK/$1"
}

build_cli() {
    local key="$CLI_MODULE_VERSION"
    stamp_ok pulumi "$key" && return
    log "building pulumi $CLI_MODULE_VERSION"
    local dir
    dir="$(workdir cli)"
    (cd "$dir" && go build -trimpath -o "$BIN/pulumi" \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$CLI_MODULE_VERSION" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    stamp pulumi "$key"
}

# The provider embeds its schema; the module zip carries schema.json, and the embedded copy is
# that file with the version filled in (what the provider's own generate step does).
build_kubernetes_provider() {
    local key="$KUBERNETES_PROVIDER_VERSION"
    stamp_ok pulumi-resource-kubernetes "$key" && return
    log "building pulumi-resource-kubernetes $KUBERNETES_PROVIDER_VERSION"
    local dir upstream version
    dir="$(workdir kubernetes)"
    # `go mod download` fetches the module when the cache is cold (`go list -m` would not).
    upstream="$(cd "$dir" && go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4 |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')/cmd/pulumi-resource-kubernetes"
    version="$(provider_version kubernetes "$KUBERNETES_PROVIDER_VERSION")"
    python3 - "$upstream" "$dir" "$version" <<'EOF'
import json, sys
upstream, out, version = sys.argv[1:]
schema = json.load(open(f"{upstream}/schema.json"))
schema["version"] = version
json.dump(schema, open(f"{out}/schema-embed.json", "w"))
json.dump(json.load(open(f"{upstream}/terraform-mapping.json")), open(f"{out}/terraform-mapping-embed.json", "w"))
EOF
    (cd "$dir" && go build -trimpath -o "$BIN/pulumi-resource-kubernetes" \
        -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" .)
    stamp pulumi-resource-kubernetes "$key"
}

# Terraform's random provider through Pulumi's bridge: tfgen writes the schema and bridge metadata,
# then the provider binary embeds them.
build_random_provider() {
    local key="$RANDOM_UPSTREAM_VERSION"
    stamp_ok pulumi-resource-random "$key" && return
    log "building pulumi-resource-random (terraform-provider-random $RANDOM_UPSTREAM_VERSION)"
    local dir version
    dir="$(workdir random)"
    version="$(provider_version random "$RANDOM_UPSTREAM_VERSION")"
    (cd "$dir" && go build -trimpath -o "$WORK/pulumi-tfgen-random" ./cmd/pulumi-tfgen-random)
    (cd "$dir/cmd/pulumi-resource-random" && VERSION="$version" "$WORK/pulumi-tfgen-random" schema --skip-docs --skip-examples --out . >/dev/null)
    (cd "$dir" && go build -trimpath -o "$BIN/pulumi-resource-random" \
        -ldflags "-s -w -X main.version=$version" ./cmd/pulumi-resource-random)
    stamp pulumi-resource-random "$key"
}

# A semver that says what was built: the release the source follows, plus the commit it came from.
provider_version() { # name module-version
    local commit="${2##*-}"
    case "$1" in
    # The provider module at this commit requires sdk/v4 v4.24.0: it is that release's successor.
    kubernetes) echo "4.24.0+git.$commit" ;;
    # Our own bridge of Terraform's random provider (not Pulumi's pulumi-random build).
    random) echo "0.1.0+tfrandom.$commit" ;;
    esac
}

# Node.js policy packs run through this analyzer when no language host exists (the engine's
# fallback): it starts the policy runner that @pulumi/pulumi ships, resolved from the pack's
# directory the way Node resolves modules (the pack's dependencies may live in a parent directory).
install_policy_analyzer() {
    cat >"$BIN/pulumi-analyzer-policy-nodejs" <<'SH'
#!/bin/sh
runner="$(node -p 'require.resolve("@pulumi/pulumi/cmd/run-policy-pack")')" || exit 1
exec node "$runner" "$@"
SH
    chmod +x "$BIN/pulumi-analyzer-policy-nodejs"
}

build_cli
build_kubernetes_provider
build_random_provider
install_policy_analyzer
echo "$BIN"
