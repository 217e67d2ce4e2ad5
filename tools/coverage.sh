#!/usr/bin/env bash
# Line coverage of src/ by the whole test suite, with gcovr (Debian package gcovr), in its own build folder.
#
#   tools/coverage.sh            # configure build-cov if needed, build, run every test, print the figures
#
# Prints the line coverage per file and per folder (src/, src/providers/, and headers in include/) and leaves
# an HTML report with the uncovered lines in build-cov/coverage/index.html. CPU heavy: a full debug build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v gcovr >/dev/null || { echo "coverage.sh: gcovr is missing (apt-get install gcovr)" >&2; exit 2; }
if [ ! -f build-cov/build.ninja ]; then
  meson setup build-cov --buildtype=debug -Db_coverage=true >&2
fi
ninja -C build-cov >&2
find build-cov -name '*.gcda' -delete
# Failures are reported but do not stop the report: the figures are still worth seeing.
meson test -C build-cov --num-processes 2 >&2 || echo "coverage.sh: some tests failed" >&2
mkdir -p build-cov/coverage
gcovr -r . build-cov --filter 'src/' --filter 'include/' --exclude 'build-cov/' \
  --json-summary build-cov/coverage/summary.json --html-details build-cov/coverage/index.html \
  --txt build-cov/coverage/files.txt >&2
/usr/bin/python3 - build-cov/coverage/summary.json <<'PY'
import collections, json, os, sys
with open(sys.argv[1]) as f:
    files = json.load(f)["files"]
folders = collections.defaultdict(lambda: [0, 0])
for entry in files:
    folder = os.path.dirname(entry["filename"]) + "/"
    folders[folder][0] += entry["line_covered"]
    folders[folder][1] += entry["line_total"]
for entry in sorted(files, key=lambda e: e["filename"]):
    print("%-45s %5d / %5d  %5.1f%%" % (entry["filename"], entry["line_covered"], entry["line_total"],
                                       100.0 * entry["line_covered"] / max(entry["line_total"], 1)))
print()
total = [0, 0]
for folder, (covered, lines) in sorted(folders.items()):
    total[0] += covered
    total[1] += lines
    print("%-45s %5d / %5d  %5.1f%%" % (folder, covered, lines, 100.0 * covered / max(lines, 1)))
print("%-45s %5d / %5d  %5.1f%%" % ("all", total[0], total[1], 100.0 * total[0] / max(total[1], 1)))
PY
