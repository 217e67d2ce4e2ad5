#!/usr/bin/env python3
"""The HTTP surface a browser relies on, through the real binary: static files with gzip, HEAD and 304 in
the embedded and --static-dir modes, their content types, and the movie list's genre, resolution, year and
watched filters (with 400 for values out of range)."""

import gzip
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import SOURCE_DIR, Server, TempDirs, check, import_and_wait, run_tests  # noqa: E402


def get(server, path, method="GET", **headers):
    status, body, resp = server.request(method, path, headers=headers)
    return status, body, resp


def check_file_serving(server, path, content_type, expect_gzip):
    status, plain, resp = get(server, path, **{"Accept-Encoding": "identity"})
    check(status == 200, "GET %s: %s" % (path, status))
    check(resp.getheader("Content-Type") == content_type,
          "%s served as %r, expected %r" % (path, resp.getheader("Content-Type"), content_type))
    check(resp.getheader("Content-Encoding") is None, "%s gzipped without being asked" % path)
    check(resp.getheader("X-Content-Type-Options") == "nosniff", "%s without nosniff" % path)
    etag = resp.getheader("ETag")
    check(etag and etag.startswith('"'), "%s has no strong ETag: %r" % (path, etag))

    status, packed, resp = get(server, path, **{"Accept-Encoding": "br, gzip;q=0.8"})
    if expect_gzip:
        check(resp.getheader("Content-Encoding") == "gzip", "%s not gzipped for a gzip client" % path)
        check(gzip.decompress(packed) == plain, "%s: gzip body differs from the plain one" % path)
    else:
        check(resp.getheader("Content-Encoding") is None and packed == plain, "%s: unexpected encoding" % path)
    check("Accept-Encoding" in (resp.getheader("Vary") or ""), "%s lacks Vary: Accept-Encoding" % path)

    # q=0 means "not gzip" (RFC 9110 12.5.3).
    status, refused, resp = get(server, path, **{"Accept-Encoding": "gzip;q=0, identity"})
    check(resp.getheader("Content-Encoding") is None and refused == plain, "%s gzipped despite gzip;q=0" % path)

    status, head_body, resp = get(server, path, method="HEAD", **{"Accept-Encoding": "identity"})
    check(status == 200 and head_body == b"", "HEAD %s: %s with %d bytes" % (path, status, len(head_body)))
    # HEAD says the length GET would send (RFC 9110 9.3.2).
    check(resp.getheader("Content-Length") == str(len(plain)),
          "HEAD %s: Content-Length %r, GET sends %d bytes" % (path, resp.getheader("Content-Length"), len(plain)))
    check(resp.getheader("ETag") == etag, "HEAD %s: another ETag" % path)

    status, cached, resp = get(server, path, **{"If-None-Match": etag})
    check(status == 304 and cached == b"", "If-None-Match %s: %s" % (path, status))
    check(resp.getheader("ETag") == etag, "304 for %s without its ETag" % path)
    status, _, _ = get(server, path, **{"If-None-Match": '"something-else"'})
    check(status == 200, "a stale ETag for %s got %s" % (path, status))


def test_embedded_static_files_gzip_head_and_304():
    dirs = TempDirs()
    try:
        server = Server([], dirs.path("data")).start()
        try:
            check_file_serving(server, "/js/main.js", "text/javascript; charset=utf-8", expect_gzip=True)
            check_file_serving(server, "/css/app.css", "text/css; charset=utf-8", expect_gzip=True)
            check_file_serving(server, "/index.html", "text/html; charset=utf-8", expect_gzip=True)
            check_file_serving(server, "/favicon.svg", "image/svg+xml", expect_gzip=True)
            check_file_serving(server, "/", "text/html; charset=utf-8", expect_gzip=True)
            # A client-side route loads the app; a missing file with an extension is a 404.
            status, _, resp = get(server, "/movies/42")
            check(status == 200 and resp.getheader("Content-Type").startswith("text/html"), "client route")
            status, _, _ = get(server, "/js/no-such-file.js")
            check(status == 404, "missing file: %s" % status)
            status, _, resp = get(server, "/index.html", method="POST")
            check(status == 405 and "GET" in (resp.getheader("Allow") or ""), "POST to a file: %s" % status)
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_static_dir_files_get_their_content_types():
    dirs = TempDirs()
    try:
        static = dirs.path("static")
        files = {"index.html": (b"<!doctype html><title>dev</title>", "text/html; charset=utf-8"),
                 "poster.jpg": (b"\xff\xd8\xff\xe0fake-jpeg", "image/jpeg"),
                 "font.woff2": (b"wOF2fake", "font/woff2"),
                 "icon.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
                 "app.js": (b"console.log('dev');", "text/javascript; charset=utf-8")}
        for name, (content, _) in files.items():
            with open(os.path.join(static, name), "wb") as f:
                f.write(content)
        server = Server([], dirs.path("data"), ["--static-dir", static]).start()
        try:
            for name, (content, content_type) in files.items():
                check_file_serving(server, "/" + name, content_type, expect_gzip=False)
                _, body, _ = get(server, "/" + name)
                check(body == content, "--static-dir served other bytes for %s" % name)
            # Edited on disk, served fresh with a new ETag: that is what --static-dir is for.
            _, _, before = get(server, "/app.js")
            with open(os.path.join(static, "app.js"), "wb") as f:
                f.write(b"console.log('edited');")
            _, body, after = get(server, "/app.js")
            check(body == b"console.log('edited');" and after.getheader("ETag") != before.getheader("ETag"),
                  "an edited file is not served fresh")
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def write_movie(media, folder, name, nfo=None):
    os.makedirs(os.path.join(media, folder), exist_ok=True)
    open(os.path.join(media, folder, name), "wb").close()
    if nfo:
        with open(os.path.join(media, folder, os.path.splitext(name)[0] + ".nfo"), "w") as f:
            f.write(nfo)


def nfo(title, year, *genres):
    return "<movie><title>%s</title><year>%d</year>%s</movie>" % (
        title, year, "".join("<genre>%s</genre>" % g for g in genres))


def titles(server, query):
    status, page, _ = server.request("GET", "/api/v1/movies?limit=100" + ("&" + query if query else ""))
    check(status == 200, "GET /movies?%s: %s %r" % (query, status, page))
    check(page["total"] == len(page["movies"]), "total %d for %d movies" % (page["total"], len(page["movies"])))
    return sorted(m["title"] for m in page["movies"])


def readme_movie_shape():
    """The field names README's "Movie: `{...}`" paragraph lists."""
    with open(os.path.join(SOURCE_DIR, "README.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("Movie: `{")
    return set(re.findall(r'"([a-z_]+)"', text[start:text.index("}`", start)]))


def test_movie_filters_through_rest():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        write_movie(media, "Heat (1995)", "Heat.1995.1080p.mkv", nfo("Heat", 1995, "Crime", "Drama"))
        write_movie(media, "Alien (1979)", "Alien.1979.2160p.mkv", nfo("Alien", 1979, "Horror", "Science Fiction"))
        write_movie(media, "Arrival (2016)", "Arrival.2016.720p.mkv", nfo("Arrival", 2016, "Drama",
                                                                          "Science Fiction"))
        write_movie(media, "Brazil (1985)", "Brazil.1985.1080p.mkv", nfo("Brazil", 1985, "Comedy"))
        server = Server([media], data, ["--watch", "false"]).start()
        try:
            events = server.events()
            events.next()
            _, job, _ = import_and_wait(server, events)
            check(job["counts"]["stored"] == 4, "stored %r" % job["counts"])
            check(titles(server, "") == ["Alien", "Arrival", "Brazil", "Heat"], "all movies")

            status, genres, _ = server.request("GET", "/api/v1/genres")
            check(status == 200 and genres["genres"] == sorted(genres["genres"]) and
                  {"Crime", "Drama", "Horror", "Science Fiction", "Comedy"} <= set(genres["genres"]),
                  "genres from the NFOs: %r" % genres)
            check(titles(server, "genre=Drama") == ["Arrival", "Heat"], "genre=Drama")
            check(titles(server, "genre=Science%20Fiction") == ["Alien", "Arrival"], "genre with a space")
            check(titles(server, "genre=Western") == [], "unknown genre")
            check(titles(server, "resolution=1080p") == ["Brazil", "Heat"], "resolution=1080p")
            check(titles(server, "resolution=2160p") == ["Alien"], "resolution=2160p")
            check(titles(server, "year_from=1985") == ["Arrival", "Brazil", "Heat"], "year_from")
            check(titles(server, "year_to=1985") == ["Alien", "Brazil"], "year_to")
            check(titles(server, "year_from=1980&year_to=2000") == ["Brazil", "Heat"], "year range")
            check(titles(server, "genre=Drama&year_to=2000") == ["Heat"], "filters combine")

            status, page, _ = server.request("GET", "/api/v1/movies?q=heat")
            heat_id = page["movies"][0]["id"]
            # README's movie shape names every field the API returns, and the fields of its files.
            status, heat, _ = server.request("GET", "/api/v1/movies/%d" % heat_id)
            documented = readme_movie_shape()
            missing = sorted((set(heat) | set(heat["files"][0])) - documented)
            check(not missing, "README's movie shape lacks %r" % missing)
            status, _, _ = server.request("PATCH", "/api/v1/movies/%d" % heat_id, body={"watched": True})
            check(status == 200, "PATCH watched: %s" % status)
            check(titles(server, "watched=true") == ["Heat"], "watched=true")
            check(titles(server, "watched=false") == ["Alien", "Arrival", "Brazil"], "watched=false")

            # The figures the library page shows, from the same four movies.
            status, stats, _ = server.request("GET", "/api/v1/stats")
            check(status == 200 and (stats["movies"], stats["files"], stats["watched"]) == (4, 4, 1),
                  "stats %r" % stats)
            check({(r["resolution"], r["count"]) for r in stats["by_resolution"]} ==
                  {("1080p", 2), ("2160p", 1), ("720p", 1)}, "by_resolution %r" % stats["by_resolution"])
            check({(d["decade"], d["count"]) for d in stats["by_decade"]} == {(1970, 1), (1980, 1), (1990, 1),
                                                                              (2010, 1)},
                  "by_decade %r" % stats["by_decade"])
            check(("Drama", 2) in {(g["genre"], g["count"]) for g in stats["by_genre"]}, "by_genre %r" % stats)
            status, dups, _ = server.request("GET", "/api/v1/movies/duplicates")
            check(status == 200 and dups == {"groups": []}, "duplicates %r" % dups)
            status, _, _ = server.request("POST", "/api/v1/movies/duplicates")
            check(status == 405, "POST duplicates: %s" % status)

            for query in ("year_from=1799", "year_to=3001", "year_from=abc", "watched=maybe", "watched=1",
                          "resolution_min=1080p", "limit=0", "limit=1001", "match=lost", "resolution=4k",
                          "resolution=1080"):
                status, body, _ = server.request("GET", "/api/v1/movies?" + query)
                check(status == 400 and body["error"]["code"] == "bad_request" and body["error"]["message"],
                      "%s answered %s %r" % (query, status, body))
            events.close()
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_put_config_answers_like_get_with_warnings():
    """PUT /config answers the fields GET /config has (watching ...) and says what it accepted that will not
    work: a media folder that does not exist is saved (a drive to mount) with a warning naming it."""
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        missing = os.path.join(dirs.root, "not-mounted")
        server = Server([media], data, ["--watch", "false"]).start()
        try:
            status, got, _ = server.request("GET", "/api/v1/config")
            check(status == 200, "GET /config: %s" % status)
            status, put, _ = server.request("PUT", "/api/v1/config", body={"media_folders": [media, missing]})
            check(status == 200, "PUT /config: %s %r" % (status, put))
            lacking = sorted(set(got) - set(put))
            check(not lacking, "PUT /config lacks fields GET has: %r" % lacking)
            check(put["media_folders"] == [media, missing], "media_folders %r" % put["media_folders"])
            warnings = put.get("warnings")
            check(isinstance(warnings, list) and len(warnings) == 1 and missing in warnings[0] and
                  "does not exist" in warnings[0], "warnings %r" % warnings)
            status, put, _ = server.request("PUT", "/api/v1/config", body={"media_folders": [media]})
            check(status == 200 and put["warnings"] == [], "no warning for a present folder: %r" % put)
            # "Periodic rescan (seconds, 0 = off)": 0 is accepted, a negative number is not.
            status, put, _ = server.request("PUT", "/api/v1/config", body={"rescan_interval_seconds": 0})
            check(status == 200 and put["rescan_interval_seconds"] == 0, "rescan 0: %s %r" % (status, put))
            status, _, _ = server.request("PUT", "/api/v1/config", body={"rescan_interval_seconds": -1})
            check(status == 400, "rescan -1: %s" % status)
        finally:
            server.kill()
    finally:
        dirs.cleanup()


if __name__ == "__main__":
    run_tests([test_embedded_static_files_gzip_head_and_304, test_static_dir_files_get_their_content_types,
               test_movie_filters_through_rest, test_put_config_answers_like_get_with_warnings])
