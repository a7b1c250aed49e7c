#!/usr/bin/env bash
# Installs the manifest checkers, pinned, into .cache/tools (reused when already there):
# checkov and kubernetes-validate from PyPI (hash-pinned), kube-score from the Go module proxy.
source "$(dirname "$0")/lib.sh"
TOOLS="$REPO_ROOT/.cache/tools"
KUBE_SCORE_VERSION=v1.20.0
ACTIONLINT_VERSION=v1.7.12
LOCK="$REPO_ROOT/scripts/checks/requirements.txt"

mkdir -p "$TOOLS/bin"
stamp="$TOOLS/py/.requirements.sha256"
want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing checkov and kubernetes-validate into $TOOLS/py"
    python3 -m venv "$TOOLS/py"
    "$TOOLS/py/bin/pip" install -q --disable-pip-version-check --require-hashes -r "$LOCK"
    echo "$want" >"$stamp"
fi
ln -sf "$TOOLS/py/bin/checkov" "$TOOLS/bin/checkov"
ln -sf "$TOOLS/py/bin/kubernetes-validate" "$TOOLS/bin/kubernetes-validate"

if [ "$("$TOOLS/bin/kube-score" version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)" != "${KUBE_SCORE_VERSION#v}" ]; then
    log "building kube-score $KUBE_SCORE_VERSION from the Go module proxy"
    GOBIN="$TOOLS/bin" go install -ldflags "-X main.version=${KUBE_SCORE_VERSION#v}" "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
fi
if [ "$("$TOOLS/bin/actionlint" -version 2>/dev/null | head -1)" != "${ACTIONLINT_VERSION#v}" ]; then
    log "building actionlint $ACTIONLINT_VERSION from the Go module proxy"
    GOBIN="$TOOLS/bin" go install -ldflags "-X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION#v}" \
        "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
echo "$TOOLS/bin"
