# shellcheck shell=bash
# Shared shell helpers; source it, do not run it.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
VENV="$REPO_ROOT/.venv"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# docker build with the classic builder: Debian's docker.io ships no BuildKit plugin (buildx). The
# notice that builder is deprecated, printed on every build, is dropped; any other stderr shows.
docker_build() {
    DOCKER_BUILDKIT=0 docker build "$@" 2> >(grep -v -e '^DEPRECATED: The legacy builder' -e 'BuildKit is currently disabled' \
        -e '^ *environment-variable\.$' -e '^$' >&2)
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages that are missing (apt-get update once per run).
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm ci when node_modules is missing or older than the lockfile.
ensure_node_modules() {
    if [ ! -f "$REPO_ROOT/node_modules/.package-lock.json" ] ||
        [ "$REPO_ROOT/package-lock.json" -nt "$REPO_ROOT/node_modules/.package-lock.json" ]; then
        log "npm ci"
        (cd "$REPO_ROOT" && npm ci --no-audit --no-fund)
    fi
}

# A virtualenv with the services' pinned requirements, rebuilt when they change.
ensure_python_venv() {
    local lock="$REPO_ROOT/app-images/requirements-dev.txt" stamp="$VENV/.requirements.sha256"
    local want
    want="$(sha256sum "$lock" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        log "creating $VENV from app-images/requirements-dev.txt"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check -r "$lock"
        echo "$want" >"$stamp"
    fi
}

# PostgreSQL server binaries from Debian, for the services' tests.
ensure_postgres() {
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        apt_install postgresql
    fi
}

# Builds app-images/<service>, pushes it as <repository>:<tag> and prints the reference the registry
# resolved it to, <repository>@sha256:<digest> (DOCKER_HOST chooses the engine).
publish_image() { # service repository tag
    local ref="$2:$3" digest
    bash "$REPO_ROOT/scripts/build-image.sh" "$1" "$ref" >/dev/null
    docker push -q "$ref" >/dev/null
    digest="$(docker inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$ref" | grep -F "$2@" | head -1)"
    [ -n "$digest" ] || { echo "no registry digest for $ref after the push" >&2; return 1; }
    echo "$digest"
}
