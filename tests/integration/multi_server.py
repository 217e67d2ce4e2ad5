"""Several servers, one catalogue (issue 14, part 3): two real servers with two data dirs and two media
folders on one throwaway PostgreSQL cluster (tools/pg_cluster.sh). Each imports its own folder; both list
every movie and say which server holds each file; a prune on one never removes the other's movies; a
WebSocket client of one sees the other's import within 1 s; a server with no media folders serves the shared
catalogue. Skipped without PostgreSQL (a failure with CI=true)."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import (SOURCE_DIR, Server, TempDirs, check, import_and_wait,  # noqa: E402
                               missing_prerequisite, run_tests)

PG_CLUSTER = os.path.join(SOURCE_DIR, "tools", "pg_cluster.sh")


class Cluster:
    """A throwaway PostgreSQL cluster, one database per test."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mediabase-pg-")
        out = subprocess.run([PG_CLUSTER, "start", self.dir], capture_output=True, text=True)
        if out.returncode == 3:
            shutil.rmtree(self.dir, ignore_errors=True)
            missing_prerequisite(out.stderr.strip())
        if out.returncode != 0:
            shutil.rmtree(self.dir, ignore_errors=True)
            # A cluster that cannot start where PostgreSQL is installed is a failure, not a skip.
            print("FAIL cannot start a PostgreSQL cluster: %s" % out.stderr.strip(), flush=True)
            sys.exit(1)
        self.conninfo = out.stdout.strip().splitlines()[-1]
        self.count = 0

    def database(self):
        """A new empty database; its conninfo."""
        self.count += 1
        name = "multi_%d" % self.count
        bin_dir = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]
        psql = os.path.join("/usr/lib/postgresql", bin_dir, "bin", "psql")
        subprocess.run([psql, "-h", self.dir, "-U", "mediabase", "-d", "postgres", "-qc",
                        "CREATE DATABASE %s" % name], check=True, capture_output=True)
        return "host=%s user=mediabase dbname=%s" % (self.dir, name)

    def psql(self, conninfo):
        """An interactive psql session on the database `conninfo` names (its own connection)."""
        dbname = conninfo.rsplit("dbname=", 1)[1]
        bin_dir = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]
        psql = os.path.join("/usr/lib/postgresql", bin_dir, "bin", "psql")
        return subprocess.Popen([psql, "-h", self.dir, "-U", "mediabase", "-d", dbname, "-Atq"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def stop(self):
        subprocess.run([PG_CLUSTER, "stop", self.dir], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


CLUSTER = None


def write_movie(media, title):
    folder = os.path.join(media, title)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, title + ".mkv"), "w") as f:
        f.write("video of " + title)


def start_server(dirs, name, database, media=None, art_dir=None):
    args = ["--database", database, "--server-name", name, "--watch", "false"]
    if art_dir:
        args += ["--art-dir", art_dir]
    # Offline: titles come from the names, nothing is fetched.
    env = {"TMDB_API_KEY": None, "TMDB_READ_TOKEN": None, "OMDB_API_KEY": None}
    return Server([media] if media else [], dirs.path("data-" + name), args, env=env).start()


def all_movies(server):
    status, page, _ = server.request("GET", "/api/v1/movies?limit=1000")
    check(status == 200, "GET /movies answered %s" % status)
    return {m["title"]: m for m in page["movies"]}


class Recorder:
    """Reads a server's event stream on a thread of its own and keeps each event with when it arrived."""

    def __init__(self, server):
        self.events = server.events(each_movie=False)
        first = self.events.next()
        check(first["type"] == "import.status", "first event is %r" % first["type"])
        self.seen = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while True:
            try:
                event = self.events.next()
            except Exception:  # noqa: BLE001 - the stream closed
                return
            with self.changed:
                self.seen.append((time.monotonic(), event))
                self.changed.notify_all()
            if event["type"] == "__closed__":
                return

    def wait_for(self, predicate, within=30):
        """The arrival time of the first event matching `predicate` (woken by each event, no polling)."""
        def found():
            return next((t for t, e in self.seen if predicate(e)), None)
        with self.changed:
            self.changed.wait_for(lambda: found() is not None, within)
            arrived = found()
        check(arrived is not None, "no matching event within %d s" % within)
        return arrived

    def close(self):
        self.events.close()


def test_two_servers_share_one_catalogue():
    dirs = TempDirs()
    database = CLUSTER.database()
    servers = []
    try:
        media_a, media_b = dirs.path("media-a"), dirs.path("media-b")
        for title in ("Alien (1979)", "Brazil (1985)"):
            write_movie(media_a, title)
        for title in ("Heat (1995)", "Dune (2021)"):
            write_movie(media_b, title)
        a = start_server(dirs, "alpha", database, media_a)
        servers.append(a)
        b = start_server(dirs, "beta", database, media_b)
        servers.append(b)

        # B's client sees A's import, as fast as A's own client does (within 1 s of it).
        watch_a, watch_b = Recorder(a), Recorder(b)
        try:
            status, job, _ = a.request("POST", "/api/v1/import")
            check(status == 202, "POST /import on A answered %s" % status)
            watch_a.wait_for(lambda e: e["type"] == "import.finished" and e["job"]["id"] == job["id"])
            job_a = next(e for _, e in watch_a.seen if e["type"] == "import.finished")["job"]
            check(job_a["counts"]["stored"] == 2, "A stored %r" % job_a["counts"])
            added_on_a = {i for _, e in watch_a.seen if e["type"] == "movies.changed" for i in e["added"]}
            check(len(added_on_a) == 2, "A's client saw %d movies added" % len(added_on_a))
            for movie_id in added_on_a:
                seen_on_a = watch_a.wait_for(lambda e: e["type"] == "movies.changed" and movie_id in e["added"])
                seen_on_b = watch_b.wait_for(lambda e: e["type"] == "movies.changed" and movie_id in e["added"])
                check(seen_on_b - seen_on_a < 1.0,
                      "B's client saw movie %d %.2f s after A's" % (movie_id, seen_on_b - seen_on_a))
        finally:
            watch_a.close()
            watch_b.close()

        events_b = b.events()
        events_b.next()
        _, job_b, _ = import_and_wait(b, events_b)
        events_b.close()
        check(job_b["counts"]["stored"] == 2 and job_b["counts"]["skipped"] == 0,
              "B imports only its own folder: %r" % job_b["counts"])

        # Both list and search every movie, whichever server found it, and say who holds each file.
        expected = {"Alien", "Brazil", "Heat", "Dune"}
        for server in (a, b):
            movies = all_movies(server)
            check(set(movies) == expected, "listed %r" % sorted(movies))
            status, found, _ = server.request("GET", "/api/v1/movies?q=heat")
            check(status == 200 and [m["title"] for m in found["movies"]] == ["Heat"], "search: %r" % found)
        heat_id = all_movies(a)["Heat"]["id"]
        status, heat, _ = a.request("GET", "/api/v1/movies/%d" % heat_id)
        check(status == 200 and [f["server"] for f in heat["files"]] == ["beta"],
              "A says which server holds Heat's file: %r" % heat["files"])
        status, alien, _ = b.request("GET", "/api/v1/movies/%d" % all_movies(b)["Alien"]["id"])
        check(status == 200 and [f["server"] for f in alien["files"]] == ["alpha"], "B: %r" % alien.get("files"))

        # A re-import on A walks A's folder only: B's movies are not A's to skip or store.
        events_a = a.events()
        events_a.next()
        _, again, _ = import_and_wait(a, events_a)
        check(again["counts"]["found"] == 2 and again["counts"]["stored"] == 0, "A again: %r" % again["counts"])

        # A loses one movie: its prune removes that one, and none of B's.
        shutil.rmtree(os.path.join(media_a, "Brazil (1985)"))
        status, pruned, _ = a.request("POST", "/api/v1/prune")
        check(status == 200, "POST /prune on A answered %s" % status)
        check(pruned["checked"] == 2 and len(pruned["removed"]) == 1, "A's prune: %r" % pruned)
        for server in (a, b):
            check(set(all_movies(server)) == {"Alien", "Heat", "Dune"}, "after A's prune: %r" % sorted(all_movies(server)))

        # A's folder emptied: the failsafe removes nothing of A's, and B's movies are never looked at.
        shutil.rmtree(os.path.join(media_a, "Alien (1979)"))
        status, pruned, _ = a.request("POST", "/api/v1/prune")
        check(status == 200 and pruned["removed"] == [] and pruned["skipped_roots"], "A's empty root: %r" % pruned)
        check(set(all_movies(b)) == {"Alien", "Heat", "Dune"}, "B after A's empty prune: %r" % sorted(all_movies(b)))
        events_a.close()
    finally:
        for server in servers:
            server.kill()
        dirs.cleanup()


def test_a_server_without_media_folders_serves_the_shared_catalogue():
    dirs = TempDirs()
    database = CLUSTER.database()
    servers = []
    try:
        media = dirs.path("media")
        write_movie(media, "Heat (1995)")
        scanner = start_server(dirs, "scanner", database, media)
        servers.append(scanner)
        events = scanner.events()
        events.next()
        import_and_wait(scanner, events)
        events.close()

        front = start_server(dirs, "front", database)
        servers.append(front)
        check(set(all_movies(front)) == {"Heat"}, "the front end lists %r" % sorted(all_movies(front)))
        status, one, _ = front.request("GET", "/api/v1/movies/%d" % all_movies(front)["Heat"]["id"])
        check(status == 200 and one["files"][0]["server"] == "scanner", "GET /movies/ID: %r" % one)
        status, config, _ = front.request("GET", "/api/v1/config")
        check(status == 200 and config["server_name"] == "front", "GET /config names the server: %r" % config)
        # Its prune has no roots of its own to look at: the scanner's movie stays.
        status, pruned, _ = front.request("POST", "/api/v1/prune")
        check(status in (200, 400, 409), "POST /prune on the front end answered %s" % status)
        check(set(all_movies(scanner)) == {"Heat"}, "the scanner's movie stays")
    finally:
        for server in servers:
            server.kill()
        dirs.cleanup()


def test_every_server_serves_the_art_of_a_shared_art_dir():
    dirs = TempDirs()
    database = CLUSTER.database()
    servers = []
    try:
        media, art = dirs.path("media"), dirs.path("shared-art")
        write_movie(media, "Poster Film (2001)")
        # Local art beside the file: copied into the art dir by an offline import.
        poster = b"\xFF\xD8\xFF\xE0" + os.urandom(2048)
        with open(os.path.join(media, "Poster Film (2001)", "poster.jpg"), "wb") as f:
            f.write(poster)
        a = start_server(dirs, "alpha", database, media, art_dir=art)
        servers.append(a)
        b = start_server(dirs, "beta", database, art_dir=art)
        servers.append(b)
        events = a.events()
        events.next()
        _, job, _ = import_and_wait(a, events)
        events.close()
        check(job["counts"]["art_cached"] == 1, "A cached the poster: %r" % job["counts"])
        film = all_movies(b)["Poster Film"]
        check(film["poster"] and film["poster"].startswith("/img/"), "B lists the poster: %r" % film["poster"])
        status, body, response = b.request("GET", film["poster"])
        check(status == 200 and body == poster, "B serves A's poster: %s, %d bytes" % (status, len(body or b"")))
        check(not os.path.exists(os.path.join(dirs.root, "data-alpha", "art")), "the art went to --art-dir")
        status, config, _ = b.request("GET", "/api/v1/config")
        check(config["art_dir"] == art, "GET /config names the art dir: %r" % config.get("art_dir"))
    finally:
        for server in servers:
            server.kill()
        dirs.cleanup()


def test_an_import_of_a_root_another_process_imports_is_refused():
    dirs = TempDirs()
    database = CLUSTER.database()
    server = None
    holder = CLUSTER.psql(database)
    try:
        media = dirs.path("media")
        write_movie(media, "Heat (1995)")
        server = start_server(dirs, "alpha", database, media)
        # Another process of server "alpha" importing the same folder holds its import lock (the same key
        # the server computes: schema, server name and root).
        holder.stdin.write("SELECT 'locked' FROM pg_advisory_lock(hashtextextended("
                           "'mediabase:' || current_schema() || ':import:alpha:%s', 0));\n" % media)
        holder.stdin.flush()
        check(holder.stdout.readline().strip() == "locked", "the test's session holds the lock")
        events = server.events()
        events.next()
        _, refused, _ = import_and_wait(server, events)
        check(refused["error"] and "is importing " + media in refused["error"], "refused: %r" % refused.get("error"))
        check(refused["counts"]["stored"] == 0, "nothing stored: %r" % refused["counts"])
        check(all_movies(server) == {}, "nothing listed")
        # Once the other process is done, the import goes through.
        holder.stdin.write("SELECT 'unlocked' FROM pg_advisory_unlock_all();\n")
        holder.stdin.flush()
        holder.stdout.readline()
        _, job, _ = import_and_wait(server, events)
        check(not job["error"] and job["counts"]["stored"] == 1, "after the lock: %r" % job)
        # A finished import gives its locks back before it says it finished: a write asked for after that
        # (answered by the same DAL writer, in order) finds them free.
        heat_id = all_movies(server)["Heat"]["id"]
        status, _, _ = server.request("PATCH", "/api/v1/movies/%d" % heat_id, {"watched": True})
        check(status == 200, "PATCH answered %s" % status)
        holder.stdin.write("SELECT pg_try_advisory_lock(hashtextextended("
                           "'mediabase:' || current_schema() || ':import:alpha:%s', 0));\n" % media)
        holder.stdin.flush()
        check(holder.stdout.readline().strip() == "t", "the server gave the lock back")
        events.close()
    finally:
        holder.stdin.close()
        holder.wait()
        if server:
            server.kill()
        dirs.cleanup()


def main():
    global CLUSTER
    CLUSTER = Cluster()
    try:
        run_tests([test_two_servers_share_one_catalogue, test_a_server_without_media_folders_serves_the_shared_catalogue,
                   test_every_server_serves_the_art_of_a_shared_art_dir,
                   test_an_import_of_a_root_another_process_imports_is_refused])
    finally:
        CLUSTER.stop()


if __name__ == "__main__":
    main()
