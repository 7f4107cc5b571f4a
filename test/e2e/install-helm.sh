#!/usr/bin/env bash
# Installs helm (helm.sh/helm/v4, a Go program) from the Go module proxy, cached under
# ~/.cache/berth-e2e/helm-<version>. Prints the path of the `helm` binary on stdout; progress on
# stderr. Without Go it fails and says why (exit 3): the chart checks are never skipped.
set -euo pipefail
version=v4.3.1
cache="${BERTH_E2E_CACHE:-$HOME/.cache/berth-e2e}/helm-$version"
. "$(dirname "$0")/go-tool.sh"
need_go "the chart checks build helm with it"
mkdir -p "$cache"
if [ ! -x "$cache/helm" ]; then
  echo "berth: building helm $version into $cache (first run only; a few minutes)" >&2
  start=$(date +%s)
  scratch_go_cache
  GOBIN="$cache" go install -trimpath -ldflags='-s -w' "helm.sh/helm/v4/cmd/helm@$version" >&2
  echo "berth: helm built in $(( $(date +%s) - start ))s" >&2
fi
echo "$cache/helm"
