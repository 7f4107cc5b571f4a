#!/usr/bin/env bash
# Karpenter's own CRDs (sigs.k8s.io/karpenter pkg/apis/crds: NodePool and NodeClaim with their CEL
# rules, exactly as a Karpenter installation serves them), from the Go module proxy, cached under
# ~/.cache/berth-e2e/karpenter-crds-<version>. Prints the folder; progress on stderr. Without Go it
# fails and says why.
set -euo pipefail
version=v1.15.0
# Karpenter v1.15 names Go 1.26.9: the go command fetches 1.27.3 from the module proxy when older.
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
cache="${BERTH_E2E_CACHE:-$HOME/.cache/berth-e2e}/karpenter-crds-$version"
if [ ! -s "$cache/karpenter.sh_nodepools.yaml" ]; then
  . "$(dirname "$0")/go-tool.sh"
  need_go "Karpenter's CRDs come from its module"
  mod="$(go env GOMODCACHE)/sigs.k8s.io/karpenter@$version"
  [ -d "$mod" ] || go mod download "sigs.k8s.io/karpenter@$version" >&2
  mkdir -p "$cache"
  cp "$mod"/pkg/apis/crds/karpenter.sh_nodepools.yaml "$mod"/pkg/apis/crds/karpenter.sh_nodeclaims.yaml "$cache/"
  chmod u+w "$cache"/*.yaml
fi
echo "$cache"
