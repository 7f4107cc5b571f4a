#!/usr/bin/env bash
# Installs kwok (sigs.k8s.io/kwok, a Go program) from the Go module proxy, cached under
# ~/.cache/berth-e2e/kwok-<version>, and writes its stage configuration from the module's own stages:
# node-initialize and pod-ready/-complete/-delete ("fast"), and node heartbeats. Prints the folder
# holding `kwok` and `stages.yaml` on stdout; progress on stderr. Without Go it fails and says why.
set -euo pipefail
version=v0.8.0
cache="${BERTH_E2E_CACHE:-$HOME/.cache/berth-e2e}/kwok-$version"
. "$(dirname "$0")/go-tool.sh"
need_go "the kwok scenarios build kwok with it"
mkdir -p "$cache"
if [ ! -x "$cache/kwok" ]; then
  echo "berth e2e: building kwok $version into $cache (first run only; a few minutes)" >&2
  start=$(date +%s)
  scratch_go_cache
  GOBIN="$cache" go install -trimpath -ldflags='-s -w' "sigs.k8s.io/kwok/cmd/kwok@$version" >&2
  echo "berth e2e: kwok built in $(( $(date +%s) - start ))s" >&2
fi
if [ ! -s "$cache/stages.yaml" ]; then
  mod="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$version"
  [ -d "$mod" ] || go mod download "sigs.k8s.io/kwok@$version" >&2
  stages="$mod/kustomize/stage"
  tmp="$cache/stages.yaml.tmp"
  : > "$tmp"
  for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [ -f "$stages/$f" ] || { echo "berth e2e: kwok $version has no stage $f" >&2; exit 1; }
    { echo '---'; cat "$stages/$f"; } >> "$tmp"
  done
  mv "$tmp" "$cache/stages.yaml"
fi
echo "$cache"
