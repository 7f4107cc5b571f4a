#!/usr/bin/env bash
# Prints the folder of a Node.js 24 (the maintained LTS Berth is built and tested on) to put first on
# PATH: the machine's own `node` when it is 24 or newer, else Node.js 24 from the npm registry's `node`
# package (its platform binary), installed once into ~/.cache/berth-node.
#   export PATH="$(bash scripts/install-node.sh):$PATH"
set -euo pipefail
want=24
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge "$want" ]; then
  dirname "$(command -v node)"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "install-node.sh: needs npm (any Node.js) to fetch Node.js $want" >&2; exit 1; }
cache="${BERTH_NODE_CACHE:-$HOME/.cache/berth-node}"
bin="$cache/node_modules/node/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != "$want" ]; then
  mkdir -p "$cache"
  echo "install-node.sh: installing Node.js $want into $cache" >&2
  npm install --prefix "$cache" --no-audit --no-fund --no-save "node@$want" >&2
fi
"$bin/node" --version >&2
echo "$bin"
