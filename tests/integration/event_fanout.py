"""Regression test of issue 10: many WebSocket clients during a 20,000-file import. Every reading client gets
import.finished and is never closed, however slowly it reads; a client that reads nothing is closed once it has
read nothing and answered no ping for the stated time (--events-timeout), even while a write to it is
blocked."""

import base64
import os
import socket
import threading
import time

from mediabase_harness import Server, TempDirs, check, generate_library, run_tests

READERS = 19
EVENTS_TIMEOUT = 20  # seconds; pings go out every half of it (generous: CI machines are loaded)


class Reader(threading.Thread):
    """Reads the batched stream (no per-movie frames) until import.finished or the stream ends."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.stream = server.events(each_movie=False)
        self.types = {}
        self.added = set()
        self.finished = None
        self.closed_with = None
        self.error = None
        self.largest_frame = 0

    def run(self):
        try:
            while True:
                event = self.stream.next()
                kind = event["type"]
                self.types[kind] = self.types.get(kind, 0) + 1
                if kind == "__closed__":
                    self.closed_with = event["code"]
                    return
                if kind == "movies.changed":
                    self.added.update(event["added"])
                    check(len(event["movies"]) <= 20, "a batch carries at most 20 records")
                if kind == "import.finished":
                    self.finished = event["job"]
                    return
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e


def stalled_client(port):
    """A WebSocket client that completes the upgrade and then never reads (small receive buffer)."""
    conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    conn.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = conn.recv(1)  # byte by byte: nothing of the stream itself is read
        check(chunk, "the upgrade was refused")
        answer += chunk
    check(answer.startswith(b"HTTP/1.1 101"), "upgrade answered %r" % answer[:40])
    return conn


def wait_until_closed(conn, deadline_s):
    """Drains the socket (without answering pings) until the server closes it; True if it did in time."""
    conn.settimeout(1.0)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if not conn.recv(1 << 16):
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False


def test_twenty_readers_and_a_stalled_client_through_a_20000_file_import():
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        generate_library(media, 20000, seed=5)
        server = Server([media], data, ["--events-timeout", str(EVENTS_TIMEOUT)]).start()
        try:
            readers = [Reader(server) for _ in range(READERS)]
            stalled = stalled_client(server.port)
            stalled_at = time.monotonic()
            for reader in readers:
                reader.start()
            status, job, _ = server.request("POST", "/api/v1/import")
            check(status == 202, "POST /import answered %s" % status)
            for reader in readers:
                reader.join(timeout=240)
                check(not reader.is_alive(), "a reader is still waiting for import.finished")
            status, total_page, _ = server.request("GET", "/api/v1/movies?limit=1")
            total = total_page["total"]
            for i, reader in enumerate(readers):
                check(reader.error is None, "reader %d failed: %r" % (i, reader.error))
                check(reader.closed_with is None, "reader %d was closed with %s" % (i, reader.closed_with))
                check(reader.finished is not None and reader.finished["id"] == job["id"],
                      "reader %d got import.finished" % i)
                check(reader.types.get("movie.added", 0) == 0, "no per-movie frames unless asked for")
                check(reader.types.get("movies.changed", 0) < total / 10,
                      "changes come in batches: %d frames for %d movies" % (reader.types["movies.changed"], total))
                if not reader.types.get("resync"):
                    check(len(reader.added) == total,
                          "reader %d was told of %d of %d added movies" % (i, len(reader.added), total))
            status, final, _ = server.request("GET", "/api/v1/import")
            check(final["counts"] == readers[0].finished["counts"], "import.finished carries the final counts")

            # The client that never reads is closed, not before it has read nothing for the stated time.
            check(wait_until_closed(stalled, 4 * EVENTS_TIMEOUT + 30), "the stalled client is still connected")
            check(time.monotonic() - stalled_at >= EVENTS_TIMEOUT, "the stalled client was closed early")
            stalled.close()
            check(any("answered no ping" in line for line in server.log), "the server says why it closed it")
            status, health, _ = server.request("GET", "/api/v1/healthz")
            check(status == 200, "the server still answers")
            for reader in readers:
                reader.stream.close()
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_a_client_reading_slowly_but_steadily_is_kept():
    # A phone on poor Wi-Fi: it reads all the time, but megabytes behind, so its answer to a ping comes long
    # after the stated time. Reading is what counts: it must stay connected and get import.finished.
    timeout = 3
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        generate_library(media, 8000, seed=9)
        server = Server([media], data, ["--events-timeout", str(timeout)]).start()
        try:
            stream = server.events(each_movie=True)  # per-movie frames: megabytes for this import
            stream.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
            status, job, _ = server.request("POST", "/api/v1/import")
            check(status == 202, "POST /import answered %s" % status)
            types = {}
            while True:
                event = stream.next(deadline=time.monotonic() + 240)
                types[event["type"]] = types.get(event["type"], 0) + 1
                if event["type"] in ("import.finished", "__closed__"):
                    break
                time.sleep(0.002)  # not synchronisation: it throttles this reader to a few hundred KB/s
            check(event["type"] == "import.finished", "the slow reader was closed (%r) after %r" % (event, types))
            check(event["job"]["id"] == job["id"], "import.finished of the import started")
            # It was really behind: its movie frames were collapsed into a resync (more than 1 MiB queued).
            check(types.get("resync", 0) >= 1, "the reader never fell behind: %r" % types)
            check(not any("closed" in line and "websocket client" in line for line in server.log),
                  "the server closed a client: %r" % [l for l in server.log if "websocket" in l])
            stream.close()
        finally:
            server.kill()
    finally:
        dirs.cleanup()


if __name__ == "__main__":
    run_tests([test_twenty_readers_and_a_stalled_client_through_a_20000_file_import,
               test_a_client_reading_slowly_but_steadily_is_kept])
