#!/usr/bin/env bash
# Provisions everything the local stack and the tests need, idempotently, caching in .local/:
#   node modules, the Kafka broker's jars (Maven Central), FerretDB (go install; SQLite and
#   PostgreSQL backends), Prometheus, Alertmanager, promtool and the PostgreSQL server (Debian
#   packages), Chromium for report tests,
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
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
[ "$node_major" = "20" ] || fail "Node.js 20 is required (found $(node --version 2>/dev/null || echo none))"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Debian packages: Java, Maven, Prometheus, Alertmanager, promtool, Chromium ---------------
need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v prometheus >/dev/null || need_apt+=(prometheus)
command -v promtool >/dev/null || need_apt+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need_apt+=(prometheus-alertmanager)
command -v chromium >/dev/null || need_apt+=(chromium)
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
