#!/usr/bin/env python3
"""Catalogue reads through the real binary (issue 13): answers are reused until a write, with an ETag and
304; equal queries share an answer; every write (an import, a PATCH) is seen by the next read at once;
JSON answers are gzip-encoded when asked and large enough, with Vary, and decode to the plain bytes."""

import gzip
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import Server, TempDirs, check, generate_library, import_and_wait, run_tests  # noqa: E402


def get(server, path, **headers):
    return server.request("GET", path, headers=headers)


def test_reads_are_reused_until_a_write_and_revalidate_with_etags():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        generate_library(media, 80)
        server = Server([media], data, ["--watch", "false"]).start()
        try:
            # Cached while the catalogue is empty: the import must make it stale.
            status, page, _ = get(server, "/api/v1/movies?limit=50")
            check(status == 200 and page["total"] == 0, "empty catalogue: %s %r" % (status, page))
            events = server.events()
            events.next()
            import_and_wait(server, events)
            status, page, resp = get(server, "/api/v1/movies?limit=50")
            check(status == 200 and page["total"] > 50, "after the import: total %r" % page.get("total"))
            etag = resp.getheader("ETag")
            check(etag and etag.startswith('"') and etag.endswith('"'), "no strong ETag: %r" % etag)
            check(resp.getheader("Cache-Control") == "no-cache", "Cache-Control %r" % resp.getheader("Cache-Control"))
            check("Accept-Encoding" in (resp.getheader("Vary") or ""), "no Vary: Accept-Encoding")

            # The same query spelled another way is the same answer.
            _, same, resp2 = get(server, "/api/v1/movies?offset=0&limit=50&sort=title&order=asc")
            check(same == page and resp2.getheader("ETag") == etag, "an equal query got another answer")

            status, body, resp = get(server, "/api/v1/movies?limit=50", **{"If-None-Match": etag})
            check(status == 304 and body == b"", "If-None-Match with the current tag: %s" % status)
            check(resp.getheader("ETag") == etag, "304 without its ETag")
            status, _, _ = get(server, "/api/v1/movies?limit=50", **{"If-None-Match": '"stale", W/' + etag})
            check(status == 304, "a list of tags holding the current one (weak): %s" % status)
            status, _, _ = get(server, "/api/v1/movies?limit=50", **{"If-None-Match": '"stale"'})
            check(status == 200, "a stale tag got %s" % status)

            # A PATCH is seen by the very next read, of the movie and of the list.
            movie = page["movies"][0]
            _, before, movie_resp = get(server, "/api/v1/movies/%d" % movie["id"])
            check(before["watched"] is False, "fresh movie already watched")
            movie_etag = movie_resp.getheader("ETag")
            status, _, _ = server.request("PATCH", "/api/v1/movies/%d" % movie["id"], body={"watched": True})
            check(status == 200, "PATCH: %s" % status)
            _, after, after_resp = get(server, "/api/v1/movies/%d" % movie["id"])
            check(after["watched"] is True, "the read after a PATCH answered the old movie")
            check(after_resp.getheader("ETag") != movie_etag, "the changed movie kept its ETag")
            status, _, _ = get(server, "/api/v1/movies/%d" % movie["id"], **{"If-None-Match": movie_etag})
            check(status == 200, "the old movie's tag still matched after the PATCH: %s" % status)
            status, listed, _ = get(server, "/api/v1/movies?limit=50&watched=true")
            check([m["id"] for m in listed["movies"]] == [movie["id"]], "watched filter after the PATCH: %r" %
                  [m["id"] for m in listed["movies"]])

            # An unknown movie stays a 404 when asked again.
            for _ in range(2):
                status, err, _ = get(server, "/api/v1/movies/999999")
                check(status == 404 and err["error"]["code"] == "not_found", "unknown movie: %s %r" % (status, err))
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_json_is_gzip_encoded_when_asked_and_large_enough():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        generate_library(media, 60)
        server = Server([media], data, ["--watch", "false"]).start()
        try:
            events = server.events()
            events.next()
            import_and_wait(server, events)
            _, plain, resp = server.request("GET", "/api/v1/movies?limit=40",
                                            headers={"Accept-Encoding": "identity"})
            check(resp.getheader("Content-Encoding") is None, "encoded without being asked")
            plain_etag = resp.getheader("ETag")

            conn_status, packed, resp = raw_get(server, "/api/v1/movies?limit=40", {"Accept-Encoding": "gzip"})
            check(conn_status == 200 and resp.getheader("Content-Encoding") == "gzip",
                  "not gzip-encoded: %r" % resp.getheader("Content-Encoding"))
            check("Accept-Encoding" in (resp.getheader("Vary") or ""), "gzip answer without Vary")
            check(json.loads(gzip.decompress(packed)) == plain, "the gzip body does not decode to the plain answer")
            check(int(resp.getheader("Content-Length")) == len(packed), "Content-Length is not the encoded size")
            gzip_etag = resp.getheader("ETag")
            check(gzip_etag and gzip_etag != plain_etag, "the gzip representation shares the plain ETag")
            status, _, _ = raw_get(server, "/api/v1/movies?limit=40",
                                   {"Accept-Encoding": "gzip", "If-None-Match": gzip_etag})
            check(status == 304, "If-None-Match with the gzip tag: %s" % status)

            # gzip;q=0 refuses it; a small answer goes out plain whatever is asked.
            _, _, resp = raw_get(server, "/api/v1/movies?limit=40", {"Accept-Encoding": "gzip;q=0"})
            check(resp.getheader("Content-Encoding") is None, "encoded despite gzip;q=0")
            status, small, resp = raw_get(server, "/api/v1/parse?name=Heat.1995.mkv", {"Accept-Encoding": "gzip"})
            check(status == 200 and resp.getheader("Content-Encoding") is None and b'"Heat"' in small,
                  "a small answer was encoded: %r" % resp.getheader("Content-Encoding"))
            # An answer built per request (not cached) is encoded too when large: the import history.
            status, packed, resp = raw_get(server, "/api/v1/imports", {"Accept-Encoding": "gzip"})
            check(status == 200, "GET /imports: %s" % status)
            _, history, _ = server.request("GET", "/api/v1/imports")
            if resp.getheader("Content-Encoding") == "gzip":
                check(json.loads(gzip.decompress(packed)) == history, "the gzip history differs")
            else:
                check(len(packed) < 1024, "a %d-byte answer went out plain to a gzip client" % len(packed))
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def raw_get(server, path, headers):
    """GET without parsing the body (it may be encoded)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body, resp


if __name__ == "__main__":
    run_tests([test_reads_are_reused_until_a_write_and_revalidate_with_etags,
               test_json_is_gzip_encoded_when_asked_and_large_enough])
