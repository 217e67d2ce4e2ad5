#!/usr/bin/python3
"""kill -9 soak: the catalogue survives a crash at any moment (issue 9).

    bench/kill9_soak.py [--seconds S] [--movies N] [--short] [--seed K] [--keep]

Against one generated library (tools/gen_library.py), in rounds until the time is up (default 180 s; --short:
30 s over 300 files, for CI), the real binary is killed with SIGKILL
  1. during an import,
  2. during a PATCH storm (4 clients marking movies watched and rating them; each client owns its movies,
     so the last acknowledged write of a movie is known),
  3. during a prune (some movie folders moved away first, below the automatic-prune limits; put back after),
and after each kill, before the next start, the catalogue file is checked with Python's sqlite3:
  - PRAGMA integrity_check is "ok";
  - no file path is catalogued twice, and no movie is left without files;
  - every PATCH the server acknowledged (200) is in the catalogue (watched and rating).
At the end the server imports once more and stops cleanly, and the catalogue must equal a clean import's of
the same library (`mediabase scan` into an empty data dir): the same movies (title, year) with the same files.
Prints one line per round and a summary; exits 1 on the first broken invariant.

Environment: MEDIABASE_BIN (default build/mediabase)."""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("MEDIABASE_BIN", os.path.join(ROOT, "build", "mediabase"))


class Broken(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Broken(message)


def clean_env():
    # No provider keys: imports measure the catalogue, not the network.
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("MEDIABASE_", "TMDB_")) and k != "OMDB_API_KEY"}


class Server:
    def __init__(self, media, data):
        self.args = [BIN, "serve", "--data", data, "--media", media, "--listen", "127.0.0.1:0",
                     "--watch", "false", "--backup-interval", "0", "--log-level", "warn",
                     "--auth", "trusted-networks"]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env=clean_env())
        line = self.proc.stdout.readline()
        check(line.startswith("listening on http://127.0.0.1:"), "server did not start: %r" % line)
        self.port = int(line.strip().rsplit(":", 1)[1])

    def request(self, method, path, body=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body) if body is not None else None
            conn.request(method, path, body=payload,
                         headers={"Content-Type": "application/json"} if payload else {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, (json.loads(data) if data else None)
        finally:
            conn.close()

    def wait_idle(self, deadline_s=300):
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            status, job = self.request("GET", "/api/v1/import")
            if status == 200 and job["state"] == "idle":
                return job
            time.sleep(0.05)  # polling an HTTP status: the script is a client, not a test of timing
        raise Broken("import did not finish within %d s" % deadline_s)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        check(self.proc.wait(timeout=30) == 0, "server did not stop cleanly")


def catalogue_state(db_file):
    """(movies as {(title, year): sorted paths}, invariant problems)."""
    db = sqlite3.connect(db_file, timeout=10)
    try:
        problems = []
        check_result = db.execute("PRAGMA integrity_check").fetchall()
        if check_result != [("ok",)]:
            problems.append("integrity_check: %r" % check_result[:5])
        dupes = db.execute("SELECT path, count(*) FROM media_files GROUP BY path HAVING count(*) > 1").fetchall()
        if dupes:
            problems.append("paths catalogued twice: %r" % dupes[:5])
        orphans = db.execute("SELECT count(*) FROM movies m WHERE NOT EXISTS "
                             "(SELECT 1 FROM media_files f WHERE f.movie_id = m.id)").fetchone()[0]
        if orphans:
            problems.append("%d movies without files" % orphans)
        movies = {}
        for movie_id, title, year, path in db.execute(
                "SELECT m.id, m.title, m.year, f.path FROM movies m JOIN media_files f ON f.movie_id = m.id"):
            movies.setdefault((movie_id, title, year), []).append(path)
        content = sorted((title, year or 0, tuple(sorted(paths))) for (_, title, year), paths in movies.items())
        return content, problems
    finally:
        db.close()


def acknowledged_writes_present(db_file, acknowledged, in_flight=None):
    """Acknowledged writes that are not in the catalogue. A PATCH sent but not answered when the server died
    may or may not have been committed: the catalogue may show it instead of the last acknowledged value."""
    db = sqlite3.connect(db_file, timeout=10)
    try:
        missing = []
        for movie_id, value in acknowledged.items():
            row = db.execute("SELECT watched, rating FROM movies WHERE id = ?", (movie_id,)).fetchone()
            if row is None:
                continue  # pruned since (round 3 moves folders away): not a lost write
            found = (bool(row[0]), row[1])
            if found != value and found != (in_flight or {}).get(movie_id):
                missing.append((movie_id, value, found))
        return missing
    finally:
        db.close()


def after_kill(db_file, what, acknowledged, in_flight):
    _, problems = catalogue_state(db_file)
    missing = acknowledged_writes_present(db_file, acknowledged, in_flight)
    if missing:
        problems.append("%d acknowledged PATCHes lost, e.g. %r" % (len(missing), missing[:3]))
    check(not problems, "after kill -9 %s: %s" % (what, "; ".join(problems)))


def patch_storm(server, ids, acknowledged, in_flight, lock, stop, rng_seed):
    rng = random.Random(rng_seed)
    while not stop.is_set():
        movie_id = rng.choice(ids)
        body = {"watched": rng.random() < 0.5, "rating": rng.choice([None] + list(range(1, 11)))}
        with lock:
            in_flight[movie_id] = (body["watched"], body["rating"])
        try:
            status, answer = server.request("PATCH", "/api/v1/movies/%d" % movie_id, body, timeout=5)
        except (OSError, http.client.HTTPException):
            return  # the server is gone: this PATCH stays in flight
        with lock:
            in_flight.pop(movie_id, None)
            if status == 200:
                acknowledged[movie_id] = (answer["watched"], answer["rating"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--movies", type=int, default=2000, help="video files in the generated library")
    parser.add_argument("--short", action="store_true", help="30 s over 300 files (CI)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    args = parser.parse_args()
    if args.short:
        args.seconds, args.movies = 30, 300
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="mediabase-soak-")
    media, data, reference, away = (os.path.join(work, n) for n in ("media", "data", "reference", "away"))
    os.makedirs(away)
    db_file = os.path.join(data, "mediabase.db")
    started = time.monotonic()
    rounds = {"import": 0, "patch": 0, "prune": 0}
    acknowledged = {}
    in_flight = {}  # PATCHes sent when the server was killed: committed or not, both are fine
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_library.py"), media, "--count",
                        str(args.movies), "--seed", str(args.seed)], check=True, capture_output=True)
        scan = subprocess.run([BIN, "scan", "--data", reference, "--media", media, "--log-level", "warn"],
                              capture_output=True, text=True, env=clean_env())
        check(scan.returncode == 0, "reference scan failed: %s" % scan.stderr[-500:])
        expected, problems = catalogue_state(os.path.join(reference, "mediabase.db"))
        check(not problems, "reference: %r" % problems)
        print("library: %d files, %d movies; soak for %.0f s" % (args.movies, len(expected), args.seconds), flush=True)

        kind = 0
        while time.monotonic() - started < args.seconds:
            what = ("import", "patch", "prune")[kind % 3]
            kind += 1
            server = Server(media, data)
            if what == "import":
                # Each round imports into what the last one left: kill at a random point of the import.
                server.request("POST", "/api/v1/import")
                time.sleep(rng.uniform(0.02, 1.5))
            elif what == "patch":
                server.request("POST", "/api/v1/import")
                server.wait_idle()
                status, page = server.request("GET", "/api/v1/movies?limit=1000")
                ids = [m["id"] for m in page["movies"]]
                if len(ids) < 8:
                    server.kill9()
                    continue
                rng.shuffle(ids)
                stop, lock, threads = threading.Event(), threading.Lock(), []
                for i in range(4):  # each client owns a quarter of the movies: no two race on one movie
                    mine = ids[i::4]
                    threads.append(threading.Thread(target=patch_storm, daemon=True,
                                                    args=(server, mine, acknowledged, in_flight, lock, stop,
                                                          rng.random())))
                for t in threads:
                    t.start()
                time.sleep(rng.uniform(0.2, 1.5))
            else:
                server.request("POST", "/api/v1/import")
                server.wait_idle()
                folders = sorted(os.listdir(media))
                moved = rng.sample(folders, min(len(folders) // 20 + 1, 20))
                for name in moved:
                    shutil.move(os.path.join(media, name), os.path.join(away, name))
                pruning = threading.Thread(target=lambda: server.request("POST", "/api/v1/prune", timeout=60),
                                           daemon=True)
                pruning.start()
                time.sleep(rng.uniform(0.0, 0.3))
            server.kill9()
            if what == "patch":
                stop.set()
                for t in threads:
                    t.join()
            if what == "prune":
                pruning.join(timeout=5)
                for name in moved:
                    shutil.move(os.path.join(away, name), os.path.join(media, name))
            after_kill(db_file, what, acknowledged, in_flight)
            # What the catalogue holds now is the truth the next rounds build on.
            db = sqlite3.connect(db_file, timeout=10)
            for movie_id in list(in_flight):
                row = db.execute("SELECT watched, rating FROM movies WHERE id = ?", (movie_id,)).fetchone()
                if row is not None:
                    acknowledged[movie_id] = (bool(row[0]), row[1])
            # A pruned movie's id may be given to a new movie later (SQLite reuses the highest rowid): its
            # writes are forgotten with it.
            for movie_id in list(acknowledged):
                if db.execute("SELECT 1 FROM movies WHERE id = ?", (movie_id,)).fetchone() is None:
                    del acknowledged[movie_id]
            db.close()
            in_flight.clear()
            rounds[what] += 1
            print("round %d: killed during %s; integrity ok, no duplicate paths, the acknowledged PATCHes of %d "
                  "movies present"
                  % (sum(rounds.values()), what, len(acknowledged)), flush=True)

        # The end: one more import, a clean stop, and the catalogue a clean import would give.
        server = Server(media, data)
        server.request("POST", "/api/v1/import")
        server.wait_idle()
        server.stop()
        final, problems = catalogue_state(db_file)
        check(not problems, "final catalogue: %r" % problems)
        missing = acknowledged_writes_present(db_file, acknowledged)
        check(not missing, "final: acknowledged PATCHes lost: %r" % missing[:3])
        if final != expected:
            extra = [m for m in final if m not in expected][:3]
            lacking = [m for m in expected if m not in final][:3]
            raise Broken("final catalogue differs from a clean import's: %d vs %d movies; extra %r; missing %r"
                         % (len(final), len(expected), extra, lacking))
        print("passed: %d kills (%d during import, %d during PATCH storms, %d during prune) in %.0f s; %d "
              "acknowledged PATCHes all present; final catalogue equals a clean import's (%d movies)"
              % (sum(rounds.values()), rounds["import"], rounds["patch"], rounds["prune"],
                 time.monotonic() - started, len(acknowledged), len(final)), flush=True)
        return 0
    except Broken as e:
        print("FAILED: %s (work dir %s)" % (e, work), flush=True)
        args.keep = True
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
