"""Live watching end to end: the real binary watches its media folder with inotify, and files added, moved,
renamed and deleted reach WebSocket clients as movie events without a manual import; a moved file keeps its
movie (same id, watched state kept). With --watch false nothing happens until an import is asked for.

Every wait is on events (EventStream.until). That nothing happens with --watch false is shown without
waiting: the process holds no inotify watch (/proc), and the manual import's own events are the marker
before which no import or movie event may arrive."""

import os
import shutil
import subprocess
import sys


sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import Server, TempDirs, check, import_and_wait, require, run_tests  # noqa: E402

def inotify_watches(pid):
    """The number of inotify watches process `pid` holds, from /proc/PID/fdinfo."""
    count = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) != "anon_inode:inotify":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as info:
                count += sum(1 for line in info if line.startswith("inotify wd:"))
        except FileNotFoundError:  # closed while we looked
            continue
    return count


def write_movie(media, relative, content="video"):
    path = os.path.join(media, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content)
    return path


def movie_by_title(server, title):
    status, page, _ = server.request("GET", "/api/v1/movies?limit=1000")
    check(status == 200, "GET /movies %s" % status)
    found = [m for m in page["movies"] if m["title"] == title]
    check(len(found) == 1, "one movie titled %r, found %d" % (title, len(found)))
    return found[0]


def events_of(seen, kind, movie_id=None):
    return [e for e in seen if e["type"] == kind and (movie_id is None or e.get("id") == movie_id)]


def test_added_moved_renamed_and_deleted_files_show_up_live():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        write_movie(media, "Alpha Centauri (2001)/Alpha Centauri (2001).mkv", "alpha")
        write_movie(media, "Bravo Company (2002)/Bravo Company (2002).mkv", "bravo")
        server = Server([media], data).start()
        try:
            events = server.events()
            check(events.next()["type"] == "import.status", "first event is the status")
            _, job, _ = import_and_wait(server, events)
            check(job["counts"]["stored"] == 2, "initial import stored %r" % job["counts"])

            status, config, _ = server.request("GET", "/api/v1/config")
            check(status == 200 and config["watching"] is True, "watching: %r" % config)
            check(inotify_watches(server.proc.pid) >= 1, "a watching server holds inotify watches")
            check(config["watch_fallback_reason"] is None, "no fallback: %r" % config)
            check(config["watched_folders"] >= 3, "root and both movie folders watched: %r" % config)

            # A new movie appears: movie.added without an import being asked for.
            write_movie(media, "Charlie Brown (2003)/Charlie Brown (2003).mkv", "charlie")
            added = events.until(lambda e: e["type"] == "movie.added" and e["movie"]["title"] == "Charlie Brown")
            charlie_id = added["id"]
            events.until(lambda e: e["type"] == "prune.finished")

            # The user marks Alpha watched, then moves its file into another folder.
            alpha = movie_by_title(server, "Alpha Centauri")
            status, patched, _ = server.request("PATCH", "/api/v1/movies/%d" % alpha["id"], {"watched": True})
            check(status == 200 and patched["watched"] is True, "PATCH watched")
            events.until(lambda e: e["type"] == "movie.updated" and e["id"] == alpha["id"])
            os.makedirs(os.path.join(media, "Sci-Fi"))
            os.rename(os.path.join(media, "Alpha Centauri (2001)", "Alpha Centauri (2001).mkv"),
                      os.path.join(media, "Sci-Fi", "Alpha Centauri (2001).mkv"))
            seen = []
            updated = events.until(lambda e: e["type"] == "movie.updated" and e["id"] == alpha["id"], seen)
            # Marks are each person's: events never carry them (README, Live events); GET shows them below.
            check("watched" not in updated["movie"], "an event carries the watched mark: %r" % updated)
            # The prune that follows the import must find nothing to remove.
            prune = events.until(lambda e: e["type"] == "prune.finished", seen)
            check(not events_of(seen, "movie.removed"), "nothing removed by a move: %r" % seen)
            check(not events_of(seen, "movie.added"), "nothing added by a move: %r" % seen)
            check(prune["result"]["removed_files"] == [], "prune after a move: %r" % prune)
            status, moved, _ = server.request("GET", "/api/v1/movies/%d" % alpha["id"])
            check(status == 200 and moved["watched"] is True, "same movie, still watched: %r" % moved)
            check([f["path"] for f in moved["files"]] == [os.path.join(media, "Sci-Fi", "Alpha Centauri (2001).mkv")],
                  "the file's new place: %r" % moved["files"])

            # An NFO written beside it (by Kodi, by hand) is read live: the movie takes its title, and stays itself.
            with open(os.path.join(media, "Sci-Fi", "Alpha Centauri (2001).nfo"), "w") as f:
                f.write("<movie><title>Alpha Centauri: Final Cut</title><year>2001</year></movie>\n")
            updated = events.until(lambda e: e["type"] == "movie.updated" and e["id"] == alpha["id"]
                                   and e.get("movie", {}).get("title") == "Alpha Centauri: Final Cut")
            status, renamed, _ = server.request("GET", "/api/v1/movies/%d" % alpha["id"])
            check(status == 200 and renamed["watched"] is True, "still watched after its NFO was read: %r" % renamed)
            events.until(lambda e: e["type"] == "prune.finished")

            # A folder is renamed: its file keeps its name, so the movie is moved, and the renamed folder is
            # watched under its new name (the delete below is seen there).
            bravo = movie_by_title(server, "Bravo Company")
            os.rename(os.path.join(media, "Bravo Company (2002)"), os.path.join(media, "Bravo Company (2002) 1080p"))
            seen = []
            events.until(lambda e: e["type"] == "movie.updated" and e["id"] == bravo["id"], seen)
            events.until(lambda e: e["type"] == "prune.finished", seen)
            check(not events_of(seen, "movie.removed") and not events_of(seen, "movie.added"),
                  "a renamed folder is a move: %r" % seen)
            status, renamed, _ = server.request("GET", "/api/v1/movies/%d" % bravo["id"])
            check(renamed["files"][0]["path"].startswith(os.path.join(media, "Bravo Company (2002) 1080p") + "/"),
                  "renamed folder: %r" % renamed["files"])

            # Files are deleted: movie.removed, from the prune that follows the import.
            os.remove(os.path.join(media, "Charlie Brown (2003)", "Charlie Brown (2003).mkv"))
            events.until(lambda e: e["type"] == "movie.removed" and e["id"] == charlie_id)
            os.remove(os.path.join(media, "Bravo Company (2002) 1080p", "Bravo Company (2002).mkv"))
            events.until(lambda e: e["type"] == "movie.removed" and e["id"] == bravo["id"])
            status, _, _ = server.request("GET", "/api/v1/movies/%d" % charlie_id)
            check(status == 404, "deleted movie is gone")
            status, page, _ = server.request("GET", "/api/v1/movies")
            check([m["title"] for m in page["movies"]] == ["Alpha Centauri: Final Cut"], "what is left: %r" % page)
            events.close()
            code, _ = server.terminate()
            check(code == 0, "exit code %s" % code)
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_watch_false_waits_for_a_manual_import():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        write_movie(media, "Alpha Centauri (2001)/Alpha Centauri (2001).mkv", "alpha")
        server = Server([media], data, ["--watch", "false"]).start()
        try:
            events = server.events()
            events.next()
            _, first, _ = import_and_wait(server, events)
            check(first["counts"]["stored"] == 1, "initial import %r" % first["counts"])
            status, config, _ = server.request("GET", "/api/v1/config")
            check(config["watch"] is False and config["watching"] is False, "not watching: %r" % config)

            # Nothing can react to the change: the process holds no inotify watch at all (read from /proc,
            # not waited for). The manual import below is the marker: every event before its import.started
            # arrived before it, and none of them may be an import or a movie.
            check(inotify_watches(server.proc.pid) == 0, "the server watches %d folders with --watch false"
                  % inotify_watches(server.proc.pid))
            write_movie(media, "Delta Force (2004)/Delta Force (2004).mkv", "delta")

            # The manual import is the first one since: it finds the new movie.
            seen = []
            job, finished, _ = import_and_wait(server, events, seen)
            before_marker = seen[:next(i for i, e in enumerate(seen) if e["type"] == "import.started")]
            check(not [e for e in before_marker if e["type"].startswith(("import.", "movie."))],
                  "events before the manual import: %r" % before_marker)
            started = events_of(seen, "import.started")
            check(len(started) == 1 and started[0]["job"]["id"] == job["id"],
                  "the manual import is the only one: %r" % started)
            check(finished["counts"]["stored"] == 1, "manual import stored the new movie: %r" % finished["counts"])
            check(any(e["movie"]["title"] == "Delta Force" for e in events_of(seen, "movie.added")),
                  "movie.added for the new movie")
            events.close()
        finally:
            server.kill()
    finally:
        dirs.cleanup()


# A user namespace has inotify limits of its own: the server runs in one with room for a few watches only.
WATCH_LIMIT = 3
LIMITED_WATCHES = ["unshare", "-Ur", "sh", "-c",
                   'echo %d > /proc/sys/user/max_inotify_watches && exec "$0" "$@"' % WATCH_LIMIT]


def user_namespaces_work():
    if not shutil.which("unshare"):
        return False
    return subprocess.run(LIMITED_WATCHES + ["true"], capture_output=True).returncode == 0


def test_at_the_watch_limit_media_folders_are_rescanned_periodically():
    require(user_namespaces_work(), "no unprivileged user namespaces (unshare -Ur) to limit inotify watches in")
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        for n in range(WATCH_LIMIT + 2):
            write_movie(media, "Movie %d (2000)/Movie %d (2000).mkv" % (n, n), "m%d" % n)
        server = Server([media], data, ["--rescan-interval", "1"])
        server.args = LIMITED_WATCHES + server.args
        server.start()
        try:
            events = server.events()
            events.next()
            status, config, _ = server.request("GET", "/api/v1/config")
            check(config["watching"] is False and config["watched_folders"] == 0, "not watching: %r" % config)
            check("max_user_watches" in (config["watch_fallback_reason"] or ""), "the reason: %r" % config)
            # The periodic rescans import and prune by themselves.
            write_movie(media, "Echo Chamber (2005)/Echo Chamber (2005).mkv", "echo")
            added = events.until(lambda e: e["type"] == "movie.added" and e["movie"]["title"] == "Echo Chamber")
            os.remove(os.path.join(media, "Echo Chamber (2005)", "Echo Chamber (2005).mkv"))
            events.until(lambda e: e["type"] == "movie.removed" and e["id"] == added["id"])
            events.close()
            code, _ = server.terminate()
            check(code == 0, "exit code %s" % code)
        finally:
            server.kill()
    finally:
        dirs.cleanup()


if __name__ == "__main__":
    run_tests([test_added_moved_renamed_and_deleted_files_show_up_live, test_watch_false_waits_for_a_manual_import,
               test_at_the_watch_limit_media_folders_are_rescanned_periodically])
