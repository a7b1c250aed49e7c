#!/usr/bin/env bash
# Commits the stack file a release changed (the image references a stage now runs) back to main,
# so the repository always says what every stage runs. Used by .github/workflows/main.yml.
#   scripts/release/record-release.sh <stack> <commit-sha>
source "$(dirname "$0")/../lib.sh"
stack="${1:?usage: record-release.sh <stack> <commit-sha>}"
sha="${2:?usage: record-release.sh <stack> <commit-sha>}"
cd "$REPO_ROOT"
file="Pulumi.$stack.yaml"
if git diff --quiet -- "$file"; then
    log "$file unchanged: nothing to record"
    exit 0
fi
git config user.name "fastapi-k8s release"
git config user.email "release@users.noreply.github.com"
git add "$file"
git commit -q -m "release: $stack runs ${sha:0:12} [skip ci]"
# Another stage may have recorded meanwhile; their files differ from ours, so a rebase is clean.
for attempt in 1 2 3; do
    git pull -q --rebase origin main && git push -q origin HEAD:main && exit 0
    log "push of the $stack record failed (attempt $attempt); retrying"
    sleep $((attempt * 5))
done
echo "record-release: could not push the $stack record" >&2
exit 1
