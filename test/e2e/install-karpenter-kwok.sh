#!/usr/bin/env bash
# Installs Karpenter's own controller with its kwok cloud provider (sigs.k8s.io/karpenter/kwok, the
# controller Karpenter's performance suite runs) from the Go module proxy, cached under
# ~/.cache/berth-e2e/karpenter-kwok-<version>, with its CRDs (karpenter.sh NodePool, NodeClaim,
# NodeOverlay; autoscaling.x-k8s.io CapacityBuffer; karpenter.kwok.sh KWOKNodeClass) copied beside it.
# Prints the folder holding `kwok` (the controller; the binary shares kwok's name, hence its own
# folder) and `crds/`; progress on stderr. Without Go it fails and says why.
set -euo pipefail
version=v1.15.0
# Karpenter v1.15 needs Go 1.26.9 or newer; the Go command fetches the 1.27.3 toolchain from the
# module proxy (about 76 MB, once) when the machine's own Go is older.
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
cache="${BERTH_E2E_CACHE:-$HOME/.cache/berth-e2e}/karpenter-kwok-$version"
. "$(dirname "$0")/go-tool.sh"
need_go "the cluster bench builds Karpenter's kwok controller with it"
mkdir -p "$cache"
if [ ! -x "$cache/kwok" ]; then
  echo "berth bench: building Karpenter $version (kwok provider) into $cache (first run only; about 4 minutes)" >&2
  start=$(date +%s)
  scratch_go_cache
  GOBIN="$cache" go install -trimpath -ldflags='-s -w' "sigs.k8s.io/karpenter/kwok@$version" >&2
  echo "berth bench: Karpenter built in $(( $(date +%s) - start ))s" >&2
fi
if [ ! -s "$cache/crds/karpenter.kwok.sh_kwoknodeclasses.yaml" ]; then
  mod="$(go env GOMODCACHE)/sigs.k8s.io/karpenter@$version"
  [ -d "$mod" ] || go mod download "sigs.k8s.io/karpenter@$version" >&2
  mkdir -p "$cache/crds"
  cp "$mod"/kwok/charts/crds/*.yaml "$mod/kwok/apis/crds/karpenter.kwok.sh_kwoknodeclasses.yaml" "$cache/crds/"
  chmod u+w "$cache"/crds/*.yaml
fi
echo "$cache"
