"""Never lose a library, never report a failure as success (issue 9, items 3, 4 and 8), end to end with the
real binary:

- a sub-folder that held catalogued movies disappears (an unmounted drive at R/disk1) with watching on:
  nothing is removed, the hold is reported (GET /prune, GET /import), and removed only once confirmed;
- POST /prune with a root holding only lost+found, .DS_Store and an empty folder removes nothing;
- an automatic prune of more than 20 movies and more than 10 % of a root is held;
- a corrupt catalogue is a clear start-up error (serve and scan exit 1 and say why);
- a full disk (RLIMIT_FSIZE) ends the import with an error naming it, /healthz says degraded, scan exits 1;
- out of file descriptors: the import's error names it and scan exits 1;
- backups: POST /backups, GET /backups, `mediabase backup`, `mediabase restore FILE` (refused while the
  server runs), and the restored catalogue is the one backed up.

Every wait is on events or on the process; no sleeps."""

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import BIN, Server, TempDirs, check, generate_library, import_and_wait, run_tests  # noqa: E402


def write_movie(media, relative, content="video"):
    path = os.path.join(media, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content)
    return path


def movie_count(server):
    status, page, _ = server.request("GET", "/api/v1/movies?limit=1")
    check(status == 200, "GET /movies answered %s" % status)
    return page["total"]


def run(args, **kwargs):
    return subprocess.run([BIN] + args, capture_output=True, text=True, timeout=120, **kwargs)


def test_an_unmounted_sub_drive_is_held_then_removed_only_when_confirmed():
    dirs = TempDirs()
    try:
        media, data, away = dirs.path("R"), dirs.path("data"), dirs.path("away")
        write_movie(media, "Kept (1990)/Kept (1990).mkv")
        titles = ["Alpha (2001)", "Bravo (2002)", "Charlie (2003)"]
        for title in titles:
            write_movie(media, "disk1/%s/%s.mkv" % (title, title))
        server = Server([media], data).start()
        try:
            events = server.events()
            check(events.next()["type"] == "import.status", "first event is the status")
            _, job, _ = import_and_wait(server, events)
            check(job["counts"]["stored"] == 4 and job["error"] is None, "imported: %r" % job)

            # umount R/disk1: the mount point stays, empty but for lost+found.
            for title in titles:
                shutil.move(os.path.join(media, "disk1", title), os.path.join(away, title))
            os.makedirs(os.path.join(media, "disk1", "lost+found"))
            seen = []
            prune = events.until(lambda e: e["type"] == "prune.finished", seen)
            check(not [e for e in seen if e["type"] == "movie.removed"], "nothing removed: %r" % seen)
            check(prune["result"]["removed"] == [], "prune removed nothing: %r" % prune)
            held = prune["result"]["held"]
            check(len(held) == 1 and held[0]["folder"] == os.path.join(media, "disk1"), "held: %r" % held)
            check(held[0]["movie_count"] == 3 and "no video files" in held[0]["reason"], "held: %r" % held)
            check(movie_count(server) == 4, "all 4 movies still there")

            status, hold, _ = server.request("GET", "/api/v1/prune")
            check(status == 200 and hold["movies"] == 3 and hold["files"] == 3, "GET /prune: %r" % hold)
            check(sorted(m["title"] for m in hold["groups"][0]["movies"]) == ["Alpha", "Bravo", "Charlie"],
                  "the titles that would go: %r" % hold)
            status, job, _ = server.request("GET", "/api/v1/import")
            check(status == 200 and job["prune_held"] and job["prune_held"]["movies"] == 3,
                  "GET /import says what would go: %r" % job)

            # Asked by hand, the offline folder is still held.
            status, manual, _ = server.request("POST", "/api/v1/prune")
            check(status == 200 and manual["removed"] == [] and len(manual["held"]) == 1, "manual: %r" % manual)

            # The user confirms: the held files go.
            status, confirmed, _ = server.request("POST", "/api/v1/prune", {"confirm": True})
            check(status == 200 and len(confirmed["removed"]) == 3, "confirmed: %r" % confirmed)
            check(movie_count(server) == 1, "only Kept is left")
            status, hold, _ = server.request("GET", "/api/v1/prune")
            check(hold["groups"] == [], "nothing held any more: %r" % hold)
            status, bad, _ = server.request("POST", "/api/v1/prune", {"confirm": "yes"})
            check(status == 400, "confirm must be a boolean: %s" % status)
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_a_remounted_drive_clears_the_hold():
    dirs = TempDirs()
    try:
        media, data, away = dirs.path("R"), dirs.path("data"), dirs.path("away")
        write_movie(media, "Kept (1990)/Kept (1990).mkv")
        for title in ["Alpha (2001)", "Bravo (2002)"]:
            write_movie(media, "disk1/%s/%s.mkv" % (title, title))
        server = Server([media], data).start()
        try:
            events = server.events()
            events.next()
            import_and_wait(server, events)
            shutil.move(os.path.join(media, "disk1"), os.path.join(away, "disk1"))  # the mount point goes too
            prune = events.until(lambda e: e["type"] == "prune.finished")
            check(prune["result"]["removed"] == [] and len(prune["result"]["held"]) == 1, "held: %r" % prune)
            shutil.move(os.path.join(away, "disk1"), os.path.join(media, "disk1"))  # mounted again
            prune = events.until(lambda e: e["type"] == "prune.finished")
            check(prune["result"]["held"] == [], "nothing held once back: %r" % prune)
            status, hold, _ = server.request("GET", "/api/v1/prune")
            check(hold["groups"] == [], "GET /prune: %r" % hold)
            check(movie_count(server) == 3, "all movies kept")
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def mount_namespaces_work():
    """Root with mount namespaces (unshare -m): a real bind mount can be unmounted under the server."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "mount", "--bind", "/", "/mnt"],
                           capture_output=True)
    return probe.returncode == 0


def test_a_real_umount_of_a_sub_drive_removes_nothing():
    if not mount_namespaces_work():
        print("skip test_a_real_umount_of_a_sub_drive_removes_nothing: no mount namespaces here")
        return
    dirs = TempDirs()
    try:
        media, data, drive = dirs.path("R"), dirs.path("data"), dirs.path("drive")
        write_movie(media, "Kept (1990)/Kept (1990).mkv")
        os.makedirs(os.path.join(media, "disk1"))
        titles = ["Alpha (2001)", "Bravo (2002)", "Charlie (2003)"]
        for title in titles:
            write_movie(drive, "%s/%s.mkv" % (title, title))
        server = Server([media], data)
        # The server runs in a mount namespace of its own where a file system of its own (tmpfs, filled from
        # `drive`) is mounted at R/disk1: its umount is what inotify reports as IN_UNMOUNT.
        server.args = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                       'mount -t tmpfs -o size=16m disk1 "$2" && cp -r "$1"/. "$2"/ && shift 2 && exec "$@"', "sh",
                       drive, os.path.join(media, "disk1")] + server.args
        server.start()
        try:
            events = server.events()
            events.next()
            _, job, _ = import_and_wait(server, events)
            check(job["counts"]["stored"] == 4, "imported through the mount: %r" % job)
            umount = subprocess.run(["nsenter", "-t", str(server.proc.pid), "-m", "umount",
                                     os.path.join(media, "disk1")], capture_output=True, text=True)
            check(umount.returncode == 0, "umount: %s" % umount.stderr)
            seen = []
            prune = events.until(lambda e: e["type"] == "prune.finished", seen)
            check(not [e for e in seen if e["type"] == "movie.removed"], "nothing removed: %r" % seen)
            held = prune["result"]["held"]
            check(len(held) == 1 and held[0]["movie_count"] == 3, "the unmounted drive's movies held: %r" % held)
            check(movie_count(server) == 4, "all 4 movies still there")
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_prune_of_a_root_with_only_lost_found_ds_store_or_an_empty_folder_removes_nothing():
    dirs = TempDirs()
    try:
        media, data = dirs.path("R"), dirs.path("data")
        for title in ["Alpha (2001)", "Bravo (2002)"]:
            write_movie(media, "%s/%s.mkv" % (title, title))
        server = Server([media], data, ["--watch", "false"]).start()
        try:
            events = server.events()
            events.next()
            import_and_wait(server, events)
            for name in os.listdir(media):
                shutil.rmtree(os.path.join(media, name))
            os.makedirs(os.path.join(media, "lost+found"))
            os.makedirs(os.path.join(media, "Empty"))
            with open(os.path.join(media, ".DS_Store"), "w") as f:
                f.write("finder")
            status, result, _ = server.request("POST", "/api/v1/prune")
            check(status == 200 and result["removed"] == [], "nothing removed: %r" % result)
            check(len(result["skipped_roots"]) == 1 and "no video files" in result["skipped_roots"][0]["reason"],
                  "the root is reported offline: %r" % result)
            check(movie_count(server) == 2, "both movies kept")
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_an_automatic_prune_of_a_large_share_is_held():
    dirs = TempDirs()
    try:
        media, data, away = dirs.path("R"), dirs.path("data"), dirs.path("away")
        names = ["Film %02d (20%02d)" % (i, i) for i in range(30)]
        for name in names:
            write_movie(media, "%s/%s.mkv" % (name, name), name)
        server = Server([media], data).start()
        try:
            events = server.events()
            events.next()
            _, job, _ = import_and_wait(server, events)
            check(job["counts"]["stored"] == 30, "imported: %r" % job)
            # 25 movie folders go at once: more than 20 movies and more than 10 % of the root.
            for name in names[:25]:
                shutil.move(os.path.join(media, name), os.path.join(away, name))
            prune = events.until(lambda e: e["type"] == "prune.finished")
            check(prune["result"]["removed"] == [], "nothing removed: %r" % prune["result"]["removed"])
            held = prune["result"]["held"]
            check(len(held) == 1 and held[0]["folder"] == media and held[0]["movie_count"] == 25, "held: %r" % held)
            check("25 of the 30 movies" in held[0]["reason"], "the rule in figures: %r" % held[0]["reason"])
            check(movie_count(server) == 30, "all 30 still there")
            status, confirmed, _ = server.request("POST", "/api/v1/prune", {"confirm": True})
            check(status == 200 and len(confirmed["removed"]) == 25, "confirmed: %r" % confirmed)
            check(movie_count(server) == 5, "5 left")
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def corrupt_middle(path, size=64 * 1024):
    """Writes `size` bytes of garbage into the middle of the file."""
    length = os.path.getsize(path)
    check(length > 2 * size, "the database is big enough to corrupt: %d bytes" % length)
    with open(path, "r+b") as f:
        f.seek(length // 2 - size // 2)
        f.write(os.urandom(size))


def test_a_corrupt_catalogue_is_a_clear_start_up_error():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        generate_library(media, 1500)
        scan = run(["scan", "--data", data, "--media", media])
        check(scan.returncode == 0, "first scan: %s %s" % (scan.returncode, scan.stderr[-500:]))
        corrupt_middle(os.path.join(data, "mediabase.db"))
        for command in (["serve", "--listen", "127.0.0.1:0"], ["scan", "--media", media]):
            result = run(command + ["--data", data])
            check(result.returncode == 1, "%s on a corrupt catalogue exits 1, got %s" % (command[0], result.returncode))
            check("damaged" in result.stderr or "malformed" in result.stderr,
                  "%s says the catalogue is damaged: %s" % (command[0], result.stderr[-800:]))
    finally:
        dirs.cleanup()


def test_a_catalogue_damaged_while_serving_answers_503_naming_it():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        generate_library(media, 1500)
        check(run(["scan", "--data", data, "--media", media]).returncode == 0, "first scan")
        server = Server([media], data, ["--watch", "false", "--backup-interval", "0"]).start()
        try:
            status, page, _ = server.request("GET", "/api/v1/movies?limit=1000")
            check(status == 200, "sound at first")
            corrupt_middle(os.path.join(data, "mediabase.db"))
            # A write makes the reader's connection read the file again (its cache is stale after it).
            server.request("PATCH", "/api/v1/movies/%d" % page["movies"][0]["id"], {"watched": True})
            answers = [server.request("GET", path)[:2] for path in (
                "/api/v1/movies?limit=1000&sort=year", "/api/v1/movies?limit=1000&sort=title", "/api/v1/stats",
                "/api/v1/movies/duplicates")]
            failed = [body for status, body in answers if status != 200]
            check(failed, "some read hits the damage: %r" % [s for s, _ in answers])
            for status, body in answers:
                if status == 200:
                    continue
                check(status == 503 and body["error"]["code"] in ("database_damaged", "database_error"),
                      "the 503 names the database: %r" % body)
                check("malformed" in body["error"]["message"] and "shutting down" not in body["error"]["message"],
                      "the message says what failed: %r" % body)
            status, health, _ = server.request("GET", "/api/v1/healthz")
            check(health["status"] == "degraded" and health["database"]["state"] == "damaged", "healthz: %r" % health)
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def limit_file_size(limit):
    def apply():
        # A write past the limit fails with EFBIG instead of killing the process (SIGXFSZ).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_fails_the_import_with_its_cause():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        generate_library(media, 2000)
        # The catalogue may not grow past 256 KiB: the disk is "full" part-way through the import.
        scan = run(["scan", "--data", data, "--media", media], preexec_fn=limit_file_size(256 * 1024))
        check(scan.returncode != 0, "scan on a full disk exits non-zero (got 0): %s" % scan.stdout[-300:])
        check("could not be stored" in scan.stderr, "scan names what failed: %s" % scan.stderr[-800:])

        server = Server([media], data, ["--watch", "false", "--backup-interval", "0"])
        server.proc = None
        proc = subprocess.Popen(server.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=limit_file_size(256 * 1024))
        server.proc = proc
        line = proc.stdout.readline()
        check(line.startswith("listening on"), "serve started: %r" % line)
        server.port = int(line.strip().rsplit(":", 1)[1])
        try:
            events = server.events()
            events.next()
            _, job, _ = import_and_wait(server, events)
            check(job["error"] and "could not be stored" in job["error"], "the job names the failure: %r" % job)
            check(job["counts"]["failed"] > 0, "failed movies counted: %r" % job["counts"])
            status, health, _ = server.request("GET", "/api/v1/healthz")
            check(status == 200 and health["status"] == "degraded", "healthz: %r" % health)
            check(health["database"]["state"] == "error" and health["database"]["error"], "healthz: %r" % health)
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_out_of_file_descriptors_fails_the_import_with_its_cause():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        generate_library(media, 40)
        # The smallest descriptor limit the process starts with leaves none for the walk; found by trying,
        # since the count a start needs depends on the build.
        outcome = None
        for limit in range(8, 200):
            def apply(limit=limit):
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
            result = run(["scan", "--data", data, "--media", media], preexec_fn=apply)
            if "cannot open the catalogue" in result.stderr or "import" not in result.stderr:
                continue  # did not get as far as an import
            outcome = (limit, result)
            break
        check(outcome is not None, "no descriptor limit got the scan started")
        limit, result = outcome
        check(result.returncode != 0, "scan at %d descriptors exits non-zero: %s" % (limit, result.stderr[-600:]))
        check("Too many open files" in result.stderr, "the error names the cause: %s" % result.stderr[-800:])
    finally:
        dirs.cleanup()


def test_backup_change_restore():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        for title in ["Alpha (2001)", "Bravo (2002)"]:
            write_movie(media, "%s/%s.mkv" % (title, title))
        server = Server([media], data, ["--watch", "false"]).start()
        try:
            events = server.events()
            events.next()
            import_and_wait(server, events)
            status, page, _ = server.request("GET", "/api/v1/movies?sort=title")
            alpha = page["movies"][0]
            server.request("PATCH", "/api/v1/movies/%d" % alpha["id"], {"watched": True, "rating": 8})
            status, made, _ = server.request("POST", "/api/v1/backups")
            check(status == 201 and made["reason"] == "manual" and made["size"] > 0, "POST /backups: %r" % made)
            status, listing, _ = server.request("GET", "/api/v1/backups")
            check(status == 200 and made["name"] in [b["name"] for b in listing["backups"]], "listed: %r" % listing)
            check(listing["interval_hours"] == 24 and listing["keep"] == 7, "policy: %r" % listing)

            # After the backup: Alpha unwatched, Bravo gone.
            server.request("PATCH", "/api/v1/movies/%d" % alpha["id"], {"watched": False, "rating": None})
            shutil.rmtree(os.path.join(media, "Bravo (2002)"))
            server.request("POST", "/api/v1/prune")
            check(movie_count(server) == 1, "Bravo pruned")

            backup_file = os.path.join(listing["folder"], made["name"])
            refused = run(["restore", backup_file, "--data", data])
            check(refused.returncode == 1 and "stop it first" in refused.stderr, "restore refused while serving: %s"
                  % refused.stderr)
        finally:
            code, _ = server.terminate()
            check(code == 0, "server stopped cleanly")

        cli_backup = run(["backup", "--data", data])
        check(cli_backup.returncode == 0 and os.path.exists(cli_backup.stdout.strip()), "mediabase backup: %r"
              % cli_backup)
        restored = run(["restore", backup_file, "--data", data])
        check(restored.returncode == 0, "restore: %s %s" % (restored.stdout, restored.stderr))
        with sqlite3.connect(os.path.join(data, "mediabase.db")) as db:
            rows = db.execute("SELECT title, watched, rating FROM movies ORDER BY title").fetchall()
            check(rows == [("Alpha", 1, 8), ("Bravo", 0, None)], "the catalogue as backed up: %r" % rows)
            check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "restored file is sound")
        # The replaced catalogue was kept as a backup too.
        names = os.listdir(os.path.join(data, "backups"))
        check(any(n.endswith("-before-restore.db") for n in names), "the replaced catalogue kept: %r" % names)
        bad = run(["restore", os.path.join(data, "nothing.db"), "--data", data])
        check(bad.returncode == 2, "restore of a missing file: %s %s" % (bad.returncode, bad.stderr))
    finally:
        dirs.cleanup()


if __name__ == "__main__":
    run_tests([test_an_unmounted_sub_drive_is_held_then_removed_only_when_confirmed,
               test_a_remounted_drive_clears_the_hold,
               test_a_real_umount_of_a_sub_drive_removes_nothing,
               test_prune_of_a_root_with_only_lost_found_ds_store_or_an_empty_folder_removes_nothing,
               test_an_automatic_prune_of_a_large_share_is_held,
               test_a_corrupt_catalogue_is_a_clear_start_up_error,
               test_a_catalogue_damaged_while_serving_answers_503_naming_it,
               test_a_full_disk_fails_the_import_with_its_cause,
               test_out_of_file_descriptors_fails_the_import_with_its_cause,
               test_backup_change_restore])
