#!/usr/bin/env bash
# Name parser speed against the two npm parsers, on the same generated names, in one run.
#
#   bench/parser_speed.sh [BUILD_DIR] [COUNT]     (defaults: build, 100000)
#
# Installs the bench-only npm packages into bench/node_modules (exact versions from
# bench/package-lock.json), builds bench/parser_bench, generates COUNT realistic names with
# bench/gen_names.py and prints the corpus accuracy. Then it times the parsers in ROUNDS rounds
# (default 3), Mediabase and the npm parsers one after the other in each round, each for
# SECONDS_PER_RUN seconds (default 3) on one thread, and reports each parser's best round and the
# ratio of Mediabase to the faster npm parser. Interleaved rounds and best-of-N keep a busy machine
# from favouring whichever parser happened to run in a quiet moment.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
count=${2:-100000}
seconds=${SECONDS_PER_RUN:-3}
rounds=${ROUNDS:-3}

echo "== npm packages (bench only)"
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error

echo "== build"
if [ ! -d "$build" ]; then
    meson setup "$build" "$root"
fi
ninja -C "$build" bench/parser_bench

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/gen_names.py" "$count" > "$work/names.txt"
echo "== $(wc -l < "$work/names.txt") generated names, e.g."
sed -n '1p;2p;3p;5p;8p' "$work/names.txt" | sed 's/^/   /'

echo "== accuracy over tests/corpus/movie_names.tsv"
"$build/bench/parser_bench" --corpus "$root/tests/corpus/movie_names.tsv"

echo "== speed: $rounds rounds, ${seconds}s per parser, one thread (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
: > "$work/results.txt"
for round in $(seq 1 "$rounds"); do
    "$build/bench/parser_bench" --names "$work/names.txt" --seconds "$seconds" | tee -a "$work/results.txt" |
        sed "s/^/   round $round: /"
    node "$here/npm_parsers_bench.mjs" "$work/names.txt" "$seconds" | tee -a "$work/results.txt" |
        sed "s/^/   round $round: /"
done

echo "== best round of each"
awk '{ if ($2 > best[$1]) best[$1] = $2 }
     END {
         for (p in best) printf "   %-28s %10.0f names/s\n", p, best[p];
         fastest = 0;
         for (p in best) if (p != "mediabase" && best[p] > fastest) { fastest = best[p]; name = p }
         printf "== mediabase / fastest npm parser (%s): %.1fx (target >= 10x)\n", name, best["mediabase"] / fastest;
     }' "$work/results.txt"
