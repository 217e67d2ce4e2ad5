#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Mediabase and then either starts a demo or runs every test.
#
#   tools/bootstrap.sh demo   install what is missing, build, start the server on a generated demo library
#   tools/bootstrap.sh test   install what is missing, build with warnings as errors, run every test
#
# Packages come from Debian (apt) and, for the browser tests, playwright-core from npm.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD_PACKAGES=(g++ meson ninja-build pkg-config python3 libboost1.81-dev libboost-json1.81-dev
  libboost-url1.81-dev libboost-test1.81-dev libboost-program-options1.81-dev libsoci-dev libsqlite3-dev
  libssl-dev libspdlog-dev libpugixml-dev libsodium-dev ca-certificates)
# The PostgreSQL catalogue: SOCI's backend (in libsoci-dev) over libpq.
BUILD_PACKAGES+=(libpq-dev)
# utf8proc folds names (Unicode normalisation, case, diacritics: src/naming/fold.cpp).
BUILD_PACKAGES+=(libutf8proc-dev)
# gzip and br answers (src/http/compression.cpp).
BUILD_PACKAGES+=(zlib1g-dev libbrotli-dev)
# Media information read from the files themselves (src/providers/media_probe.cpp).
BUILD_PACKAGES+=(libavformat-dev)
# clang-14 and its sanitizer runtimes build the libFuzzer targets (fuzz/run.sh).
TEST_PACKAGES=(python3-websocket sqlite3 chromium clang-14 libclang-rt-14-dev ffmpeg)
# A throwaway PostgreSQL cluster runs the catalogue suite and postgres_flow on PostgreSQL (tools/pg_cluster.sh);
# postgresql-contrib's unaccent, pg_trgm and citext ship with the server package.
TEST_PACKAGES+=(postgresql)
# ffmpeg draws a few real, tiny video files into the demo library (so media information shows).
DEMO_PACKAGES=(ffmpeg)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# step N TEXT COMMAND...: runs COMMAND with its output in $DEMO_LOG, printing one line; on failure the log.
step() {
  local n="$1" text="$2" t0=$SECONDS; shift 2
  printf '[%s/5] %s ... ' "$n" "$text" >&2
  echo "== [$n/5] $text: $*" >>"$DEMO_LOG"
  if "$@" >>"$DEMO_LOG" 2>&1; then
    echo "ok ($((SECONDS - t0)) s)" >&2
  else
    echo "FAILED" >&2
    tail -n 60 "$DEMO_LOG" >&2
    echo "(the whole log: $DEMO_LOG)" >&2
    exit 1
  fi
}

build() {
  local dir="$1"; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >&2
  fi
  ninja -C "$dir" >&2
}

case "${1:-}" in
  demo)
    # One short line per step; the full output of each goes to $DEMO_LOG and is shown when a step fails.
    if [ -n "${MEDIABASE_PORT:-}" ]; then
      echo "MEDIABASE_PORT is not read; set the address instead: MEDIABASE_LISTEN=127.0.0.1:$MEDIABASE_PORT" >&2
      exit 2
    fi
    LISTEN="${MEDIABASE_LISTEN:-127.0.0.1:3267}"
    case "$LISTEN" in
      *:0|*:) echo "MEDIABASE_LISTEN=$LISTEN: the demo needs a fixed port (such as 127.0.0.1:8080)" >&2; exit 2 ;;
    esac
    DEMO="${MEDIABASE_DEMO_DIR:-$ROOT/demo-library}"
    DATA="${MEDIABASE_DATA:-$ROOT/.demo-data}"
    BUILD_DIR="${MEDIABASE_BUILD_DIR:-build}"
    mkdir -p "$DATA"
    DEMO_LOG="$DATA/bootstrap.log"
    : > "$DEMO_LOG"
    started=$SECONDS
    step 1 "packages" install_missing "${BUILD_PACKAGES[@]}" "${DEMO_PACKAGES[@]}"
    if [ ! -f "$BUILD_DIR/build.ninja" ]; then
      step 2 "configure (meson)" meson setup "$BUILD_DIR" --buildtype=release
    else
      step 2 "configure (meson): already done in $BUILD_DIR" true
    fi
    # Only the server: the tests and benchmarks are built by `tools/bootstrap.sh test`.
    step 3 "build the server (ninja mediabase; the first build takes a few minutes)" ninja -C "$BUILD_DIR" mediabase
    if [ ! -d "$DEMO" ]; then
      step 4 "generate the demo library in $DEMO" /usr/bin/python3 tools/gen_library.py "$DEMO" --demo
    else
      step 4 "demo library: $DEMO (exists)" true
    fi
    URL="http://$LISTEN"
    echo "[5/5] serving $URL  (catalogue in $DATA; the first import starts by itself; Ctrl-C stops)" >&2
    echo "      demo only: --auth trusted-networks, so this machine needs no login (README, Security, for real use)" >&2
    echo "      ready $((SECONDS - started)) s after start; full log: $DEMO_LOG" >&2
    # The first import starts once the server answers, so the library fills while you watch. Later starts
    # import only what changed (the server watches the folder).
    /usr/bin/python3 - "$URL" "$DATA" >>"$DEMO_LOG" 2>&1 <<'PY' &
import json, os, sys, time, urllib.request
url, data = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url + "/api/v1/imports?limit=1", timeout=2) as answer:
            imports = json.load(answer)["imports"]
        break
    except OSError:
        time.sleep(0.2)  # the server is still starting: poll its port until the deadline
else:
    sys.exit("the server did not answer within 60 s")
if not imports:
    request = urllib.request.Request(url + "/api/v1/import", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        print("first import started:", json.load(answer)["id"])
PY
    exec "$BUILD_DIR/mediabase" serve --media "$DEMO" --data "$DATA" --listen "$LISTEN" --auth trusted-networks
    ;;
  test)
    install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    # Node.js may come from elsewhere with npm built in; Debian's packages only when there is none.
    command -v npm >/dev/null || install_missing nodejs npm
    if [ -f tests/ui/package.json ]; then
      (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
    build build-ci --buildtype=debugoptimized -Dwerror=true
    # The PostgreSQL tests' cluster: under a temp dir, unix socket only, stopped (and removed) at exit.
    if [ -z "${MEDIABASE_TEST_POSTGRES:-}" ]; then
      PG_DIR="$(mktemp -d /tmp/mediabase-pg-XXXXXX)"
      trap 'tools/pg_cluster.sh stop "$PG_DIR" || true; rm -rf "$PG_DIR"' EXIT
      if MEDIABASE_TEST_POSTGRES="$(tools/pg_cluster.sh start "$PG_DIR")"; then
        export MEDIABASE_TEST_POSTGRES
        echo "PostgreSQL test cluster: $MEDIABASE_TEST_POSTGRES" >&2
      elif [ "${CI:-}" = "true" ]; then
        echo "cannot start the PostgreSQL test cluster (CI=true: that is a failure)" >&2
        exit 1
      else
        echo "cannot start a PostgreSQL test cluster: its tests are skipped" >&2
      fi
    fi
    status=0
    meson test -C build-ci --print-errorlogs --num-processes 2 >&2 || status=$?
    # Every libFuzzer target for a short bounded run (ASan + UBSan); each target counts as one test.
    MEDIABASE_FUZZ_BUILD="$ROOT/build-fuzz-ci" fuzz/run.sh "${MEDIABASE_FUZZ_SECONDS:-10}" \
      > build-ci/fuzz-summary.txt 2>&1 || status=1
    cat build-ci/fuzz-summary.txt >&2
    /usr/bin/python3 - build-ci/meson-logs/testlog.json build-ci/fuzz-summary.txt <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
with open(sys.argv[2]) as fuzz:
    lines = [line for line in fuzz if ": ok," in line or ": FAILED" in line]
passed += sum(": ok," in line for line in lines)
failed += sum(": FAILED" in line for line in lines)
if not lines:
    failed += 1  # the fuzz build failed: no target ran
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
    exit "$status"
    ;;
  *)
    echo "usage: tools/bootstrap.sh demo|test" >&2
    exit 2
    ;;
esac
