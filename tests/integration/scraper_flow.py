"""Identification end to end: the real binary against the fake TMDB/OMDB server (tests/fake_provider) on
loopback. Imports identify movies (ids in names, NFOs, searches), cache their art under /img, survive a
provider outage without losing a movie and identify them on the next import; a wrong match is fixed over
REST; offline mode says so; API keys never leak into GET /config or the log."""

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import SOURCE_DIR, Server, TempDirs, check, import_and_wait, run_tests  # noqa: E402

FAKE = os.path.join(SOURCE_DIR, "tests", "fake_provider", "fake_provider.py")
TMDB_KEY, OMDB_KEY = "test-tmdb-key", "test-omdb-key"
# Only the signature matters to the cache; the bytes make the key.
LOCAL_POSTER = b"\xff\xd8\xff\xe0 a local poster for The Intouchables \xff\xd9"

# Names matching the fake's fixtures: a short title that must not become "Mad Max", an id in a name, an NFO
# with a uniqueid (and a local poster), a plain search, and one that only "Fix match" can correct.
LIBRARY = {
    "Max (2015)/Max (2015).mkv": None,
    "The Matrix (1999) [tmdbid-603]/The Matrix (1999) [tmdbid-603].mkv": None,
    "Intouchables/Intouchables.mkv": None,
    "Intouchables/movie.nfo": b'<?xml version="1.0"?>\n<movie><title>The Intouchables</title><year>2011</year>'
                              b'<uniqueid type="tmdb" default="true">77338</uniqueid></movie>\n',
    "Intouchables/poster.jpg": LOCAL_POSTER,
    "Brief Encounter (1945)/Brief.Encounter.1945.1080p.BluRay.x264-GRP.mkv": None,
    "Mad Max (1979)/Mad Max (1979).mkv": None,
}
MOVIES = 5


class FakeProvider:
    """tests/fake_provider/fake_provider.py as a child process; it exits when our end of its stdin closes."""

    def __init__(self, *flags):
        self.proc = subprocess.Popen(["/usr/bin/python3", FAKE, "--exit-on-stdin-eof", *flags],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        check(line.startswith("PORT "), "fake provider said %r" % line)
        self.port = int(line.split()[1])
        self.base = "http://127.0.0.1:%d" % self.port

    def args(self):
        return ["--tmdb-base-url", self.base + "/3", "--omdb-base-url", self.base + "/omdb/",
                "--image-base-url", self.base + "/img/t/p/"]

    def control(self, **switches):
        request = urllib.request.Request(self.base + "/_control", data=json.dumps(switches).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def stats(self):
        with urllib.request.urlopen(self.base + "/_stats", timeout=10) as response:
            return json.load(response)

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def make_library(root, library=None):
    """Writes `library` (name -> bytes, or None for a 1 KiB video) under root; LIBRARY by default."""
    for name, content in (LIBRARY if library is None else library).items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content if content is not None else b"\0" * 1024)


def keyed_server(media, data, fake):
    return Server([media], data, fake.args(), env={"TMDB_API_KEY": TMDB_KEY, "OMDB_API_KEY": OMDB_KEY,
                                                   "TMDB_READ_TOKEN": None}).start()


@contextlib.contextmanager
def keyed_library(library=None):
    """A library (LIBRARY by default), the fake provider and a server with keys, started, and all removed
    afterwards. Yields (server, events, fake, media, data)."""
    dirs, fake = TempDirs(), FakeProvider()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        make_library(media, library)
        server = keyed_server(media, data, fake)
        try:
            events = server.events()
            yield server, events, fake, media, data
            events.close()
        finally:
            server.kill()
    finally:
        fake.stop()
        dirs.cleanup()


def movies_by_title(server):
    status, page, _ = server.request("GET", "/api/v1/movies?limit=100")
    check(status == 200, "GET /movies answered %s" % status)
    return {m["title"]: m for m in page["movies"]}


def art_file(data, url):
    """Where the cache keeps the image served at `url` (/img/<key>)."""
    return os.path.join(data, "art", url[len("/img/"):])


def check_no_keys(server):
    status, config, _ = server.request("GET", "/api/v1/config")
    check(status == 200, "GET /config answered %s" % status)
    text = json.dumps(config)
    check(TMDB_KEY not in text and OMDB_KEY not in text, "GET /config shows a key: %s" % text)
    log = "".join(server.log)
    check(TMDB_KEY not in log and OMDB_KEY not in log, "the server log shows a key")
    return config


def test_import_identifies_movies_and_caches_their_art():
    with keyed_library() as (server, events, fake, media, data):
        _, job, seen = import_and_wait(server, events)
        counts = job["counts"]
        check(counts["found"] == MOVIES and counts["stored"] == MOVIES and counts["failed"] == 0,
              "counts after the import: %r" % counts)
        check(counts["identified"] == MOVIES, "identified %d of %d" % (counts["identified"], MOVIES))
        check(counts["art_cached"] == MOVIES, "art cached for %d of %d" % (counts["art_cached"], MOVIES))
        added = [e for e in seen if e["type"] == "movie.added"]
        check(len(added) == MOVIES and all(e["movie"]["tmdb_id"] for e in added),
              "movie.added events carry identified movies: %r" % added[:1])

        movies = movies_by_title(server)
        check(set(movies) == {"Max", "The Matrix", "The Intouchables", "Brief Encounter", "Mad Max"},
              "titles: %r" % sorted(movies))
        check(movies["Max"]["tmdb_id"] == 272878 and movies["Max"]["year"] == 2015,
              "Max (2015) matched as %r" % movies["Max"]["tmdb_id"])
        matrix = movies["The Matrix"]
        check(matrix["tmdb_id"] == 603 and matrix["imdb_id"] == "tt0133093", "The Matrix ids: %r" % matrix)
        check(matrix["imdb_rating"] == 8.7 and matrix["runtime"] == 136, "The Matrix details: %r" % matrix)
        check(matrix["match"] == "identified", "The Matrix match %r" % matrix["match"])
        check(movies["The Intouchables"]["tmdb_id"] == 77338, "the NFO's uniqueid wins")
        check(movies["Mad Max"]["tmdb_id"] == 9659, "Mad Max (1979) matched as %r" % movies["Mad Max"]["tmdb_id"])

        # Art: served from the cache with a validator and for ever; local art is used before a download.
        poster = matrix["poster"]
        check(poster and poster.startswith("/img/"), "The Matrix poster %r" % poster)
        status, body, response = server.request("GET", poster)
        check(status == 200 and response.getheader("Content-Type") == "image/jpeg", "GET %s: %s" % (poster, status))
        check(body[:3] == b"\xff\xd8\xff", "the poster is a JPEG")
        etag = response.getheader("ETag")
        check(etag and "immutable" in (response.getheader("Cache-Control") or ""), "art caching headers")
        status, _, _ = server.request("GET", poster, headers={"If-None-Match": etag})
        check(status == 304, "a revalidated poster answers 304, got %s" % status)
        check(matrix["backdrop"] and matrix["backdrop"].startswith("/img/"), "The Matrix backdrop")
        local_key = hashlib.sha256(LOCAL_POSTER).hexdigest() + ".jpg"
        check(movies["The Intouchables"]["poster"] == "/img/" + local_key,
              "the local poster.jpg is the poster: %r" % movies["The Intouchables"]["poster"])

        # A second import finds nothing to do and asks the provider nothing.
        before = fake.stats()["requests"]
        _, job, _ = import_and_wait(server, events)
        check(job["counts"]["skipped"] == MOVIES and job["counts"]["stored"] == 0, "re-import %r" % job["counts"])
        check(fake.stats()["requests"] == before, "an unchanged library asks the provider nothing")

        config = check_no_keys(server)
        check(config["offline"] is False, "GET /config says offline %r" % config["offline"])


def test_outage_keeps_every_movie_and_the_next_import_identifies_them():
    with keyed_library() as (server, events, fake, media, data):
        fake.control(every_nth_5xx=1, status_5xx=503)
        _, job, _ = import_and_wait(server, events)
        check(job["counts"]["stored"] == MOVIES and job["counts"]["identified"] == 0,
              "during the outage: %r" % job["counts"])
        check(job["counts"]["unidentified"] == MOVIES and job["counts"]["failed"] == 0,
              "failed lookups are counted apart from storage failures: %r" % job["counts"])
        movies = movies_by_title(server)
        check(len(movies) == MOVIES, "every movie is stored: %r" % sorted(movies))
        status, failed, _ = server.request("GET", "/api/v1/movies?match=failed")
        check(status == 200 and failed["total"] == MOVIES, "GET /movies?match=failed: %s %r" % (status, failed))
        status, answer, _ = server.request("GET", "/api/v1/movies?match=broken")
        check(status == 400 and answer["error"]["code"] == "bad_request", "match=broken: %s %r" % (status, answer))
        for title, m in movies.items():
            check(m["match"] == "failed", "%s: match %r during the outage" % (title, m["match"]))
            check("unavailable" in (m["identify_error"] or ""), "%s: error %r" % (title, m["identify_error"]))
        check(movies["The Intouchables"]["poster"], "local art is cached even when the provider is down")

        fake.control(reset=True)
        _, job, seen = import_and_wait(server, events)
        check(job["counts"]["identified"] == MOVIES and job["counts"]["stored"] == MOVIES
              and job["counts"]["unidentified"] == 0, "after the outage: %r" % job["counts"])
        movies = movies_by_title(server)
        check(len(movies) == MOVIES, "still one entry per movie: %r" % sorted(movies))
        for title, m in movies.items():
            check(m["match"] == "identified" and m["identify_error"] is None,
                  "%s: match %r, error %r" % (title, m["match"], m["identify_error"]))
            check(m["poster"], "%s has a poster" % title)
        check(any(e["type"] == "movie.updated" for e in seen), "the retried movies are announced as updated")
        check_no_keys(server)


def test_a_wrong_match_is_fixed_refreshed_and_searched_over_rest():
    with keyed_library() as (server, events, fake, media, data):
        import_and_wait(server, events)
        mad_max = movies_by_title(server)["Mad Max"]

        status, found, _ = server.request("GET", "/api/v1/tmdb/search?q=Max&year=2015")
        check(status == 200, "search answered %s: %r" % (status, found))
        ids = [r["tmdb_id"] for r in found["results"]]
        check(ids and ids[0] == 272878, "the exact title comes first: %r" % ids)
        check(76341 in [r["tmdb_id"] for r in server.request("GET", "/api/v1/tmdb/search?q=mad%20max")[1]["results"]],
              "a search without a year finds Fury Road")
        first = found["results"][0]
        check(first["title"] == "Max" and first["year"] == 2015 and first["overview"], "result %r" % first)
        check(first["poster"] and first["poster"].startswith("/img/"), "result poster %r" % first["poster"])
        check(server.request("GET", first["poster"])[0] == 200, "the result's poster is served")

        # Fix match: the movie becomes the chosen one, and clients hear about it.
        status, fixed, _ = server.request("POST", "/api/v1/movies/%d/match" % mad_max["id"], {"tmdb_id": 76341})
        check(status == 200, "match answered %s: %r" % (status, fixed))
        check(fixed["id"] == mad_max["id"] and fixed["tmdb_id"] == 76341 and fixed["title"] == "Mad Max: Fury Road",
              "matched movie %r" % fixed)
        check(fixed["match"] == "identified" and fixed["poster"], "matched movie state and art")
        # The wrong film's art left the cache with it.
        check(fixed["poster"] != mad_max["poster"], "the poster changed with the match")
        for old in (mad_max["poster"], mad_max["backdrop"]):
            check(not os.path.exists(art_file(data, old)), "the old art %s is removed" % old)
            check(server.request("GET", old)[0] == 404, "the old art %s is no longer served" % old)
        check(os.path.exists(art_file(data, fixed["poster"])), "the new poster is in the cache")
        check(fixed["files"] and fixed["files"][0]["path"].endswith("Mad Max (1979).mkv"), "the files stay")
        updated = events.until(lambda e: e["type"] == "movie.updated" and e["movie"]["id"] == mad_max["id"])
        check(updated["movie"]["tmdb_id"] == 76341, "movie.updated carries the new match")

        status, refreshed, _ = server.request("POST", "/api/v1/movies/%d/refresh" % mad_max["id"])
        check(status == 200 and refreshed["tmdb_id"] == 76341, "refresh keeps the fixed match: %s %r"
              % (status, refreshed))

        # Bad requests are clear JSON errors.
        for path, body, code in [
            ("/api/v1/movies/%d/match" % mad_max["id"], {"tmdb_id": "x"}, 400),
            ("/api/v1/movies/%d/match" % mad_max["id"], {}, 400),
            ("/api/v1/movies/999999/match", {"tmdb_id": 603}, 404),
            ("/api/v1/movies/%d/match" % mad_max["id"], {"tmdb_id": 424242}, 404),
        ]:
            status, answer, _ = server.request("POST", path, body)
            check(status == code and "error" in answer, "POST %s %r: %s %r" % (path, body, status, answer))
        for query in ["", "?q=", "?q=Max&year=abc", "?q=Max&colour=red"]:
            status, answer, _ = server.request("GET", "/api/v1/tmdb/search" + query)
            check(status == 400 and answer["error"]["code"] == "bad_request", "search %r: %s" % (query, status))
        check(movies_by_title(server)["Mad Max: Fury Road"]["tmdb_id"] == 76341, "a failed match changes nothing")
        check_no_keys(server)


def test_pruned_movies_take_their_art_with_them():
    with keyed_library() as (server, events, fake, media, data):
        import_and_wait(server, events)
        movies = movies_by_title(server)
        matrix, max_ = movies["The Matrix"], movies["Max"]
        art = [matrix["poster"], matrix["backdrop"]]
        check(all(url and os.path.exists(art_file(data, url)) for url in art), "The Matrix art is cached: %r" % art)

        os.remove(os.path.join(media, "The Matrix (1999) [tmdbid-603]", "The Matrix (1999) [tmdbid-603].mkv"))
        status, result, _ = server.request("POST", "/api/v1/prune")
        check(status == 200 and [r["id"] for r in result["removed"]] == [matrix["id"]], "prune %s %r"
              % (status, result))
        check(result["art_removed"] == 2, "prune removed %r images, expected poster and backdrop"
              % result["art_removed"])
        for url in art:
            check(not os.path.exists(art_file(data, url)), "%s is deleted from the cache" % url)
            check(server.request("GET", url)[0] == 404, "%s is no longer served" % url)
        check(server.request("GET", max_["poster"])[0] == 200, "the other movies keep their art")
        local_key = "/img/" + hashlib.sha256(LOCAL_POSTER).hexdigest() + ".jpg"
        check(os.path.exists(art_file(data, local_key)), "the local poster of The Intouchables stays")

        # A prune that removes nothing leaves the cache alone.
        status, result, _ = server.request("POST", "/api/v1/prune")
        check(status == 200 and result["removed"] == [] and result["art_removed"] == 0, "second prune %r" % result)


def test_art_that_failed_is_fetched_again_and_art_tmdb_lacks_is_not():
    library = {"The Matrix (1999) [tmdbid-603]/The Matrix (1999) [tmdbid-603].mkv": None,
               "Sparse Movie [tmdbid-999001]/Sparse Movie [tmdbid-999001].mkv": None}
    with keyed_library(library) as (server, events, fake, media, data):
        # Images come back as HTML error pages: no art is cached, both movies are identified.
        fake.control(image_content_type="text/html")
        _, job, _ = import_and_wait(server, events)
        check(job["counts"]["identified"] == 2 and job["counts"]["art_cached"] == 0,
              "identified without art: %r" % job["counts"])
        movies = movies_by_title(server)
        check(movies["The Matrix"]["poster"] is None and movies["Sparse Movie"]["poster"] is None,
              "no poster yet: %r" % {t: m["poster"] for t, m in movies.items()})

        # The next import fetches The Matrix's art; Sparse Movie, which TMDB has no art for, is left alone.
        fake.control(reset=True)
        _, job, _ = import_and_wait(server, events)
        check(job["counts"]["stored"] == 1 and job["counts"]["skipped"] == 1 and job["counts"]["art_cached"] == 1,
              "second import: %r" % job["counts"])
        movies = movies_by_title(server)
        check(movies["The Matrix"]["poster"] and movies["The Matrix"]["backdrop"], "The Matrix has its art now")
        check(movies["Sparse Movie"]["poster"] is None, "Sparse Movie still has none")

        before = fake.stats()["requests"]
        _, job, _ = import_and_wait(server, events)
        check(job["counts"]["skipped"] == 2 and job["counts"]["stored"] == 0, "third import: %r" % job["counts"])
        check(fake.stats()["requests"] == before, "nothing is looked up again")


def test_offline_mode_says_so_and_identifies_nothing():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        make_library(media)
        server = Server([media], data, env={"TMDB_API_KEY": None, "TMDB_READ_TOKEN": None,
                                            "OMDB_API_KEY": None}).start()
        try:
            events = server.events()
            _, job, _ = import_and_wait(server, events)
            check(job["counts"]["stored"] == MOVIES and job["counts"]["identified"] == 0, "offline %r" % job["counts"])
            # Offline, the NFO and the art beside a movie are read all the same.
            intouchables = movies_by_title(server).get("The Intouchables")
            check(intouchables and intouchables["year"] == 2011 and intouchables["tmdb_id"] == 77338,
                  "the NFO names the movie offline: %r" % intouchables)
            check(intouchables["match"] == "unidentified", "offline, an NFO is no match: %r" % intouchables["match"])
            local_key = hashlib.sha256(LOCAL_POSTER).hexdigest() + ".jpg"
            check(intouchables["poster"] == "/img/" + local_key, "the local poster.jpg offline: %r"
                  % intouchables["poster"])
            check(server.request("GET", intouchables["poster"])[0] == 200, "the local poster is served")

            # An edited NFO is read by the next import, even though the video file did not change.
            nfo = os.path.join(media, "Intouchables", "movie.nfo")
            with open(nfo, "wb") as f:
                f.write(b'<?xml version="1.0"?>\n<movie><title>Untouchable</title><year>2011</year>'
                        b'<plot>Edited by hand.</plot></movie>\n')
            os.utime(nfo, (time.time() + 5, time.time() + 5))
            _, job, seen = import_and_wait(server, events)
            check(job["counts"]["stored"] == 1 and job["counts"]["skipped"] == MOVIES - 1,
                  "only the movie whose NFO changed is stored again: %r" % job["counts"])
            edited = movies_by_title(server).get("Untouchable")
            check(edited and edited["id"] == intouchables["id"] and edited["overview"] == "Edited by hand.",
                  "the edited NFO's title and plot, same movie: %r" % edited)
            check(any(e["type"] == "movie.updated" and e["movie"]["title"] == "Untouchable" for e in seen),
                  "movie.updated announces it")
            status, config, _ = server.request("GET", "/api/v1/config")
            check(status == 200 and config["offline"] is True, "GET /config offline %r" % config.get("offline"))
            movie = movies_by_title(server)["Max"]
            for method, path, body in [("POST", "/api/v1/movies/%d/match" % movie["id"], {"tmdb_id": 272878}),
                                       ("POST", "/api/v1/movies/%d/refresh" % movie["id"], None),
                                       ("GET", "/api/v1/tmdb/search?q=Max", None)]:
                status, answer, _ = server.request(method, path, body)
                check(status == 503 and answer["error"]["code"] == "offline", "%s %s: %s %r"
                      % (method, path, status, answer))
            server.wait_for_log("offline mode")
            events.close()
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def check_keys(server):
    status, answer, _ = server.request("POST", "/api/v1/providers/check")
    check(status == 200, "POST /providers/check answered %s %r" % (status, answer))
    text = json.dumps(answer)
    check(TMDB_KEY not in text and OMDB_KEY not in text and "bogus-key" not in text, "a key in %s" % text)
    return answer["tmdb"]["status"], answer["omdb"]["status"], answer


def test_keys_are_tested_against_the_providers_and_can_be_removed():
    """Settings' "Test keys": a bogus key is reported as rejected (not "online"), an unreachable provider as
    unreachable; a key set to null is removed and the server goes offline."""
    with keyed_library({}) as (server, events, fake, media, data):
        tmdb, omdb, answer = check_keys(server)
        check((tmdb, omdb) == ("ok", "ok"), "good keys: %r" % answer)
        status, _, resp = server.request("GET", "/api/v1/providers/check")
        check(status == 405 and "POST" in (resp.getheader("Allow") or ""), "GET /providers/check: %s" % status)

        status, _, _ = server.request("PUT", "/api/v1/config", body={"tmdb_api_key": "bogus-key",
                                                                     "omdb_api_key": "bogus-key"})
        check(status == 200, "PUT bogus keys: %s" % status)
        tmdb, omdb, answer = check_keys(server)
        check((tmdb, omdb) == ("invalid", "invalid"), "bogus keys: %r" % answer)
        check("rejected" in answer["tmdb"]["message"], "the message says so: %r" % answer)

        status, _, _ = server.request("PUT", "/api/v1/config", body={"tmdb_api_key": TMDB_KEY})
        fake.control(fail_next_5xx=1000)
        tmdb, _, answer = check_keys(server)
        check(tmdb == "unreachable", "TMDB failing: %r" % answer)
        fake.control(reset=True)

        status, config, _ = server.request("PUT", "/api/v1/config", body={"tmdb_api_key": None,
                                                                        "omdb_api_key": None})
        check(status == 200 and config["offline"] is True and config["tmdb_api_key"] is None,
              "removing the keys: %s %r" % (status, config))
        tmdb, omdb, answer = check_keys(server)
        check((tmdb, omdb) == ("missing", "missing"), "no keys: %r" % answer)


def test_the_server_answers_and_stops_promptly_during_a_slow_online_import():
    dirs, fake = TempDirs(), FakeProvider("--latency-ms", "200")
    try:
        media, data = dirs.path("media"), dirs.path("data")
        for i in range(300):
            folder = os.path.join(media, "Film %d (2000)" % i)
            os.makedirs(folder)
            with open(os.path.join(folder, "Film %d (2000).mkv" % i), "wb") as f:
                f.write(b"\0" * 1024)
        server = keyed_server(media, data, fake)
        try:
            status, job, _ = server.request("POST", "/api/v1/import")
            check(status == 202, "POST /import answered %s" % status)
            # Core answers while the import runs: every answer shows the job still running, so none of them
            # waited for the import to end (no clock needed to tell).
            for _ in range(10):
                status, now, _ = server.request("GET", "/api/v1/import")
                check(status == 200 and now["id"] == job["id"], "GET /import during the import: %s" % status)
                check(now["state"] != "idle", "an answer came only after the import: %r" % now["state"])
            # SIGTERM stops the import rather than waiting for it: the provider never sees most of the movies.
            code, _ = server.terminate(timeout=60)
            check(code == 0, "exit code %r after SIGTERM" % code)
            searched = fake.stats()["by_path"].get("/3/search/movie", 0)
            check(searched < 300, "SIGTERM waited for the import: %d of 300 movies were searched" % searched)
        finally:
            server.kill()
    finally:
        fake.stop()
        dirs.cleanup()


if __name__ == "__main__":
    run_tests([test_import_identifies_movies_and_caches_their_art,
               test_outage_keeps_every_movie_and_the_next_import_identifies_them,
               test_a_wrong_match_is_fixed_refreshed_and_searched_over_rest,
               test_pruned_movies_take_their_art_with_them,
               test_art_that_failed_is_fetched_again_and_art_tmdb_lacks_is_not,
               test_offline_mode_says_so_and_identifies_nothing,
               test_keys_are_tested_against_the_providers_and_can_be_removed,
               test_the_server_answers_and_stops_promptly_during_a_slow_online_import])
