#!/usr/bin/env bash
# Builds promql-eval (test/e2e/promql: Prometheus's own PromQL engine and storage, from the Go module
# proxy) into ~/.cache/berth-e2e, keyed by its sources. The e2e tier evaluates Karpenter's dashboard
# queries with it over scrapes of a running leader. Prints the binary's path on stdout; progress on
# stderr. Without Go it fails and says why (exit 3): the dashboard check is never skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$(dirname "$0")/go-tool.sh"
need_go "the dashboard check builds Prometheus's PromQL engine with it"
# Keyed by the contents alone (not the paths): every clone shares the build.
key="$(cat "$here/promql/go.mod" "$here/promql/go.sum" "$here/promql/main.go" "$0" | sha256sum | cut -c1-16)"
bin="${BERTH_E2E_CACHE:-$HOME/.cache/berth-e2e}/promql-eval-$key"
if [ ! -x "$bin" ]; then
  echo "berth e2e: building promql-eval into $bin (first run only; about 3 minutes)" >&2
  start=$(date +%s)
  scratch_go_cache
  mkdir -p "$(dirname "$bin")"
  (cd "$here/promql" && go build -trimpath -ldflags='-s -w' -o "$bin.tmp" .) >&2
  mv "$bin.tmp" "$bin"
  echo "berth e2e: promql-eval built in $(( $(date +%s) - start ))s" >&2
fi
echo "$bin"
