"""The real binary on a PostgreSQL catalogue: import a generated library, list, search and serve a movie; the
database down at start (a clear error, tries again with a growing pause, then serves); the database server
restarted mid-run (the next import completes, nothing half-stored). Each test runs its own throwaway cluster
(tools/pg_cluster.sh), so it can stop and restart it."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import (SOURCE_DIR, Server, TempDirs, check, generate_library, import_and_wait,  # noqa: E402
                               missing_prerequisite, run_tests)

CLUSTER = os.path.join(SOURCE_DIR, "tools", "pg_cluster.sh")
PG_ROOT = "/usr/lib/postgresql"
PSQLS = sorted(os.path.join(PG_ROOT, v, "bin", "psql") for v in (os.listdir(PG_ROOT) if os.path.isdir(PG_ROOT) else [])
               if os.path.exists(os.path.join(PG_ROOT, v, "bin", "initdb")))
if not PSQLS:
    missing_prerequisite("PostgreSQL is not installed (apt-get install postgresql)")
PSQL = PSQLS[-1]
# The password is not needed (trust), but given: it must never show in a log or an answer.
PASSWORD = "pw-n3ver-shown"


class Cluster:
    def __init__(self, directory):
        self.dir = directory
        self.conninfo = None

    def start(self):
        out = subprocess.run([CLUSTER, "start", self.dir], check=True, capture_output=True, text=True)
        self.conninfo = out.stdout.strip().splitlines()[-1] + " password=" + PASSWORD
        return self

    def stop(self):
        subprocess.run([CLUSTER, "stop", self.dir], check=True, capture_output=True)

    def restart(self):
        subprocess.run([CLUSTER, "restart", self.dir], check=True, capture_output=True)

    def query(self, sql):
        out = subprocess.run([PSQL, "-h", self.dir, "-U", "mediabase", "-d", "mediabase_test", "-Atqc", sql],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()


def with_cluster(test):
    def run():
        dirs = TempDirs()
        # Right under /tmp: the server runs as nobody, who must reach the folder.
        cluster = Cluster(tempfile.mkdtemp(prefix="mediabase-pg-"))
        try:
            cluster.start()
            test(dirs, cluster)
        finally:
            cluster.stop()
            shutil.rmtree(cluster.dir, ignore_errors=True)
            dirs.cleanup()
    run.__name__ = test.__name__
    return run


def no_password_in(server, what):
    check(not any(PASSWORD in line for line in server.log), "the password is in the log of %s" % what)


@with_cluster
def test_import_list_search_and_serve_on_postgresql(dirs, cluster):
    media, data = dirs.path("media"), dirs.path("data")
    summary = generate_library(media, 300)
    server = Server([media], data, ["--watch", "false", "--database", cluster.conninfo]).start()
    try:
        events = server.events()
        events.next()
        _, job, _ = import_and_wait(server, events)
        check(job["error"] is None and job["counts"]["failed"] == 0, "import failed: %r" % job)
        status, page, _ = server.request("GET", "/api/v1/movies?limit=1000")
        check(status == 200 and page["total"] == summary["movies_expected"],
              "the catalogue holds %d of %d movies" % (page["total"], summary["movies_expected"]))
        check(int(cluster.query("SELECT count(*) FROM movies")) == page["total"], "the movies are in PostgreSQL")
        check(not os.path.exists(os.path.join(data, "mediabase.db")), "no SQLite file was made")
        titles = [m["title"] for m in page["movies"]]
        status, found, _ = server.request("GET", "/api/v1/movies?q=blade%20run")
        check(status == 200 and any(m["title"] == "Blade Runner 2049" for m in found["movies"]),
              "search by prefixes: %r" % [m["title"] for m in found["movies"]])
        status, by_title, _ = server.request("GET", "/api/v1/movies?sort=title&limit=1000")
        check([m["title"] for m in by_title["movies"]] == titles, "title order is the default order")
        movie_id = found["movies"][0]["id"]
        status, movie, _ = server.request("GET", "/api/v1/movies/%d" % movie_id)
        check(status == 200 and movie["files"] and movie["files"][0]["path"].startswith(media),
              "GET /movies/ID serves the movie with its files")
        status, config, _ = server.request("GET", "/api/v1/config")
        check(config["database_engine"] == "postgresql" and PASSWORD not in str(config),
              "GET /config shows the database masked: %r" % config.get("database"))
        status, answer, _ = server.request("POST", "/api/v1/backups")
        check(status == 409 and "pg_dump" in answer["error"]["message"], "POST /backups on PostgreSQL: %s" % status)
        no_password_in(server, "serve")
    finally:
        server.kill()


@with_cluster
def test_database_down_at_start_is_waited_for(dirs, cluster):
    media, data = dirs.path("media"), dirs.path("data")
    generate_library(media, 50)
    cluster.stop()
    server = Server([media], data, ["--watch", "false", "--database", cluster.conninfo])
    server.proc = subprocess.Popen(server.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   errors="replace")
    try:
        # The clear error, then tries again: the log is read line by line as the server writes it.
        text = ""
        retries = 0
        while retries < 2:
            line = server.proc.stderr.readline()
            check(line, "the server gave up: %s" % text)
            text += line
            retries += "the database is unavailable" in line and "trying again in" in line
        check("cannot connect to the database" in text, "the error names the cause: %s" % text)
        check("trying again in 1 s" in text and "trying again in 2 s" in text, "the pause grows: %s" % text)
        check(PASSWORD not in text, "the password is in the log")
        threading.Thread(target=server._drain_stderr, daemon=True).start()
        cluster.start()
        line = server.proc.stdout.readline()
        check(line.startswith("listening on http://127.0.0.1:"), "serves once the database is up: %r" % line)
        server.port = int(line.strip().rsplit(":", 1)[1])
        status, health, _ = server.request("GET", "/api/v1/healthz")
        check(status == 200 and health["database"]["state"] == "ok", "healthz: %r" % health)
    finally:
        server.kill()


@with_cluster
def test_a_database_restart_mid_run_is_survived(dirs, cluster):
    media, data = dirs.path("media"), dirs.path("data")
    summary = generate_library(media, 2000, seed=5)
    server = Server([media], data, ["--watch", "false", "--database", cluster.conninfo]).start()
    try:
        events = server.events()
        events.next()
        # The server restarted while an import runs: that import fails cleanly or goes on; none is half-stored.
        status, job, _ = server.request("POST", "/api/v1/import")
        check(status == 202, "import started")
        events.until(lambda e: e["type"] == "import.progress" or e["type"] == "import.finished")
        cluster.restart()
        events.until(lambda e: e["type"] == "import.finished" and e["job"]["id"] == job["id"])

        # The database away: a read that needs it fails and /healthz says why.
        cluster.stop()
        status, _, _ = server.request("GET", "/api/v1/movies?q=nothing%20cached")
        status, health, _ = server.request("GET", "/api/v1/healthz")
        check(health["status"] == "degraded" and health["database"]["state"] == "unavailable",
              "healthz while the database is down: %r" % health)
        cluster.start()

        _, job, _ = import_and_wait(server, events)
        check(job["error"] is None and job["counts"]["failed"] == 0, "the import after the restarts: %r" % job)
        status, page, _ = server.request("GET", "/api/v1/movies?limit=1")
        check(page["total"] == summary["movies_expected"],
              "after the restarts the catalogue holds %d of %d" % (page["total"], summary["movies_expected"]))
        # Nothing half-stored: every movie has its files, every file its movie, and each file is there once.
        check(cluster.query("SELECT count(*) FROM movies m WHERE NOT EXISTS (SELECT 1 FROM media_files f"
                            " WHERE f.movie_id = m.id)") == "0", "movies without files")
        check(cluster.query("SELECT count(*) - count(DISTINCT path) FROM media_files") == "0", "a file twice")
        status, health, _ = server.request("GET", "/api/v1/healthz")
        check(health["database"]["state"] == "ok", "healthz after the restart: %r" % health)
        no_password_in(server, "serve")
    finally:
        server.kill()


if __name__ == "__main__":
    if shutil.which("runuser") is None and os.getuid() == 0:
        missing_prerequisite("runuser is needed to run PostgreSQL as nobody")
    run_tests([test_import_list_search_and_serve_on_postgresql, test_database_down_at_start_is_waited_for,
               test_a_database_restart_mid_run_is_survived])
