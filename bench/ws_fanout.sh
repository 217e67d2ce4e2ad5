#!/usr/bin/env bash
# Event-stream fan-out benchmark (issue 10): a 100,000-file import with 100 WebSocket readers, one client that
# never reads and one headless Chromium tab on the Import page, against the same import with no clients.
#
#   bench/ws_fanout.sh [--files N] [--readers R] [--no-tab] [--events-timeout S] [--strict]
#
# Needs python3-websocket, and for the tab /usr/bin/chromium with tests/ui's playwright-core (`npm ci` there).
# Reports: import time without and with clients, the server's peak RSS (VmHWM), frames and bytes per reader,
# whether every reader got import.finished, and when the stalled client was closed. Targets (checked with
# --strict, exit 3): within 5 % of the time without clients, every reader finished, peak RSS <= 150 MB, the
# stalled client closed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
args=(--tab)
for a in "$@"; do
    if [[ $a == --no-tab ]]; then args=(); fi
done
filtered=()
for a in "$@"; do [[ $a == --no-tab ]] || filtered+=("$a"); done
exec /usr/bin/python3 "$root/bench/ws_fanout.py" "${args[@]}" "${filtered[@]}"
