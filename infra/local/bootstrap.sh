#!/usr/bin/env bash
# Provisions everything the local stack and the tests need, idempotently, caching in .local/:
#   node modules, the Kafka broker's jars (Maven Central), FerretDB (go install; SQLite and
#   PostgreSQL backends), Prometheus with promtool and Alertmanager with amtool (go install, the
#   releases docker-compose.yml runs), the PostgreSQL server (Debian package), Chromium for report
#   tests,
#   schemathesis (PyPI, in a venv) for schema fuzzing, then builds every workspace.
#   Safe to run again: each step checks before it works.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# The environment's FERRETDB_BACKEND wins over versions.env's line (as in packages/devstack).
backend_from_env="${FERRETDB_BACKEND:-}"
# shellcheck source=versions.env
source infra/local/versions.env
FERRETDB_BACKEND="${backend_from_env:-${FERRETDB_BACKEND:-sqlite}}"
case "$FERRETDB_BACKEND" in sqlite | postgresql) ;; *) printf 'FERRETDB_BACKEND=%s is not sqlite or postgresql\n' "$FERRETDB_BACKEND" >&2; exit 1 ;; esac
TOOLS="$ROOT/.local/tools"
mkdir -p "$TOOLS/bin"
step() { printf '\033[1m[provision]\033[0m %s\n' "$*"; }
fail() { printf '\033[31m[provision] %s\033[0m\n' "$*" >&2; exit 1; }
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

# --- Node ------------------------------------------------------------------------------------
# Node.js $NODE_VERSION (versions.env; the major of package.json `engines`, of the Docker image and of
# CI) into $TOOLS/node-$NODE_VERSION, from the npm registry's node-<os>-<cpu> package, which holds the
# official binary (nodejs.org need not be reachable; npm checks the tarball's integrity and caches it).
# Whatever Node and npm launched this script (Node >= 20, npm >= 10) only fetch it: from here on PATH
# starts with its bin/, where `npm` and `npx` run the machine's npm CLI on it. infra/local/node.sh
# runs the npm scripts' programs the same way.
NODE_DIR="$TOOLS/node-$NODE_VERSION"
if [ ! -f "$NODE_DIR/.complete" ] || [ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  case "$(uname -s)" in Linux) node_os=linux ;; Darwin) node_os=darwin ;; *) fail "no Node.js package for $(uname -s) (Linux and macOS only)" ;; esac
  case "$(uname -m)" in x86_64 | amd64) node_cpu=x64 ;; aarch64 | arm64) node_cpu=arm64 ;; *) fail "no Node.js package for $(uname -m) (x86_64 and arm64 only)" ;; esac
  node_pkg="node-$node_os-$node_cpu@$NODE_VERSION"
  command -v npm >/dev/null || fail "npm (>= 10, with any Node >= 20) is required to fetch Node.js $NODE_VERSION ($node_pkg)"
  step "provisioning Node.js $NODE_VERSION ($node_pkg from the npm registry, about 50 MB the first time)"
  node_dl="$TOOLS/src/node-$NODE_VERSION"
  rm -rf "$node_dl" "$NODE_DIR.tmp" && mkdir -p "$node_dl" "$NODE_DIR.tmp"
  (cd "$node_dl" && npm pack "$node_pkg" --pack-destination "$node_dl" --loglevel=error >/dev/null) ||
    fail "could not fetch $node_pkg from the npm registry (no such platform package for this version? see versions.env)"
  # package/{bin/node,include/node,share,LICENSE}: the layout of the official archive.
  tar -xzf "$node_dl"/node-*.tgz -C "$NODE_DIR.tmp" --strip-components=1
  found="$("$NODE_DIR.tmp/bin/node" --version 2>/dev/null || echo none)"
  [ "$found" = "v$NODE_VERSION" ] || fail "$node_pkg holds a node that says $found, not v$NODE_VERSION"
  touch "$NODE_DIR.tmp/.complete"
  rm -rf "$NODE_DIR" && mv "$NODE_DIR.tmp" "$NODE_DIR"
  rm -rf "$node_dl"
fi
# npm and npx: the machine's npm CLI (the one that ran `npm test`, else the one on the PATH), run by
# the provisioned node. Rewritten on every run, so that they follow an upgraded or moved npm.
npm_cli="${npm_execpath:-}"
case "$npm_cli" in *npm-cli.js) ;; *) npm_cli="$(readlink -f "$(command -v npm 2>/dev/null || echo /nonexistent)" 2>/dev/null || true)" ;; esac
case "$npm_cli" in *npm-cli.js) ;; *) npm_cli="$(npm root -g 2>/dev/null || true)/npm/bin/npm-cli.js" ;; esac
[ -f "$npm_cli" ] && [ -f "$(dirname "$npm_cli")/npx-cli.js" ] || fail "cannot find the machine's npm CLI (npm-cli.js): install npm >= 10"
for tool in npm npx; do
  wrapper="#!/bin/sh
# Written by infra/local/bootstrap.sh: the machine's $tool on Node.js $NODE_VERSION.
exec \"\$(dirname \"\$0\")/node\" \"$(dirname "$npm_cli")/$tool-cli.js\" \"\$@\"
"
  if [ "$(cat "$NODE_DIR/bin/$tool" 2>/dev/null)" != "${wrapper%$'\n'}" ]; then
    printf '%s' "$wrapper" > "$NODE_DIR/bin/$tool.tmp" && chmod +x "$NODE_DIR/bin/$tool.tmp" && mv "$NODE_DIR/bin/$tool.tmp" "$NODE_DIR/bin/$tool"
  fi
done
export PATH="$NODE_DIR/bin:$PATH"
# The machine's npm configuration may point node-gyp at its own Node's headers (nodedir=/usr on
# Debian): native modules built from source must use the provisioned Node's (include/node).
export npm_config_nodedir="$NODE_DIR"
hash -r
[ "$(node --version)" = "v$NODE_VERSION" ] || fail "node on the PATH is $(node --version), not v$NODE_VERSION"
npm_version="$(npm --version 2>/dev/null || echo none)"
case "$npm_version" in 1[0-9].* | [2-9][0-9].*) ;; *) fail "the machine's npm ($npm_cli) does not run on Node.js $NODE_VERSION (npm --version: $npm_version); npm >= 10 is required" ;; esac
[ "$(npm exec --loglevel=error -c 'node --version')" = "v$NODE_VERSION" ] || fail "npm scripts do not run on Node.js $NODE_VERSION"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  node --version > node_modules/.node-version
elif [ "$(cat node_modules/.node-version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  # Installed by another Node (node_modules/.node-version records which): run the install scripts
  # again in place, so that a native module is built for (or picks the prebuilt binary of) this one.
  step "rebuilding node modules for Node.js $NODE_VERSION (npm rebuild)"
  npm rebuild --no-audit --no-fund --loglevel=error
  node --version > node_modules/.node-version
fi

# --- Debian packages: Java, Maven, Chromium (Prometheus and Alertmanager are built below) -------
need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v chromium >/dev/null || need_apt+=(chromium)
# PDF report tests turn pages into PNGs (pdftoppm) and read their text and fonts (pdftotext, pdffonts).
command -v pdftoppm >/dev/null || need_apt+=(poppler-utils)
# A CJK font, so that headless Chromium draws the Chinese of reports and dashboard previews.
fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" || need_apt+=(fonts-wqy-microhei)
# The PostgreSQL server for FerretDB's postgresql backend (and the backend bench). Debian keeps its
# programs in /usr/lib/postgresql/<major>/bin, off the PATH; the client alone (psql) is not enough.
# The devstack starts a cluster of its own (initdb in the stack's folder, run as the package's
# `postgres` user when we are root): the system's service manager is not used. On a host whose
# service manager starts the package's `main` cluster, that one keeps 5432; ours use 5433/25433.
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && [ ! -x "${POSTGRES_BIN_DIR:-/nonexistent}/postgres" ] && ! command -v postgres >/dev/null; then
  if [ "$(id -u)" = "0" ] || [ "$FERRETDB_BACKEND" = "postgresql" ]; then
    need_apt+=(postgresql)
  else
    step "PostgreSQL server not installed: only FERRETDB_BACKEND=postgresql and the backend bench need it"
  fi
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  [ "$(id -u)" = "0" ] || fail "missing ${need_apt[*]}: run as root or install them with apt-get"
  step "installing Debian packages: ${need_apt[*]} (a few minutes the first time)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# --- Kafka jars from Maven Central -----------------------------------------------------------
KAFKA_LIBS="$TOOLS/kafka-$KAFKA_VERSION/libs"
# Re-resolve when the pom gained an artifact since the last run: the benchmarks need kafka-tools
# (ConsumerPerformance), which older checkouts did not resolve.
if [ ! -f "$TOOLS/kafka-$KAFKA_VERSION/.complete" ] || [ ! -f "$KAFKA_LIBS/kafka-tools-$KAFKA_VERSION.jar" ]; then
  step "resolving Apache Kafka $KAFKA_VERSION jars with Maven (about a minute the first time)"
  rm -rf "$KAFKA_LIBS" && mkdir -p "$KAFKA_LIBS"
  mvn -q -B -f infra/local/kafka/pom.xml -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime
  touch "$TOOLS/kafka-$KAFKA_VERSION/.complete"
fi

# --- FerretDB (go install from the module, with its version file filled in) -------------------
FERRET_BIN="$TOOLS/bin/ferretdb-$FERRETDB_VERSION"
if [ ! -x "$FERRET_BIN" ]; then
  command -v go >/dev/null || fail "Go is required to build FerretDB (go install)"
  step "building FerretDB $FERRETDB_VERSION with go install (a few minutes the first time)"
  src_dir="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
  work="$TOOLS/src/ferretdb-$FERRETDB_VERSION"
  rm -rf "$work" && mkdir -p "$(dirname "$work")" && cp -r "$src_dir" "$work" && chmod -R u+w "$work"
  # The module zip lacks the generated version files that `bin/task gen-version` writes from git.
  echo "$FERRETDB_VERSION" > "$work/build/version/version.txt"
  echo "$FERRETDB_VERSION" > "$work/build/version/branch.txt"
  echo "unknown" > "$work/build/version/commit.txt"
  echo "go-install" > "$work/build/version/package.txt"
  (cd "$work" && GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod go install ./cmd/ferretdb)
  mv "$TOOLS/bin/ferretdb" "$FERRET_BIN"
  rm -rf "$work"
fi

# --- Prometheus + promtool, Alertmanager + amtool (go install, versions.env) --------------------
# The releases docker-compose.yml runs (not Debian's older packages), into versioned folders that
# packages/testkit (tools.ts) and packages/devstack resolve from versions.env:
#   $TOOLS/bin/prometheus-$PROMETHEUS_VERSION/{prometheus,promtool}
#   $TOOLS/bin/alertmanager-$ALERTMANAGER_VERSION/{alertmanager,amtool}
# Each is built into a temporary folder and moved into place when complete.
PROM_DIR="$TOOLS/bin/prometheus-$PROMETHEUS_VERSION"
if [ ! -x "$PROM_DIR/prometheus" ] || [ ! -x "$PROM_DIR/promtool" ]; then
  command -v go >/dev/null || fail "Go is required to build Prometheus (go install)"
  step "building Prometheus $PROMETHEUS_VERSION and promtool with go install (about 5 minutes the first time)"
  # Prometheus' go.mod has replace directives, which `go install module@version` refuses: build from a
  # copy of the module (like FerretDB above). Without the `builtinassets` tag and the npm-built assets
  # the binary serves no web UI; the HTTP API (all the stack and the tests use) is complete.
  src_dir="$(go mod download -json "github.com/prometheus/prometheus@$PROMETHEUS_MODULE_VERSION" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
  work="$TOOLS/src/prometheus-$PROMETHEUS_VERSION"
  rm -rf "$work" "$PROM_DIR.tmp" && mkdir -p "$(dirname "$work")" && cp -r "$src_dir" "$work" && chmod -R u+w "$work"
  # -buildvcs=false: the copy lies inside this repository, whose commit Go would stamp as Prometheus'.
  (cd "$work" && GOBIN="$PROM_DIR.tmp" GOFLAGS=-mod=mod go install -buildvcs=false \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION" ./cmd/prometheus ./cmd/promtool)
  rm -rf "$PROM_DIR" && mv "$PROM_DIR.tmp" "$PROM_DIR"
  rm -rf "$work"
fi
AM_DIR="$TOOLS/bin/alertmanager-$ALERTMANAGER_VERSION"
if [ ! -x "$AM_DIR/alertmanager" ] || [ ! -x "$AM_DIR/amtool" ]; then
  command -v go >/dev/null || fail "Go is required to build Alertmanager (go install)"
  step "building Alertmanager $ALERTMANAGER_VERSION and amtool with go install (a minute or two the first time)"
  rm -rf "$AM_DIR.tmp"
  GOBIN="$AM_DIR.tmp" go install -ldflags "-s -w -X github.com/prometheus/common/version.Version=$ALERTMANAGER_VERSION" \
    "github.com/prometheus/alertmanager/cmd/alertmanager@v$ALERTMANAGER_VERSION" \
    "github.com/prometheus/alertmanager/cmd/amtool@v$ALERTMANAGER_VERSION"
  rm -rf "$AM_DIR" && mv "$AM_DIR.tmp" "$AM_DIR"
fi

# --- schemathesis (PyPI) for schema fuzzing (packages/fuzz), in a venv of its own ---------------
ST_DIR="$TOOLS/schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -f "$ST_DIR/.complete" ]; then
  if ! python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    [ "$(id -u)" = "0" ] || fail "Python >= 3.9 with venv is required for schemathesis: install python3 and python3-venv"
    step "installing Debian packages: python3 python3-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
  fi
  step "installing schemathesis $SCHEMATHESIS_VERSION (pip, into $ST_DIR)"
  rm -rf "$ST_DIR"
  python3 -m venv "$ST_DIR"
  "$ST_DIR/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  "$ST_DIR/bin/schemathesis" --version >/dev/null
  touch "$ST_DIR/.complete"
fi

# --- Build -----------------------------------------------------------------------------------
step "building workspaces (turbo)"
npx turbo run build --output-logs=errors-only
