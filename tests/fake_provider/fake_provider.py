#!/usr/bin/python3
"""A fake TMDB + OMDB + image server for Mediabase's provider tests (Python 3 standard library only).

Serves, on 127.0.0.1 and an ephemeral port (printed as "PORT <n>" on stdout once it listens):
  /3/configuration, /3/search/movie, /3/find/<imdb_id>, /3/movie/<id>   TMDB (api_key query or Bearer token)
  /omdb/?apikey=&i=tt...                                                  OMDB
  /img/t/p/<size>/<name>.jpg|.png                                          images (tiny valid JPEG / PNG)
  /img/redirect/<size>/<name>                                              302 to /img/t/p/<size>/<name>
  GET /_stats                                                              request counters (JSON)
  POST /_control {"switch": value, ...}                                    flip switches while running

Switches (also as command-line flags, e.g. --latency-ms 50 --fail-next-5xx 2):
  latency_ms          delay before every answer
  rate_limit          429 (Retry-After: 1) when more than this many requests arrived in the last second
  every_nth_429       every Nth request gets a 429 with Retry-After: <retry_after>
  fail_next_429       the next N requests get a 429 with Retry-After: <retry_after>
  retry_after         the Retry-After value sent with 429s ("1", or an HTTP-date; "" to send none)
  fail_next_5xx       the next N requests get <status_5xx> (default 503)
  every_nth_5xx       every Nth request gets <status_5xx>
  hang_next           the next N requests never get an answer (until hang_seconds pass)
  hang                every request hangs
  malformed_next      the next N answers are a truncated JSON body with status 200
  malformed           every answer is malformed
  auth_fail           every TMDB/OMDB request gets 401 whatever its key
  image_content_type  Content-Type sent with images (e.g. "text/html")
  image_bytes         images are this many bytes long (an oversized image)
  path_prefix         failure switches apply only to paths starting with this ("" = all)
  POST /_control {"reset": true} restores the defaults and clears the counters; {"reset_stats": true}
  clears only the counters.

Run by hand: /usr/bin/python3 tests/fake_provider/fake_provider.py [--port 8089]
Tests pass --exit-on-stdin-eof so the server stops when the test (its parent) closes the pipe or dies.
"""

import argparse
import collections
import email.utils
import json
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import fixtures  # noqa: E402 (after the bytecode switch)

DEFAULT_SWITCHES = {
    "latency_ms": 0,
    "rate_limit": 0,
    "every_nth_429": 0,
    "fail_next_429": 0,
    "retry_after": "1",
    "fail_next_5xx": 0,
    "every_nth_5xx": 0,
    "status_5xx": 503,
    "hang_next": 0,
    "hang": False,
    "hang_seconds": 30,
    "malformed_next": 0,
    "malformed": False,
    "auth_fail": False,
    "image_content_type": None,
    "image_bytes": None,
    "path_prefix": "",
}


def tiny_png():
    """A valid 1x1 RGB PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x33\x66\x99")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def tiny_jpeg():
    """A valid baseline 8x8 grey JPEG: one block whose DC and AC coefficients are all zero."""
    def segment(marker, payload):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload
    quant = segment(0xDB, b"\x00" + bytes([1] * 64))
    frame = segment(0xC0, b"\x08" + struct.pack(">HH", 8, 8) + b"\x01" + b"\x01\x11\x00")
    # Huffman tables with one code each: "0" -> category 0 (DC) and "0" -> end of block (AC).
    dc_table = segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
    ac_table = segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
    scan = segment(0xDA, b"\x01" + b"\x01\x00" + b"\x00\x3f\x00")
    # Bits "0" (DC diff 0) and "0" (EOB), padded with ones.
    return b"\xff\xd8" + quant + frame + dc_table + ac_table + scan + b"\x3f" + b"\xff\xd9"


PNG = tiny_png()
JPEG = tiny_jpeg()


class State:
    """Switches and counters, shared by the handler threads."""

    def __init__(self, keys, switches):
        self.lock = threading.Lock()
        self.keys = keys
        self.initial = dict(switches)
        self.switches = dict(switches)
        self.hang_released = threading.Event()
        self.reset_stats()

    def reset_stats(self):
        self.counter = 0
        self.stats = {"requests": 0, "by_path": collections.Counter(), "by_kind": collections.Counter(),
                      "statuses": collections.Counter(), "sent_429": 0, "auth": collections.Counter(),
                      "max_in_one_second": 0}
        self.recent = collections.deque()

    def snapshot(self):
        with self.lock:
            s = self.stats
            return {"requests": s["requests"], "by_path": dict(s["by_path"]), "by_kind": dict(s["by_kind"]),
                    "statuses": {str(k): v for k, v in s["statuses"].items()}, "sent_429": s["sent_429"],
                    "auth": dict(s["auth"]), "max_in_one_second": s["max_in_one_second"]}

    def control(self, changes):
        with self.lock:
            if changes.pop("reset", False):
                self.switches = dict(self.initial)
                self.reset_stats()
            if changes.pop("reset_stats", False):
                self.reset_stats()
            unknown = [k for k in changes if k not in DEFAULT_SWITCHES]
            if unknown:
                return {"error": "unknown switches: " + ", ".join(unknown)}
            self.switches.update(changes)
            hanging = self.switches["hang"] or self.switches["hang_next"] > 0
        # Clearing the hang switches lets requests that are hanging now finish.
        if hanging:
            self.hang_released.clear()
        else:
            self.hang_released.set()
        return {"switches": self.switches}

    def admit(self, path, kind):
        """Counts a request and decides what failure, if any, it gets."""
        with self.lock:
            now = time.monotonic()
            s, sw = self.stats, self.switches
            s["requests"] += 1
            s["by_path"][path] += 1
            s["by_kind"][kind] += 1
            self.recent.append(now)
            while self.recent and self.recent[0] <= now - 1.0:
                self.recent.popleft()
            s["max_in_one_second"] = max(s["max_in_one_second"], len(self.recent))
            if not path.startswith(sw["path_prefix"]):
                return None, sw["latency_ms"]
            self.counter += 1
            failure = None
            if sw["hang"] or sw["hang_next"] > 0:
                failure = "hang"
                if sw["hang_next"] > 0:
                    sw["hang_next"] -= 1
            elif sw["fail_next_429"] > 0:
                sw["fail_next_429"] -= 1
                failure = "429"
            elif sw["every_nth_429"] and self.counter % sw["every_nth_429"] == 0:
                failure = "429"
            elif sw["rate_limit"] and len(self.recent) > sw["rate_limit"]:
                failure = "429"
            elif sw["fail_next_5xx"] > 0:
                sw["fail_next_5xx"] -= 1
                failure = "5xx"
            elif sw["every_nth_5xx"] and self.counter % sw["every_nth_5xx"] == 0:
                failure = "5xx"
            elif sw["malformed"] or sw["malformed_next"] > 0:
                failure = "malformed"
                if sw["malformed_next"] > 0:
                    sw["malformed_next"] -= 1
            return failure, sw["latency_ms"]

    def count_status(self, status):
        with self.lock:
            self.stats["statuses"][status] += 1
            if status == 429:
                self.stats["sent_429"] += 1

    def count_auth(self, how):
        with self.lock:
            self.stats["auth"][how] += 1

    def switch(self, name):
        with self.lock:
            return self.switches[name]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeProvider/1.0"
    state: State = None
    verbose = False

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        if self.verbose:
            sys.stderr.write("fake_provider: " + (format % args) + "\n")

    # ---- answers ----

    def send(self, status, body=b"", content_type="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.state.count_status(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_429(self):
        retry_after = self.state.switch("retry_after")
        self.send(429, {"status_code": 25, "status_message": "Your request count is over the allowed limit."},
                  headers={"Retry-After": retry_after} if retry_after else None)

    def tmdb_401(self):
        self.send(401, {"status_code": 7, "status_message": "Invalid API key: You must be granted a valid key.",
                        "success": False})

    def tmdb_404(self):
        self.send(404, {"status_code": 34, "status_message": "The resource you requested could not be found.",
                        "success": False})

    # ---- routing ----

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if urlsplit(self.path).path != "/_control":
            return self.send(404, {"error": "POST only to /_control"})
        try:
            changes = json.loads(body or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("not an object")
        except ValueError as e:
            return self.send(400, {"error": f"bad JSON: {e}"})
        answer = self.state.control(changes)
        self.send(400 if "error" in answer else 200, answer)

    def do_GET(self):
        url = urlsplit(self.path)
        path, query = url.path, {k: v[0] for k, v in parse_qs(url.query).items()}
        if path == "/_stats":
            return self.send(200, self.state.snapshot())
        kind = "tmdb" if path.startswith("/3/") else "omdb" if path.startswith("/omdb") else \
            "image" if path.startswith("/img/") else "other"
        failure, latency_ms = self.state.admit(path, kind)
        if latency_ms:
            time.sleep(latency_ms / 1000.0)  # not synchronisation: the simulated latency of a slow provider
        if failure == "hang":
            # Never answer (until released or hang_seconds pass); the client's timeout must fire.
            self.state.hang_released.wait(self.state.switch("hang_seconds"))
            self.close_connection = True
            return
        if failure == "429":
            return self.send_429()
        if failure == "5xx":
            status = int(self.state.switch("status_5xx"))
            return self.send(status, {"status_code": 11, "status_message": "Internal error: Something went wrong."})
        if failure == "malformed":
            return self.send(200, b'{"results": [{"id": 603, "title": "The Ma', content_type="application/json")
        if kind == "tmdb":
            return self.tmdb(path[len("/3"):], query)
        if kind == "omdb":
            return self.omdb(query)
        if kind == "image":
            return self.image(path)
        self.send(404, {"error": "unknown path"})

    def tmdb_authorized(self, query):
        keys = self.state.keys
        if self.state.switch("auth_fail"):
            return False
        auth = self.headers.get("Authorization", "")
        if keys["tmdb_token"] and auth == "Bearer " + keys["tmdb_token"]:
            self.state.count_auth("bearer")
            return True
        if keys["tmdb_key"] and query.get("api_key") == keys["tmdb_key"]:
            self.state.count_auth("api_key")
            return True
        return False

    def tmdb(self, path, query):
        if not self.tmdb_authorized(query):
            return self.tmdb_401()
        if path == "/configuration":
            base = f"http://{self.headers.get('Host')}/img/t/p/"
            return self.send(200, {"images": {"base_url": base, "secure_base_url": base,
                                              "poster_sizes": fixtures.IMAGE_POSTER_SIZES,
                                              "backdrop_sizes": fixtures.IMAGE_BACKDROP_SIZES},
                                   "change_keys": []})
        if path == "/search/movie":
            return self.send(200, self.search(query))
        if path.startswith("/find/"):
            imdb_id = path[len("/find/"):]
            if query.get("external_source") != "imdb_id":
                return self.send(400, {"status_code": 5, "status_message": "Invalid parameters"})
            found = [fixtures.search_result(m) for m in fixtures.MOVIES.values() if m.get("imdb_id") == imdb_id]
            return self.send(200, {"movie_results": found, "person_results": [], "tv_results": []})
        if path.startswith("/movie/"):
            try:
                movie = fixtures.MOVIES.get(int(path[len("/movie/"):]))
            except ValueError:
                movie = None
            if movie is None:
                return self.tmdb_404()
            return self.send(200, movie)
        self.tmdb_404()

    @staticmethod
    def words(text):
        return [w for w in "".join(c.lower() if c.isalnum() else " " for c in text or "").split()]

    def search(self, query):
        wanted = self.words(query.get("query", ""))
        year = query.get("primary_release_year")
        results = []
        for movie in fixtures.MOVIES.values():
            names = set(self.words(movie.get("title"))) | set(self.words(movie.get("original_title")))
            if not wanted or not all(w in names for w in wanted):
                continue
            if year and not (movie.get("release_date") or "").startswith(year):
                continue
            results.append(fixtures.search_result(movie))
        # Popular first, like TMDB: the client must not just take the first result.
        results.sort(key=lambda m: -(m.get("popularity") or 0))
        return {"page": 1, "results": results, "total_pages": 1, "total_results": len(results)}

    def omdb(self, query):
        if self.state.switch("auth_fail") or query.get("apikey") != self.state.keys["omdb_key"]:
            return self.send(401, {"Response": "False", "Error": "Invalid API key!"})
        self.state.count_auth("omdb_key")
        movie = fixtures.OMDB.get(query.get("i", ""))
        if movie is None:
            return self.send(200, {"Response": "False", "Error": "Incorrect IMDb ID."})
        self.send(200, movie)

    def image(self, path):
        if path.startswith("/img/redirect/"):
            target = "/img/t/p/" + path[len("/img/redirect/"):]
            return self.send(302, b"", content_type="text/plain", headers={"Location": target})
        if not path.startswith("/img/t/p/") or path.endswith("/missing.jpg"):
            return self.send(404, b"not found", content_type="text/plain")
        body, content_type = (PNG, "image/png") if path.endswith(".png") else (JPEG, "image/jpeg")
        if body is JPEG:
            # A JPEG comment naming the image: each image has bytes (and so a cache key) of its own.
            comment = path.encode()[:200]
            body = JPEG[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + JPEG[2:]
        size = self.state.switch("image_bytes")
        if size:
            body = (body[:-2] + b"\x00" * max(0, int(size) - len(body)) + b"\xff\xd9")[:max(int(size), 4)]
        override = self.state.switch("image_content_type")
        self.send(200, body, content_type=override or content_type)


class FakeProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients closing kept-alive connections (or timing out on a hang) are normal here, not errors.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: an ephemeral one)")
    parser.add_argument("--tmdb-key", default="test-tmdb-key")
    parser.add_argument("--tmdb-token", default="test-tmdb-token")
    parser.add_argument("--omdb-key", default="test-omdb-key")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="stop when stdin closes (for tests)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    for name, default in DEFAULT_SWITCHES.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(default, bool):
            parser.add_argument(flag, action="store_true", default=default)
        elif isinstance(default, int):
            parser.add_argument(flag, type=int, default=default)
        else:
            parser.add_argument(flag, default=default)
    args = parser.parse_args()

    switches = {name: getattr(args, name) for name in DEFAULT_SWITCHES}
    Handler.state = State({"tmdb_key": args.tmdb_key, "tmdb_token": args.tmdb_token, "omdb_key": args.omdb_key},
                          switches)
    if not (switches["hang"] or switches["hang_next"]):
        Handler.state.hang_released.set()
    Handler.verbose = args.verbose

    server = FakeProviderServer(("127.0.0.1", args.port), Handler)
    if args.exit_on_stdin_eof:
        def watch_stdin():
            while sys.stdin.buffer.read(4096):
                pass
            server.shutdown()
        threading.Thread(target=watch_stdin, daemon=True).start()

    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
