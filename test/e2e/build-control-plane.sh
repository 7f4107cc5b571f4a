#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and etcd from the official Go modules,
# cached under ~/.cache/berth-e2e. The module folder pins k8s.io/kubernetes and its staging modules:
# test/e2e/kube (Kubernetes 1.37, the e2e tier's), or the one BERTH_E2E_KUBE names (kube-1.32, the
# oldest minor Berth supports). Prints the bin folder on stdout; progress on stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mod="$here/${BERTH_E2E_KUBE:-kube}"
[ -f "$mod/go.mod" ] || { echo "berth e2e: no Go module at $mod (BERTH_E2E_KUBE=${BERTH_E2E_KUBE:-})" >&2; exit 3; }
version="$(grep -o 'k8s.io/kubernetes v[0-9.]*' "$mod/go.mod" | head -1 | cut -d' ' -f2)"
cache="${BERTH_E2E_CACHE:-$HOME/.cache/berth-e2e}/$version"
bin="$cache/bin"
. "$(dirname "$0")/go-tool.sh"
need_go "the e2e tier builds the Kubernetes control plane with it"
# Keyed by the module's contents alone (not its path): every clone shares the build.
stamp="$bin/.built-$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-16)"
if [ -f "$stamp" ]; then echo "$bin"; exit 0; fi
echo "berth e2e: building the control plane $version into $bin (first run only; several minutes)" >&2
start=$(date +%s)
mkdir -p "$bin"
scratch_go_cache
major="${version#v}"; major="${major%%.*}"
minor="${version#v*.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
(cd "$mod" && go build -trimpath -ldflags="$ldflags" -o "$bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler ./cmd/etcd) >&2
rm -f "$bin"/.built-*
touch "$stamp"
echo "berth e2e: control plane built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
