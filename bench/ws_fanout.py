#!/usr/bin/env python3
"""Event-stream fan-out benchmark (issue 10): an N-file import with no clients, then again into an empty
catalogue with R WebSocket readers, one client that never reads and (optionally) one Chromium tab on the
Import page. Prints the import times, the server's CPU time and peak RSS, what each reader got and when the
stalled client was closed. A benchmark, not a test: it reports figures and checks the stated targets only with
--strict.

    bench/ws_fanout.py [--files 100000] [--readers 100] [--tab] [--events-timeout 30] [--strict]

The clients (the readers' process and the Chromium tab) run under SCHED_IDLE (`chrt --idle 0`): on a user's
network they run on other machines, and here they would otherwise take the server's cores, which would measure
the machine's contention rather than what serving them costs the server. (nice 19 is not enough: a niced
client that holds a core still delays each wake-up of the server's threads, and an import hands work between
threads tens of thousands of times.) The server's own CPU time and the time its threads waited for a CPU
(schedstat) are reported beside the import times. Each configuration runs `--rounds` times, alternating, and
the medians are compared: one run of each is within the machine's noise.

With --split-cores the server runs on CPU 0 only and every client (and this script) on CPU 1 only, in both
configurations: the nearest this one machine comes to clients on other machines. The import without clients
is then slower than with both cores (the server has one), and what the clients add is only what serving them
costs the server.
"""

import argparse
import faulthandler
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("MEDIABASE_SOURCE_DIR", ROOT)
os.environ.setdefault("MEDIABASE_BIN", os.path.join(ROOT, "build", "mediabase"))

import mediabase_harness as harness  # noqa: E402
from event_fanout import stalled_client  # noqa: E402  (the same client the test uses; it checks the 101)


# Clients run only when the server's threads leave a core idle (see the docstring); --clients-at nice19 runs
# them at nice 19 instead (on a machine busy with other work, SCHED_IDLE clients may starve long enough for
# the server to close them as silent).
CLIENT_PRIORITIES = {"idle": ["chrt", "--idle", "0"], "nice19": ["nice", "-n", "19"]}
CLIENT_PRIORITY = list(CLIENT_PRIORITIES["idle"])
SERVER_CPUS = None  # --split-cores: {0}; the clients get the others


def pin_server(pid):
    """Every thread of the running server onto SERVER_CPUS (its threads all start with it)."""
    if SERVER_CPUS is None:
        return
    for task in os.listdir("/proc/%d/task" % pid):
        os.sched_setaffinity(int(task), SERVER_CPUS)


def cpu_seconds(pid):
    """User plus system CPU time the process has used so far."""
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_delay_seconds(pid):
    """Time the server's threads have spent runnable but waiting for a CPU (the second field of each thread's
    schedstat): the share of the wall time that other processes on this machine took from it."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, task)) as stat:
                total += int(stat.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended meanwhile
    return total / 1e9


def cpu_busy_seconds(cpus):
    """Busy time of the given CPUs (every process, kernel and soft interrupts included; idle and iowait
    excluded): with --split-cores, what the server's CPU did, including the loopback delivery that the kernel
    may do outside the server's own accounting."""
    if not cpus:
        return 0.0
    busy = 0
    with open("/proc/stat") as stat:
        for line in stat:
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
                ticks = [int(f) for f in fields]
                busy += sum(ticks[:8]) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def proc_number(pid, name, key):
    """The first number on the `key:` line of /proc/PID/<name> (0 when absent)."""
    with open("/proc/%d/%s" % (pid, name)) as lines:
        for line in lines:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def disk_read_mb(pid):
    """What the process has read from storage so far (not from the page cache): /proc/PID/io read_bytes."""
    return proc_number(pid, "io", "read_bytes") / 1e6


def peak_rss_mb(pid):
    return proc_number(pid, "status", "VmHWM") / 1024


class Reader(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.stream = harness.EventStream(port, each_movie=False)
        self.frames = 0
        self.bytes = 0
        self.resyncs = 0
        self.finished = None
        self.closed_with = None

    def run(self):
        try:
            while True:
                opcode, data = self.stream.ws.recv_data(control_frame=False)
                if opcode == 8:  # close
                    self.closed_with = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                    return
                self.frames += 1
                self.bytes += len(data)
                # Frames start with their type: only the last one is parsed whole.
                head = data[:40]
                if b'"type":"resync"' in head:
                    self.resyncs += 1
                elif b'"type":"import.finished"' in head:
                    self.finished = json.loads(data)["job"]
                    return
        except Exception as e:  # noqa: BLE001
            self.closed_with = repr(e)


def serve_readers(port, count):
    """The readers' own process (started under SCHED_IDLE): connects `count` readers, says "ready", and prints what
    they got as one JSON line once every one has finished or was closed."""
    readers = [Reader(port) for _ in range(count)]
    for r in readers:
        r.start()
    print("ready", flush=True)
    for r in readers:
        r.join(timeout=1800)
    print(json.dumps({
        "readers": len(readers),
        "readers_finished": sum(1 for r in readers if r.finished is not None),
        "readers_closed": [r.closed_with for r in readers if r.closed_with is not None],
        "readers_resynced": sum(1 for r in readers if r.resyncs),
        "frames_per_reader_max": max((r.frames for r in readers), default=0),
        "mb_per_reader_max": round(max((r.bytes for r in readers), default=0) / 1e6, 2),
    }), flush=True)


def watch_closed(conn, result):
    """Drains the stalled socket only to notice the close (it never answers a ping); records when."""
    conn.settimeout(1.0)
    while True:
        try:
            if not conn.recv(1 << 16):
                break
        except socket.timeout:
            continue
        except OSError:
            break
    result["closed_at"] = time.monotonic()


def warm_tree(media):
    """Reads the library's directories once, as import_bench does before its timed runs, and the contents of the
    local metadata an offline import reads (NFO files and images beside the movies): the import's disk reads
    are then not part of what either configuration measures. Done just before the import starts, after the
    clients have connected: this machine pages out file pages it sees idle (DAMON's reclaim, `kdamond`), and
    a profiled loaded run had the Scraper's NFO reads wait 1.2 s on the disk while its quiet round did not."""
    subprocess.run(["find", media, "-printf", "%s %T@\n"], check=True, stdout=subprocess.DEVNULL)
    local = (".nfo", ".jpg", ".jpeg", ".png", ".tbn")
    for folder, _, names in os.walk(media):
        for name in names:
            if name.lower().endswith(local):
                with open(os.path.join(folder, name), "rb") as f:
                    f.read()


def run_import(media, data, args, clients):
    server = harness.Server([media], data, ["--events-timeout", str(args.events_timeout)])
    server.start()
    pin_server(server.proc.pid)
    try:
        readers, tab, stalled, closed = None, None, None, {}
        if clients:
            readers = subprocess.Popen(CLIENT_PRIORITY + [sys.executable, os.path.abspath(__file__),
                                        "--serve-readers", str(server.port), "--readers", str(args.readers)],
                                       stdout=subprocess.PIPE, text=True)
            ready = readers.stdout.readline()
            if not ready.startswith("ready"):
                raise SystemExit("the readers did not connect: %r" % ready)
            if args.tab:
                tab = subprocess.Popen(CLIENT_PRIORITY + ["node", os.path.join(ROOT, "bench", "import_tab.mjs"),
                                        "http://127.0.0.1:%d/import" % server.port],
                                       stdout=subprocess.PIPE, text=True, cwd=os.path.join(ROOT, "tests", "ui"),
                                       # Its profile and caches in memory: on a LAN the browser's disk is
                                       # another machine's, not the one the catalogue commits to.
                                       env=dict(os.environ, TMPDIR="/dev/shm"))
                ready = tab.stdout.readline()
                if not ready.startswith("ready"):
                    raise SystemExit("the Chromium tab did not open: %r" % ready)
            # Connected last, just before the import starts: its small buffers fill within the import's first
            # seconds, and from then on it shows the server no sign of life.
            stalled = stalled_client(server.port)
            stalled_at = time.monotonic()
            threading.Thread(target=watch_closed, args=(stalled, closed), daemon=True).start()
        warm_tree(media)
        cpu_before = cpu_seconds(server.proc.pid)
        read_before = disk_read_mb(server.proc.pid)
        waited_before = run_delay_seconds(server.proc.pid)
        busy_before = cpu_busy_seconds(SERVER_CPUS)
        started_at = time.monotonic()
        status, job, _ = server.request("POST", "/api/v1/import")
        assert status == 202, status
        # The end of the import, seen by asking GET /import five times a second (duration_ms is the server's
        # own measure of the import, from start to finish); asked from a thread so that readers still reading
        # do not delay the moment seen.
        end = {}

        def watch_end():
            deadline = time.monotonic() + 1800
            while time.monotonic() < deadline:
                _, job_now, _ = server.request("GET", "/api/v1/import")
                if job_now["state"] == "idle" and job_now["finished_at"]:
                    end["job"], end["at"] = job_now, time.monotonic()
                    # The import's CPU is taken here: after it, the Prober reads the new files while the
                    # stalled client is waited for, and that is not the import's cost nor the clients'.
                    end["cpu"], end["waited"] = cpu_seconds(server.proc.pid), run_delay_seconds(server.proc.pid)
                    end["busy"] = cpu_busy_seconds(SERVER_CPUS)
                    end["read"] = disk_read_mb(server.proc.pid)
                    return
                time.sleep(0.2)

        watcher = threading.Thread(target=watch_end, daemon=True)
        watcher.start()
        got = {"readers": 0, "readers_finished": 0, "readers_closed": [], "readers_resynced": 0,
               "frames_per_reader_max": 0, "mb_per_reader_max": 0}
        if readers:
            got = json.loads(readers.stdout.readline() or "{}") or got
            readers.wait(timeout=60)
        watcher.join()
        if "job" not in end:
            raise SystemExit("the import did not finish within 30 minutes")
        final, ended_at = end["job"], end["at"]
        tab_line = tab.stdout.readline().strip() if tab else None
        if tab:
            tab.wait(timeout=60)
        if stalled:
            wait_until = time.monotonic() + 2 * args.events_timeout + 30
            while "closed_at" not in closed and time.monotonic() < wait_until:
                time.sleep(0.5)
        rss = peak_rss_mb(server.proc.pid)
        # CPU of the import and of serving its clients, up to the import's end.
        cpu = end["cpu"] - cpu_before
        waited = end["waited"] - waited_before
        return dict(got, **{
            "duration_ms": final["duration_ms"],
            "server_cpu_s": round(cpu, 2),
            "server_waited_for_cpu_s": round(waited, 2),
            "server_cores_busy_s": round(end["busy"] - busy_before, 2) if SERVER_CPUS else None,
            # Reads the page cache could not answer: the walk waiting on the disk, not on serving clients.
            "server_disk_read_mb": round(end["read"] - read_before, 1),
            "counts": final["counts"],
            "peak_rss_mb": round(rss, 1),
            "stalled_closed_after_s": round(closed["closed_at"] - stalled_at, 1) if "closed_at" in closed else None,
            "import_s": round(ended_at - stalled_at, 1) if stalled else None,
            # When the import was asked for and seen to end (CLOCK_MONOTONIC): to find it in a profile.
            "window": [round(started_at, 3), round(ended_at, 3)],
            "tab": tab_line,
        })
    finally:
        server.kill()


def main():
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1` prints where a stuck run waits
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100000)
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--tab", action="store_true", help="also open the Import page in headless Chromium")
    parser.add_argument("--events-timeout", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each configuration, alternating")
    parser.add_argument("--clients-at", choices=sorted(CLIENT_PRIORITIES), default="idle",
                        help="the clients' CPU priority (default: SCHED_IDLE)")
    parser.add_argument("--split-cores", action="store_true",
                        help="the server on CPU 0 only, the clients and this script on the other CPUs")
    parser.add_argument("--strict", action="store_true", help="exit 3 when a target is missed")
    parser.add_argument("--serve-readers", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    CLIENT_PRIORITY[:] = CLIENT_PRIORITIES[args.clients_at]
    if args.split_cores and not args.serve_readers:
        global SERVER_CPUS
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            raise SystemExit("--split-cores needs two CPUs")
        SERVER_CPUS = {cpus[0]}
        # On their own CPU the clients take nothing from the server: they run at normal priority there.
        CLIENT_PRIORITY[:] = []
        # The clients are started from this process and inherit its CPUs.
        os.sched_setaffinity(0, set(cpus[1:]))
    if args.serve_readers:
        serve_readers(args.serve_readers, args.readers)
        return

    tmp = tempfile.mkdtemp(prefix="mediabase-fanout-", dir=os.environ.get("BENCH_TMPDIR"))
    try:
        media = os.path.join(tmp, "media")
        os.makedirs(media)
        summary = harness.generate_library(media, args.files, seed=3)
        print("library: %s" % json.dumps(summary), flush=True)
        runs = {False: [], True: []}
        for round_ in range(args.rounds):
            for clients in (False, True):
                got = run_import(media, os.path.join(tmp, "data-%d-%s" % (round_, clients)), args, clients=clients)
                runs[clients].append(got)
                print("%s (round %d): %s" % ("with clients" if clients else "no clients", round_ + 1,
                                             json.dumps(got)), flush=True)

        def median_run(results):
            return sorted(results, key=lambda r: r["duration_ms"])[len(results) // 2]

        quiet, loaded = median_run(runs[False]), median_run(runs[True])
        slowdown = loaded["duration_ms"] / max(1, quiet["duration_ms"]) - 1
        print("import time (median of %d): %.2f s without clients, %.2f s with them (%+.1f %%); server CPU %.2f s / "
              "%.2f s (%+.1f %%); waited for a CPU %.2f s / %.2f s; peak RSS %.1f MB / %.1f MB"
              % (args.rounds, quiet["duration_ms"] / 1000, loaded["duration_ms"] / 1000, 100 * slowdown,
                 quiet["server_cpu_s"], loaded["server_cpu_s"],
                 100 * (loaded["server_cpu_s"] / max(0.01, quiet["server_cpu_s"]) - 1),
                 quiet["server_waited_for_cpu_s"], loaded["server_waited_for_cpu_s"],
                 quiet["peak_rss_mb"], loaded["peak_rss_mb"]))
        print("summary: " + json.dumps({"rounds": args.rounds, "clients_at": args.clients_at,
                                        "split_cores": bool(args.split_cores), "events_timeout": args.events_timeout, "quiet": quiet, "loaded": loaded,
                                        "slowdown": round(slowdown, 4),
                                        "durations_ms": {"quiet": [r["duration_ms"] for r in runs[False]],
                                                         "loaded": [r["duration_ms"] for r in runs[True]]}}),
              flush=True)
        missed = []
        if slowdown > 0.05:
            missed.append("import with clients more than 5 % slower")
        if any(r["readers_finished"] != r["readers"] or r["readers_closed"] for r in runs[True]):
            missed.append("a reader missed import.finished or was closed")
        if max(r["peak_rss_mb"] for r in runs[True]) > 150:
            missed.append("peak RSS above 150 MB")
        for r in runs[True]:
            # Its last sign of life lies between its connection (just before the import) and the import's end.
            after, late = r["stalled_closed_after_s"], 1.5 * args.events_timeout + r["import_s"]
            if after is None:
                missed.append("the stalled client was not closed")
            elif not args.events_timeout - 1 <= after <= late + 1:
                missed.append("the stalled client was closed %.1f s after it connected, not within %d-%.0f s"
                              % (after, args.events_timeout, late))
        for m in missed:
            print("target missed: " + m)
        if missed and args.strict:
            sys.exit(3)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
