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
  libssl-dev libspdlog-dev libpugixml-dev ca-certificates)
# gzip and br answers (src/http/compression.cpp).
BUILD_PACKAGES+=(zlib1g-dev libbrotli-dev)
# clang-14 and its sanitizer runtimes build the libFuzzer targets (fuzz/run.sh).
TEST_PACKAGES=(python3-websocket sqlite3 chromium clang-14 libclang-rt-14-dev)

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

build() {
  local dir="$1"; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >&2
  fi
  ninja -C "$dir" >&2
}

case "${1:-}" in
  demo)
    install_missing "${BUILD_PACKAGES[@]}"
    build build --buildtype=release
    DEMO="${MEDIABASE_DEMO_DIR:-$ROOT/demo-library}"
    if [ ! -d "$DEMO" ]; then
      /usr/bin/python3 tools/gen_library.py "$DEMO" --demo >/dev/null
    fi
    echo "Demo library: $DEMO  (data in $ROOT/.demo-data)" >&2
    echo "Start an import from the page, or: curl -X POST http://127.0.0.1:${MEDIABASE_PORT:-3267}/api/v1/import" >&2
    exec build/mediabase serve --media "$DEMO" --data "$ROOT/.demo-data" \
      --listen "127.0.0.1:${MEDIABASE_PORT:-3267}"
    ;;
  test)
    install_missing "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    # Node.js may come from elsewhere with npm built in; Debian's packages only when there is none.
    command -v npm >/dev/null || install_missing nodejs npm
    if [ -f tests/ui/package.json ]; then
      (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
    build build-ci --buildtype=debugoptimized -Dwerror=true
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
