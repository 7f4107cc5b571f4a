# Sourced by the scripts that build the e2e tier's tools with Go (the control plane, kwok, Karpenter's
# kwok controller, helm, promql-eval, Karpenter's CRDs).
#
# need_go WHAT: puts Go on PATH (the official /usr/local/go, or Debian's) or exits 3 saying that WHAT
# needs it: the tier is never skipped.
#
# scratch_go_cache: Go's build cache for this build alone, removed when the script exits. The binaries
# are what is kept (~/.cache/berth-e2e); the compiled packages behind them are not worth the disk: one
# Kubernetes control plane leaves about 4 GB in Go's build cache, and the tier builds two (1.37 and
# the oldest supported minor) beside kwok and Karpenter's controller. BERTH_E2E_GOCACHE=shared keeps
# Go's own cache instead (faster rebuilds after a version bump, for those with the disk).
need_go() {
  if ! command -v go >/dev/null 2>&1; then
    for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do
      if [ -x "$g" ]; then
        PATH="$(dirname "$g"):$PATH"
        export PATH
        break
      fi
    done
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "berth: Go is not installed; $1 (https://go.dev/dl/)" >&2
    exit 3
  fi
}

scratch_go_cache() {
  [ "${BERTH_E2E_GOCACHE:-}" = shared ] && return 0
  GOCACHE="$(mktemp -d "${TMPDIR:-/tmp}/berth-gocache.XXXXXX")"
  export GOCACHE
  trap 'rm -rf "$GOCACHE"' EXIT
}
