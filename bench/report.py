#!/usr/bin/env python3
"""Turns the logs of bench/run_all.sh into BENCHMARKS.md and one SVG chart per family.

    bench/report.py OUT_DIR BENCHMARKS.md CHARTS_DIR

OUT_DIR holds NAME.log and NAME.status per benchmark (and reads.json from bench/read_bench.py). A benchmark
that did not run is left out; one that failed, or whose figures cannot be read from its log, is reported as
such with the end of its log. Charts are plain SVG written here, no plotting library.
"""
import html
import json
import os
import re
import sys

OUT, MD, CHARTS = sys.argv[1], sys.argv[2], sys.argv[3]
CHARTS_REL = os.path.relpath(CHARTS, os.path.dirname(os.path.abspath(MD)))


def read(name):
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        return f.read()


RUN = {}


def quick_note(name):
    """' (quick sizes)' for a benchmark run at --quick sizes."""
    return " (quick sizes)" if RUN.get("mode_" + name) == "quick" else ""


def status(name):
    s = read(name + ".status")
    return None if s is None else int(s.strip() or 1)


def fmt(x, digits=0):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    return ("{:,.%df}" % digits).format(x)


# ------------------------------------------------------------------------------------------------ charts

COLOURS = ["#2f6fb0", "#c9c9c9", "#e07b39", "#7aa95c"]


def bar_chart(file_name, title, unit, groups, series, values, log_note=""):
    """Grouped horizontal bars: `groups` (rows), `series` (bars per row), values[g][s] (None: no bar)."""
    width, left, right, bar_h, gap, top = 760, 190, 90, 14, 12, 48
    height = top + len(groups) * (len(series) * bar_h + gap) + 40
    peak = max([v for row in values for v in row if v is not None] + [1e-9])
    scale = (width - left - right) / peak
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="15" font-weight="bold">%s</text>' % html.escape(title),
           '<text x="10" y="36" fill="#555">%s%s</text>' % (html.escape(unit), html.escape(log_note))]
    for si, name in enumerate(series):
        x = left + si * 150
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (x, height - 22, COLOURS[si % 4]))
        out.append('<text x="%d" y="%d">%s</text>' % (x + 14, height - 13, html.escape(name)))
    y = top
    for gi, group in enumerate(groups):
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (
            left - 8, y + len(series) * bar_h / 2 + 4, html.escape(group)))
        for si in range(len(series)):
            v = values[gi][si]
            if v is not None:
                w = max(1, v * scale)
                out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
                    left, y, w, bar_h - 2, COLOURS[si % 4]))
                out.append('<text x="%.1f" y="%d" fill="#333">%s</text>' % (
                    left + w + 4, y + bar_h - 4, fmt(v, 0 if v >= 100 else 2)))
            y += bar_h
        y += gap
    out.append("</svg>")
    os.makedirs(CHARTS, exist_ok=True)
    with open(os.path.join(CHARTS, file_name), "w") as f:
        f.write("\n".join(out) + "\n")
    return "![%s](%s/%s)" % (title, CHARTS_REL, file_name)


def verdict(ok):
    return "met" if ok else "**missed**"


def failed_block(name, title):
    log = read(name + ".log") or ""
    tail = "\n".join(log.strip().splitlines()[-15:])
    return ["## %s" % title, "", "Failed (exit %s) or its figures could not be read; the end of its log:" % status(name),
            "", "```", tail, "```", ""]


# ------------------------------------------------------------------------------------------------ sections

def reads_section():
    data = read("reads.json")
    if status("reads") is None:
        return []
    if status("reads") != 0 or not data:
        return failed_block("reads", "Reads against nginx")
    r = json.loads(data)
    lines = ["## Reads against nginx serving the same bytes" + quick_note("reads"), "",
             "%s movies from a %s-file library; `%s`, Mediabase and nginx (2 workers, `sendfile`, the body saved "
             "from Mediabase's answer) in alternation, median of %d rounds. Repeated requests are answered from "
             "the response cache (built once per catalogue generation), which is what a catalogue that is read far "
             "more often than written sees." % (fmt(r.get("movies")), fmt(r["files"]), r["wrk"], r["rounds"]), "",
             "| request | bytes | goal | Mediabase req/s | p99 ms | nginx req/s | nginx p99 ms | ratio | ratio goal | "
             "p99 goal (≤ 5 ms) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    groups, values = [], []
    for row in r["reads"]:
        goal = 0.6 if row["name"] == "movie by id" else 0.5 if row["name"] != "healthz" else None
        m, n = row["mediabase"], row["nginx"]
        goal_text = "≥ %.0f%% of nginx" % (goal * 100) if goal else "–"
        lines.append("| `%s`%s | %s | %s | %s | %.2f | %s | %.2f | %.2f | %s | %s |" % (
            row["path"], " (%s)" % row["coding"] if row["coding"] != "identity" else "", fmt(row["bytes"]),
            goal_text, fmt(m["rps"]), m["p99_ms"], fmt(n["rps"]), n["p99_ms"], row["ratio"],
            verdict(row["ratio"] >= goal) if goal else "–", verdict(m["p99_ms"] <= 5) if goal else "–"))
        groups.append(row["name"])
        values.append([m["rps"], n["rps"]])
    lines += ["", bar_chart("reads.svg", "Requests per second, Mediabase beside nginx", "req/s, " + r["wrk"],
                            groups, ["Mediabase", "nginx (same bytes)"], values), ""]
    g = r.get("gzip")
    if g:
        lines += ["gzip: the 50-movie list is %s bytes plain and %s bytes gzip-encoded (%.1f×); both rows above "
                  "were measured in the same run." % (fmt(g["identity_bytes"]), fmt(g["gzip_bytes"]),
                                                      g["identity_bytes"] / max(1, g["gzip_bytes"])), ""]
    d = r.get("during_import")
    if d:
        idle = {row["name"]: row["mediabase"]["p99_ms"] for row in r["reads"]}
        lines += ["### Reads during an import", "",
                  "The same list and search while a first import of the library fills an empty catalogue (every "
                  "stored batch makes cached answers stale)%s." % (
                      "" if d["import_still_running"] else "; **the import ended before the measure did**, so "
                      "part of it ran idle"), "",
                  "| request | goal | p99 during the import | idle p99 | ratio | verdict |", "|---|---|---|---|---|---|"]
        for name, idle_name in (("list", "list"), ("search", "search")):
            during = d[name]["p99_ms"] or 0
            base = idle.get(idle_name) or 0
            ratio = during / base if base else 0
            lines.append("| %s | ≤ 2× idle | %.2f ms (%s req/s) | %.2f ms | %.2f | %s |" % (
                name, during, fmt(d[name]["rps"]), base, ratio, verdict(ratio <= 2)))
        lines.append("")
    s = r.get("starvation")
    if s:
        alone, beside = s["ids_alone"], s["ids_beside_search"]
        lines += ["### No query starves the others", "",
                  "`GET /movies/<random id>` with 5 connections, alone and while 45 connections run broad searches "
                  "(`?q=the`, %s hits, at random offsets: every one a different answer, none from the cache)." %
                  fmt(s["broad_hits"]), "",
                  "| measure | goal | result | verdict |", "|---|---|---|---|",
                  "| movie by id p99 beside the searches | ≤ 10 ms | %.2f ms (alone: %.2f ms; %s req/s) | %s |" % (
                      beside["p99_ms"] or 0, alone["p99_ms"] or 0, fmt(beside["rps"]),
                      verdict((beside["p99_ms"] or 1e9) <= 10)),
                  "| broad search alone (1 connection) | – | %s req/s, p99 %.1f ms | – |" % (
                      fmt(s["search_alone"]["rps"], 1), s["search_alone"]["p99_ms"] or 0),
                  "| broad searches under load (45 connections) | answered or a clear 503 | %s req/s, %d non-2xx "
                  "(503 `busy` past the 5 s budget) | – |" % (fmt(s["search_loaded"]["rps"], 1),
                                                               s["search_loaded"]["non2xx"]), ""]
        lines += [bar_chart("starvation.svg", "Movie by id, p99 latency", "milliseconds, lower is better",
                            ["alone", "beside 45 broad searches"], ["p99 ms"],
                            [[alone["p99_ms"] or 0], [beside["p99_ms"] or 0]]), ""]
    return lines


def parse_import(log):
    rows = []
    header = False
    for line in log.splitlines():
        if line.split()[:3] == ["files", "movies", "found"]:
            header = True
            continue
        if header:
            parts = line.split()
            if not parts:
                break
            if len(parts) >= 10 and parts[0].isdigit():
                rows.append({"files": int(parts[0]), "find_s": float(parts[4]), "import_s": float(parts[5]),
                             "rate": float(parts[6]), "rss_mb": float(parts[7]), "reimport_s": float(parts[8])})
    fs = re.search(r"file system: (\S+)", log)
    return rows, fs.group(1) if fs else "?"


def import_section():
    lines, groups, values = [], [], []
    for name, label in (("import_ext4", "/tmp"), ("import_tmpfs", "/dev/shm")):
        if status(name) is None:
            continue
        rows, fs = parse_import(read(name + ".log") or "")
        if not rows:
            lines += failed_block(name, "Import against find (%s)" % label)
            continue
        lines += ["## Import against `find` (%s, %s)%s" % (label, fs, quick_note(name)), "",
                  "`bench/import_bench.sh`: `find` is the floor (median of 3 after a warm-up), the first import "
                  "fills an empty catalogue, the re-import changes nothing.", "",
                  "| files | find s | first import s | ratio (goal ≤ 2×) | re-import s | ratio (goal ≤ 1.5×) | files/s | "
                  "peak RSS MB (goal ≤ 120) |", "|---|---|---|---|---|---|---|---|"]
        for row in rows:
            first = row["import_s"] / row["find_s"] if row["find_s"] else 0
            again = row["reimport_s"] / row["find_s"] if row["find_s"] else 0
            lines.append("| %s | %.2f | %.2f | %.2f× %s | %.2f | %.2f× %s | %s | %.1f %s |" % (
                fmt(row["files"]), row["find_s"], row["import_s"], first, verdict(first <= 2), row["reimport_s"],
                again, verdict(again <= 1.5), fmt(row["rate"]), row["rss_mb"], verdict(row["rss_mb"] <= 120)))
            groups.append("%s files, %s" % (fmt(row["files"]), label))
            values.append([row["find_s"], row["import_s"], row["reimport_s"]])
        lines.append("")
    if groups:
        lines += [bar_chart("import.svg", "Import time beside find", "seconds, lower is better", groups,
                            ["find", "first import", "unchanged re-import"], values), ""]
    return lines


def fanout_section():
    if status("fanout") is None:
        return []
    log = read("fanout.log") or ""
    line = re.search(r"^summary: (\{.*\})$", log, re.M)
    if not line:
        return failed_block("fanout", "WebSocket fan-out")
    summary = json.loads(line.group(1))
    quiet, got = summary["quiet"], summary["loaded"]
    q_s, l_s = quiet["duration_ms"] / 1000, got["duration_ms"] / 1000
    pct = 100 * summary["slowdown"]
    everyone = got["readers_finished"] == got["readers"] and not got["readers_closed"]
    closed = got.get("stalled_closed_after_s")
    timeout = summary.get("events_timeout", 30)
    late = 1.5 * timeout + (got.get("import_s") or 0)
    closed_ok = closed is not None and timeout - 1 <= closed <= late + 1
    tab = "with one Chromium tab on the Import page, " if got.get("tab") else ""
    durations = summary["durations_ms"]
    return ["## WebSocket fan-out" + quick_note("fanout"), "",
            "`bench/ws_fanout.sh`: the same import with no clients and with %d WebSocket readers, %sand one "
            "client that never reads; %d rounds of each, alternating, medians compared (imports in ms, no clients: "
            "%s; with clients: %s). %s The server's own CPU time up to the import's end and the time its "
            "threads waited for a CPU are shown beside."
            % (got["readers"], tab, summary["rounds"], ", ".join(map(str, durations["quiet"])),
               ", ".join(map(str, durations["loaded"])),
               "`--split-cores`: the server runs on CPU 0 only and every client on CPU 1, in both configurations, "
               "the nearest one machine comes to clients on other machines (what the clients add is what serving "
               "them costs the server)." if summary.get("split_cores") else
               "The clients run under %s on the server's cores: on a LAN they are other machines."
               % ("SCHED_IDLE" if summary.get("clients_at", "idle") == "idle" else "nice 19")),
            "", "| measure | goal | result | reference | ratio | verdict |", "|---|---|---|---|---|---|",
            "| import time with clients | within 5 %% of none | %.2f s | %.2f s without | %.3f | %s |" % (
                l_s, q_s, l_s / q_s if q_s else 0, verdict(pct <= 5)),
            "| server CPU time with clients | – | %.2f s | %.2f s without | %.2f | – |" % (
                got["server_cpu_s"], quiet["server_cpu_s"],
                got["server_cpu_s"] / quiet["server_cpu_s"] if quiet["server_cpu_s"] else 0),
            "| server threads waiting for a CPU | – | %.2f s | %.2f s without | – | – |" % (
                got["server_waited_for_cpu_s"], quiet["server_waited_for_cpu_s"]),
            "| readers that got `import.finished` | all | %d of %d (%d resynced) | – | – | %s |" % (
                got["readers_finished"], got["readers"], got["readers_resynced"], verdict(everyone)),
            "| stalled client closed, after it connected (just before the import; its buffers fill in the "
            "import's first seconds) | between the events timeout (%d s) and 1.5× it after its last sign of life "
            "(≤ %.0f s here) | %s | – | – | %s |" % (timeout, late, "after %.1f s" % closed if closed is not None
                                                    else "not closed", verdict(closed_ok)),
            "| peak RSS with clients | ≤ 150 MB | %.1f MB | %.1f MB without | – | %s |" % (
                got["peak_rss_mb"], quiet["peak_rss_mb"], verdict(got["peak_rss_mb"] <= 150)),
            "", bar_chart("fanout.svg", "Import time with and without event-stream clients", "seconds",
                          ["import"], ["no clients", "with clients"], [[q_s, l_s]]), ""]


def mailbox_section():
    if status("mailbox") is None:
        return []
    log = read("mailbox.log") or ""
    c = re.search(r"raw_channel (\d+)", log)
    m = re.search(r"mailbox (\d+)", log)
    if not (c and m):
        return failed_block("mailbox", "Mailbox against a raw channel")
    c, m = float(c.group(1)), float(m.group(1))
    return ["## Mailbox against a raw channel" + quick_note("mailbox"), "", "`build/bench/mailbox_bench`: one producer and one consumer "
            "coroutine on one thread, capacity 64, best of the rounds.", "",
            "| measure | goal | result | reference | ratio | verdict |", "|---|---|---|---|---|---|",
            "| messages/s | – (a measure: what the mailbox costs) | %s | %s (raw `concurrent_channel`) | %.2f | – |" % (
                fmt(m), fmt(c), m / c), "",
            bar_chart("mailbox.svg", "Messages per second on one thread", "messages/s", ["one thread"],
                      ["mailbox", "raw channel"], [[m, c]]), ""]


def parser_section():
    if status("parser") is None:
        return []
    log = read("parser.log") or ""
    best = dict((name, float(rate)) for name, rate in re.findall(r"^\s+(\S+)\s+([\d.]+) names/s", log, re.M))
    ratio = re.search(r"fastest npm parser \(([^)]+)\): ([\d.]+)x", log)
    if "mediabase" not in best or not ratio:
        return failed_block("parser", "Name parser against npm parsers")
    names = sorted(best, key=lambda k: -best[k])
    fastest = ratio.group(1)
    return ["## Name parser against npm parsers" + quick_note("parser"), "", "`bench/parser_speed.sh`: the same generated names, one "
            "thread, interleaved rounds, best round each.", "",
            "| measure | goal | result | reference | ratio | verdict |", "|---|---|---|---|---|---|",
            "| names/s | ≥ 10× the fastest npm parser | %s | %s (%s) | %.1f× | %s |" % (
                fmt(best["mediabase"]), fmt(best.get(fastest)), fastest, float(ratio.group(2)),
                verdict(float(ratio.group(2)) >= 10)), "",
            bar_chart("parser.svg", "Names parsed per second", "names/s, one thread", names, ["names/s"],
                      [[best[n]] for n in names]), ""]


def provider_section():
    if status("provider") is None:
        return []
    log = read("provider.log") or ""
    t = re.search(r"import time\s+([\d.]+) s", log)
    floor = re.search(r"least time the limit allows\s+([\d.]+) s", log)
    r429 = re.search(r"429s received\s+(\d+)", log)
    if not (t and floor and r429):
        return failed_block("provider", "Identification against the provider's rate limit")
    t, floor, r429 = float(t.group(1)), float(floor.group(1)), int(r429.group(1))
    return ["## Identification against the provider's rate limit" + quick_note("provider"), "", "`bench/provider_bench.sh`: the fake "
            "TMDB/OMDB with a 40 requests/s limit and 50 ms latency; Mediabase's default 35/s.", "",
            "| measure | goal | result | reference | ratio | verdict |", "|---|---|---|---|---|---|",
            "| import time | no 429 (stays under the limit), near the least time it allows | %.1f s, %d 429s | %.1f s "
            "(requests / 40) | %.2f | %s |" % (t, r429, floor, t / floor if floor else 0, verdict(r429 == 0)), "",
            bar_chart("provider.svg", "Identification time beside the rate limit's floor", "seconds",
                      ["import"], ["Mediabase", "least the limit allows"], [[t, floor]]), ""]


def main():
    run = {}
    for line in (read("run.txt") or "").splitlines():
        if "=" not in line:
            continue
        key, value = line.split("=", 1)
        # Several runs into one folder: the first start and the last end.
        if key in ("started", "load_before") and key in run:
            continue
        run[key] = value
    RUN.update(run)
    machine = {}
    reads = read("reads.json")
    if reads:
        machine = json.loads(reads).get("machine", {})
    cpu = machine.get("cpu")
    if not cpu:
        try:
            cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        except (OSError, StopIteration):
            cpu = "unknown"
    lines = ["# Benchmarks", "",
             "Written by `bench/run_all.sh` on %s. Figures depend on the machine and its load: compare the "
             "ratios, measured in the same run against their reference, more than the absolute rates. Sections "
             "marked *(quick sizes)* ran with `--quick` (small libraries, short runs): they show the chain works, "
             "not figures to quote." % run.get("started", "?"), "",
             "| machine | |", "|---|---|",
             "| CPU | %s × %s |" % (os.cpu_count(), cpu),
             "| kernel | %s |" % os.uname().release,
             "| build | %s |" % run.get("build", "?"),
             "| load average (1, 5, 15 min) | %s before, %s after |" % (run.get("load_before", "?"),
                                                                        run.get("load_after", "?")),
             "| run | %s to %s |" % (run.get("started", "?"), run.get("finished", "?")), ""]
    for section in (reads_section, import_section, fanout_section, mailbox_section, parser_section,
                    provider_section):
        lines += section()
    with open(MD, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


if __name__ == "__main__":
    main()
