#!/usr/bin/env python3
"""Read benchmark (issue 13): Mediabase's list, sort, deep offset, search, movie and health answers against
nginx serving the byte-identical bodies as static files, with the same wrk settings; then whether a broad
search under load starves lookups of single movies.

    bench/read_bench.py [--files N] [--rounds R] [--duration S] [--connections C] [--out FILE.json]
                        [--library DIR] [--data DIR] [--quick]

It generates a library of N files (tools/gen_library.py; reused when --library names one that exists),
imports it with `mediabase scan` into an empty data folder (or reuses --data), serves it, saves each
answer's body into nginx's root, and runs `wrk -tT -cC -dS --latency` against Mediabase and nginx in
alternation, R rounds, reporting the median req/s and p99 of each. nginx and wrk come from Debian
(`apt-get install nginx-light wrk`; bench/run_all.sh installs them). The figures are written as JSON to
--out for bench/run_all.sh, and printed as a table.

Starvation: wrk on `GET /movies/<random id>` with 5 connections alone, then again while 45 connections run
broad searches (`?q=the` at random offsets, each a different answer, so none comes from the cache).
Environment: MEDIABASE_BIN (default build/mediabase).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("MEDIABASE_BIN", os.path.join(ROOT, "build", "mediabase"))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, dict(r.headers), r.read()


def parse_wrk(text):
    """req/s, p50 and p99 in ms, non-2xx count, socket errors from `wrk --latency` output."""
    def ms(value, unit):
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
    out = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "non2xx": 0, "errors": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % pct, text, re.M)
        if m:
            out[key] = ms(m.group(1), m.group(2))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out["errors"] = sum(int(x) for x in m.groups())
    return out


def wrk(url, threads, connections, duration, headers=(), script=None):
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return parse_wrk(text)


def start_wrk(url, threads, connections, duration, script):
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency", "-s", script, url]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


NGINX_CONF = """
worker_processes 2;
user root;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000000;
    keepalive_timeout 75;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    default_type application/json;
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/www;
        location /gz/ {{ add_header Content-Encoding gzip; }}
    }}
}}
"""


class nginx_server:
    def __init__(self, workdir):
        self.prefix = os.path.join(workdir, "nginx")
        os.makedirs(os.path.join(self.prefix, "www", "gz"), exist_ok=True)
        os.makedirs(os.path.join(self.prefix, "tmp"), exist_ok=True)
        self.port = free_port()
        conf = os.path.join(self.prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(prefix=self.prefix, port=self.port))
        self.proc = subprocess.Popen(["nginx", "-c", conf, "-p", self.prefix], stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("read_bench: nginx did not start (see %s/error.log)" % self.prefix)

    def put(self, name, body):
        with open(os.path.join(self.prefix, "www", name), "wb") as f:
            f.write(body)
        return "http://127.0.0.1:%d/%s" % (self.port, name)

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class mediabase_server:
    def __init__(self, data, media):
        env = {k: v for k, v in os.environ.items()
               if not (k.startswith("MEDIABASE_") or k.startswith("TMDB_") or k == "OMDB_API_KEY")}
        self.proc = subprocess.Popen(
            [BIN, "serve", "--data", data, "--media", media, "--listen", "127.0.0.1:0", "--watch", "false",
             "--log-level", "warn", "--backup-interval", "0", "--auth", "trusted-networks"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on http://127.0.0.1:"):
            raise SystemExit("read_bench: unexpected first line from mediabase: %r" % line)
        self.port = int(line.strip().rsplit(":", 1)[1])
        self.base = "http://127.0.0.1:%d" % self.port

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def ensure_library(path, files):
    if os.path.isdir(path) and os.listdir(path):
        return
    log("== generating %d files in %s" % (files, path))
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_library.py"), path, "--count", str(files)],
                   check=True, stdout=subprocess.DEVNULL)


def ensure_catalogue(data, media):
    if os.path.exists(os.path.join(data, "mediabase.db")):
        return None
    log("== first import of %s" % media)
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("MEDIABASE_") or k.startswith("TMDB_") or k == "OMDB_API_KEY")}
    started = time.time()
    subprocess.run([BIN, "scan", "--media", media, "--data", data, "--log-level", "warn"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return time.time() - started


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cpus": os.cpu_count(), "load": open("/proc/loadavg").read().split()[:3],
            "kernel": os.uname().release}


RANDOM_IDS = """
math.randomseed(os.time())
request = function()
    return wrk.format("GET", "/api/v1/movies/" .. math.random(1, {max_id}))
end
"""

BROAD_SEARCH = """
math.randomseed(os.time() + 7)
request = function()
    return wrk.format("GET", "/api/v1/movies?q=the&limit=50&offset=" .. math.random(0, {max_offset}))
end
"""


def during_import(a, library, work):
    """The list and a search while a first import of the same library fills an empty catalogue: every batch
    stored makes the cached answers stale, so these are real queries beside the writer."""
    log("== reads during a first import")
    data = os.path.join(work, "data-during-import")
    server = mediabase_server(data, library)
    try:
        req = urllib.request.Request(server.base + "/api/v1/import", method="POST")
        urllib.request.urlopen(req, timeout=30).read()
        out = {}
        for name, path in (("list", "/api/v1/movies?limit=50"), ("search", "/api/v1/movies?q=blue%20canyon")):
            out[name] = wrk(server.base + path, a.threads, a.connections, max(2, a.duration // 2))
        _, _, body = fetch(server.base + "/api/v1/import")
        job = json.loads(body)
        out["import_still_running"] = job["state"] != "idle"
        out["movies_at_end"] = job["counts"]["stored"]
        log("   list p99 %.2f ms, search p99 %.2f ms during the import (still running at the end: %s)" % (
            out["list"]["p99_ms"] or 0, out["search"]["p99_ms"] or 0, out["import_still_running"]))
        return out
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--files", type=int, default=132000, help="library size (132,000 files: ~100,000 movies)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--library")
    p.add_argument("--data")
    p.add_argument("--out")
    p.add_argument("--quick", action="store_true", help="5,000 files, 1 round of 3 s")
    p.add_argument("--parts", default="reads,starvation,during_import",
                   help="what to measure: reads (against nginx), starvation, during_import; with --out, the "
                        "figures of the parts not run are kept from the file")
    a = p.parse_args()
    if a.quick:
        a.files, a.rounds, a.duration = 5000, 1, 3
    parts = set(a.parts.split(","))
    if not parts <= {"reads", "starvation", "during_import"}:
        raise SystemExit("read_bench: --parts takes reads, starvation and during_import")
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise SystemExit("read_bench: %s is missing (apt-get install %s)" % (tool, "nginx-light" if tool == "nginx" else tool))
    if not os.access(BIN, os.X_OK):
        raise SystemExit("read_bench: no binary at %s (build it, or set MEDIABASE_BIN)" % BIN)

    work = tempfile.mkdtemp(prefix="mediabase-read-bench.")
    library = a.library or os.path.join(work, "library")
    data = a.data or os.path.join(work, "data")
    ensure_library(library, a.files)
    import_s = ensure_catalogue(data, library)

    server = mediabase_server(data, library)
    nginx = nginx_server(work)
    results = {"machine": machine(), "files": a.files, "import_s": import_s,
               "wrk": "wrk -t%d -c%d -d%ds" % (a.threads, a.connections, a.duration), "rounds": a.rounds,
               "reads": [], "starvation": None}
    try:
        _, _, body = fetch(server.base + "/api/v1/movies?limit=1")
        movies = json.loads(body)["total"]
        results["movies"] = movies
        log("== %d movies catalogued" % movies)
        middle = max(1, movies // 2)
        offset = min(50000, max(0, movies - 50))
        endpoints = [
            ("list", "/api/v1/movies?limit=50", None),
            ("deep offset", "/api/v1/movies?limit=50&offset=%d" % offset, None),
            ("sort year desc", "/api/v1/movies?sort=year&order=desc&limit=50", None),
            ("search", "/api/v1/movies?q=blue%20canyon", None),
            ("movie by id", "/api/v1/movies/%d" % middle, None),
            ("healthz", "/api/v1/healthz", None),
            ("list, gzip", "/api/v1/movies?limit=50", "gzip"),
        ]
        for i, (name, path, coding) in enumerate(endpoints if "reads" in parts else []):
            headers = ["Accept-Encoding: %s" % coding] if coding else []
            status, hdrs, body = fetch(server.base + path, {"Accept-Encoding": coding} if coding else {})
            if coding:
                if hdrs.get("Content-Encoding") != coding:
                    raise SystemExit("read_bench: %s came back without Content-Encoding %s" % (path, coding))
                reference = nginx.put("gz/%d.json" % i, body)
            else:
                reference = nginx.put("%d.json" % i, body)
            # The reference serves exactly the same bytes.
            _, _, same = fetch(reference)
            assert same == body, "nginx does not serve the same bytes"
            runs = {"mediabase": [], "nginx": []}
            for r in range(a.rounds):
                runs["mediabase"].append(wrk(server.base + path, a.threads, a.connections, a.duration, headers))
                runs["nginx"].append(wrk(reference, a.threads, a.connections, a.duration))
            row = {"name": name, "path": path, "bytes": len(body), "status": status, "coding": coding or "identity"}
            for who, rs in runs.items():
                row[who] = {"rps": statistics.median(x["rps"] for x in rs),
                            "p99_ms": statistics.median(x["p99_ms"] or 0 for x in rs),
                            "p50_ms": statistics.median(x["p50_ms"] or 0 for x in rs),
                            "non2xx": sum(x["non2xx"] for x in rs), "errors": sum(x["errors"] for x in rs)}
            row["ratio"] = row["mediabase"]["rps"] / row["nginx"]["rps"] if row["nginx"]["rps"] else 0
            results["reads"].append(row)
            log("   %-15s %7d B  mediabase %9.0f req/s p99 %6.2f ms | nginx %9.0f req/s p99 %6.2f ms | %.3f" % (
                name, len(body), row["mediabase"]["rps"], row["mediabase"]["p99_ms"], row["nginx"]["rps"],
                row["nginx"]["p99_ms"], row["ratio"]))
        # Identity size beside the gzip size of the same list.
        if results["reads"]:
            results["gzip"] = {"identity_bytes": results["reads"][0]["bytes"],
                               "gzip_bytes": results["reads"][-1]["bytes"]}

        if "starvation" in parts:
            log("== starvation: GET /movies/<random id>, alone and beside broad searches")
            ids_script = os.path.join(work, "ids.lua")
            with open(ids_script, "w") as f:
                f.write(RANDOM_IDS.format(max_id=movies))
            search_script = os.path.join(work, "search.lua")
            with open(search_script, "w") as f:
                f.write(BROAD_SEARCH.format(max_offset=max(0, movies - 50)))
            _, _, body = fetch(server.base + "/api/v1/movies?q=the&limit=1")
            broad_hits = json.loads(body)["total"]
            alone = wrk(server.base + "/", 1, 5, a.duration, script=ids_script)
            search_alone = wrk(server.base + "/", 1, 1, a.duration, script=search_script)
            searches = start_wrk(server.base + "/", 1, 45, a.duration + 2, search_script)
            time.sleep(1)  # the searches are under way before the lookups start
            beside = wrk(server.base + "/", 1, 5, a.duration, script=ids_script)
            loaded = parse_wrk(searches.communicate()[0])
            results["starvation"] = {"broad_hits": broad_hits, "ids_alone": alone, "ids_beside_search": beside,
                                     "search_alone": search_alone, "search_loaded": loaded}
            log("   q=the (%d hits) alone: %.0f req/s p99 %.1f ms; 45 connections: %.0f req/s, %d non-2xx" % (
                broad_hits, search_alone["rps"], search_alone["p99_ms"] or 0, loaded["rps"], loaded["non2xx"]))
            log("   movie by id alone: p99 %.2f ms; beside the searches: p99 %.2f ms (%d non-2xx)" % (
                alone["p99_ms"] or 0, beside["p99_ms"] or 0, beside["non2xx"]))
        if "during_import" in parts:
            results["during_import"] = during_import(a, library, work)
    finally:
        server.stop()
        nginx.stop()
        if not a.library and not a.data:
            shutil.rmtree(work, ignore_errors=True)
        else:
            shutil.rmtree(os.path.join(work, "nginx"), ignore_errors=True)
    if a.out:
        if parts != {"reads", "starvation", "during_import"} and os.path.exists(a.out):
            # A partial run keeps the figures of the other parts.
            with open(a.out) as f:
                kept = json.load(f)
            if "reads" not in parts:
                results["reads"] = kept.get("reads", [])
                results["rounds"] = kept.get("rounds", results["rounds"])
                results["wrk"] = kept.get("wrk", results["wrk"])
                if "gzip" in kept:
                    results["gzip"] = kept["gzip"]
            for part in ("starvation", "during_import"):
                if part not in parts and part in kept:
                    results[part] = kept[part]
        with open(a.out, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
