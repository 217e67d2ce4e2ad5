"""`mediabase db copy` (README, PostgreSQL, "Moving over"): a library imported on SQLite, with people's marks,
copied into a throwaway PostgreSQL cluster; a server on PostgreSQL (another data dir) lists the same movies
with the same ids and each person's marks; a target that holds anything is refused unless --force; the copy
back into a new SQLite file holds the same rows."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import (BIN, EventStream, Server, TempDirs, check, import_and_wait,  # noqa: E402
                               missing_prerequisite, run_tests)
from postgres_flow import PASSWORD, Cluster  # noqa: E402  (skips without PostgreSQL)
from access_control import ADMIN_PASSWORD, VIEWER_PASSWORD, add_user, call, login  # noqa: E402
from personal_state import marks, patch, write_library  # noqa: E402

TABLES = ["movies", "media_files", "movie_genres", "imports", "users", "sessions", "api_keys", "user_movie_state",
          "media_info"]


def db_copy(*args):
    out = subprocess.run([BIN, "db", "copy"] + list(args), capture_output=True, text=True, timeout=300)
    check(PASSWORD not in out.stdout + out.stderr, "db copy showed the password: %s %s" % (out.stdout, out.stderr))
    return out


def copied_rows(stdout):
    """{table: rows} of what db copy printed."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+(\d+)$", stdout, re.M)}


def people(port):
    origin = "http://127.0.0.1:%d" % port
    return ({"Cookie": login(port, "ann", ADMIN_PASSWORD), "Origin": origin},
            {"Cookie": login(port, "bob", VIEWER_PASSWORD), "Origin": origin, "X-Mediabase-CSRF": "1"})


def catalogue_seen(port, who):
    status, page, _ = call(port, "GET", "/api/v1/movies?limit=100&sort=added", None, who)
    check(status == 200, "GET /movies: %s %r" % (status, page))
    return [(m["id"], m["title"], m["year"]) for m in page["movies"]]


def test_a_catalogue_moves_to_postgresql_and_back():
    tmp = TempDirs()
    cluster = Cluster(tempfile.mkdtemp(prefix="mediabase-pg-"))
    server = None
    try:
        media, data = tmp.path("media"), tmp.path("data")
        write_library(media)
        server = Server([media], data, ["--watch", "false", "--backup-interval", "0"]).start()
        import_and_wait(server, EventStream(server.port))
        server.kill()
        add_user(data, "ann", ADMIN_PASSWORD, admin=True)
        add_user(data, "bob", VIEWER_PASSWORD)
        server = Server([media], data, ["--auth", "required", "--watch", "false", "--backup-interval", "0"]).start()
        ann, bob = people(server.port)
        before = catalogue_seen(server.port, ann)
        ids = {title: movie_id for movie_id, title, _ in before}
        patch(server.port, bob, ids["Heat"], {"watched": True, "rating": 9})
        patch(server.port, bob, ids["Brazil"], {"on_list": True})
        bob_marks = marks(server.port, bob)
        server.kill()
        server = None
        check(bob_marks["Heat"] == (True, 9, False), "bob's marks on SQLite: %r" % bob_marks)

        cluster.start()
        sqlite = "sqlite:" + os.path.join(data, "mediabase.db")
        out = db_copy("--from", sqlite, "--to", cluster.conninfo)
        check(out.returncode == 0, "db copy to PostgreSQL: %s %s" % (out.returncode, out.stderr))
        rows = copied_rows(out.stdout)
        check(list(rows) == TABLES, "the tables copied: %r" % out.stdout)
        check(rows["movies"] == 4 and rows["users"] == 2 and rows["user_movie_state"] >= 2 and rows["imports"] >= 1,
              "the rows copied: %r" % rows)
        check(cluster.query("SELECT count(*) FROM user_movie_state") == str(rows["user_movie_state"]),
              "PostgreSQL holds the per-person state")

        # A server on PostgreSQL with a data dir of its own: the same movies, ids, accounts and marks.
        other = tmp.path("other")
        server = Server([], other, ["--auth", "required", "--watch", "false", "--database", cluster.conninfo]).start()
        ann, bob = people(server.port)
        check(catalogue_seen(server.port, ann) == before, "on PostgreSQL: %r, on SQLite: %r"
              % (catalogue_seen(server.port, ann), before))
        check(marks(server.port, bob) == bob_marks, "bob's marks on PostgreSQL: %r" % marks(server.port, bob))
        status, stats, _ = call(server.port, "GET", "/api/v1/stats", None, bob)
        check(status == 200 and stats["watched"] == 1, "bob's stats on PostgreSQL: %s %r" % (status, stats))
        server.kill()
        server = None
        # A row added after the copy gets a new id: the sequences moved past the copied ids (psql fails else).
        cluster.query("INSERT INTO users (name, password_hash, role, created_at) VALUES ('cleo', 'x', 'viewer', 'now')")

        # The target holds a catalogue now: refused, and left as it was; --force replaces it.
        out = db_copy("--from", sqlite, "--to", cluster.conninfo)
        check(out.returncode == 1 and "is not empty" in out.stderr and "--force" in out.stderr,
              "a second copy was not refused: %s %s" % (out.returncode, out.stderr))
        check(cluster.query("SELECT count(*) FROM users") == "3", "the refused copy changed the target")
        out = db_copy("--from", sqlite, "--to", cluster.conninfo, "--force")
        check(out.returncode == 0, "db copy --force: %s %s" % (out.returncode, out.stderr))
        check(cluster.query("SELECT count(*) FROM users") == "2", "--force did not replace the target's rows")

        # And back into a new SQLite file.
        back = os.path.join(tmp.path("back"), "mediabase.db")
        out = db_copy("--from", cluster.conninfo, "--to", "sqlite:" + back)
        check(out.returncode == 0, "db copy back to SQLite: %s %s" % (out.returncode, out.stderr))
        check(copied_rows(out.stdout) == rows, "copied back: %r, copied over: %r" % (copied_rows(out.stdout), rows))
        server = Server([media], tmp.path("back"), ["--auth", "required", "--watch", "false"]).start()
        ann, bob = people(server.port)
        check(catalogue_seen(server.port, ann) == before, "copied back: %r" % catalogue_seen(server.port, ann))
        check(marks(server.port, bob) == bob_marks, "bob's marks copied back: %r" % marks(server.port, bob))
        status, found, _ = call(server.port, "GET", "/api/v1/movies?q=heat", None, bob)
        check(status == 200 and [m["title"] for m in found["movies"]] == ["Heat"], "search after the copy back")
    finally:
        if server:
            server.kill()
        cluster.stop()
        shutil.rmtree(cluster.dir, ignore_errors=True)
        tmp.cleanup()


def test_bad_copy_commands_are_refused():
    tmp = TempDirs()
    try:
        db = "sqlite:" + os.path.join(tmp.path("data"), "mediabase.db")
        for args, expected in ((["--to", db], "give --from"), (["--from", db], "give --to"),
                               (["--from", "mysql://x", "--to", db], "--from"),
                               (["--from", db, "--to", db], "the same database")):
            out = db_copy(*args)
            check(out.returncode != 0 and expected in out.stderr,
                  "db copy %r: %s %s" % (args, out.returncode, out.stderr))
        # A source that is not there (a typo) is an error, never an empty catalogue made on the spot: with
        # --force that copy would have emptied the target.
        target = os.path.join(tmp.path("kept"), "mediabase.db")
        with open(target, "wb") as out_file:
            out_file.write(b"left as it was")
        missing = os.path.join(tmp.root, "no-such-dir", "mediabase.db")
        out = db_copy("--from", "sqlite:" + missing, "--to", "sqlite:" + target, "--force")
        check(out.returncode == 1 and "does not exist" in out.stderr, "a missing source: %s %s"
              % (out.returncode, out.stderr))
        check(not os.path.exists(os.path.dirname(missing)), "the missing source was created")
        with open(target, "rb") as in_file:
            check(in_file.read() == b"left as it was", "the target was touched")
    finally:
        tmp.cleanup()
    out = subprocess.run([BIN, "db", "move"], capture_output=True, text=True, timeout=60)
    check(out.returncode == 2 and "db copy" in out.stderr, "db move: %s %s" % (out.returncode, out.stderr))
    out = subprocess.run([BIN, "scan", "--force"], capture_output=True, text=True, timeout=60)
    check(out.returncode == 2 and "only with `db copy`" in out.stderr, "scan --force: %s" % out.stderr)


if __name__ == "__main__":
    if shutil.which("runuser") is None and os.getuid() == 0:
        missing_prerequisite("runuser is needed to run PostgreSQL as nobody")
    run_tests([test_a_catalogue_moves_to_postgresql_and_back, test_bad_copy_commands_are_refused])
