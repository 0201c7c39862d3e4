#!/usr/bin/env bash
# Runs the Node.js of versions.env (NODE_VERSION), as bootstrap.sh provisions it into
# .local/tools/node-<NODE_VERSION>/, with the given arguments:
#   bash infra/local/node.sh packages/devstack/dist/cli.js test
#   bash infra/local/node.sh node_modules/turbo/bin/turbo run build
# PATH starts with its bin/ (node, and the machine's npm and npx run by it), so that every child —
# turbo's npm, jest and its workers, services spawned with process.execPath or `node` — runs on it
# too. The package.json scripts run their programs through here; whatever Node runs npm itself only
# launches them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Only this line of versions.env: sourcing it would also change an exported FERRETDB_BACKEND.
NODE_VERSION="$(sed -n 's/^NODE_VERSION=\([^[:space:]#]*\).*$/\1/p' "$ROOT/infra/local/versions.env")"
[ -n "$NODE_VERSION" ] || { echo "infra/local/versions.env lacks NODE_VERSION" >&2; exit 1; }
NODE_DIR="$ROOT/.local/tools/node-$NODE_VERSION"
if [ ! -f "$NODE_DIR/.complete" ] || [ ! -x "$NODE_DIR/bin/node" ]; then
  printf 'Node.js %s is not provisioned yet (%s): run `npm run provision` (bash infra/local/bootstrap.sh) first\n' "$NODE_VERSION" "$NODE_DIR" >&2
  exit 1
fi
export PATH="$NODE_DIR/bin:$PATH"
# What npm tells its scripts about the Node that runs them (when npm launched us, it was another).
export NODE="$NODE_DIR/bin/node" npm_config_nodedir="$NODE_DIR"
[ -z "${npm_node_execpath:-}" ] || export npm_node_execpath="$NODE_DIR/bin/node"
exec "$NODE_DIR/bin/node" "$@"
