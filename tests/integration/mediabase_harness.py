"""Shared helpers for the integration tests: start the real binary on an ephemeral loopback port and talk
to it over real HTTP and WebSocket connections (Debian's python3 with python3-websocket)."""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# Meson's exit code for a skipped test: a missing prerequisite outside CI is counted as a skip, never a pass.
SKIP_EXIT_CODE = 77


def in_ci():
    """CI services set CI=true; there a missing prerequisite is a failure, since nobody would notice a skip."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def missing_prerequisite(reason):
    """Ends the whole test program: a failure in CI, a counted skip (exit 77) elsewhere."""
    print("%s: %s" % ("FAIL missing prerequisite" if in_ci() else "SKIP", reason), flush=True)
    sys.exit(1 if in_ci() else SKIP_EXIT_CODE)


try:
    import websocket  # python3-websocket
except ImportError:
    missing_prerequisite("the python3 module websocket is missing (apt-get install python3-websocket)")

BIN = os.environ.get("MEDIABASE_BIN", "build/mediabase")
SOURCE_DIR = os.environ.get("MEDIABASE_SOURCE_DIR", os.getcwd())


class Failure(AssertionError):
    pass


class Skipped(Exception):
    """A test that cannot run here; `run_tests` counts it (and exits 77 unless something failed)."""


def require(condition, reason):
    """Skips the calling test when `condition` is false; in CI that is a failure instead."""
    if not condition:
        if in_ci():
            raise Failure("missing prerequisite: " + reason)
        raise Skipped(reason)


def check(condition, message):
    if not condition:
        raise Failure(message)


def generate_library(directory, count, seed=7):
    """Builds a synthetic library with tools/gen_library.py; returns its summary."""
    out = subprocess.run(
        [sys.executable, os.path.join(SOURCE_DIR, "tools", "gen_library.py"), directory, "--count", str(count),
         "--seed", str(seed)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


class Server:
    """The mediabase binary serving on 127.0.0.1 with an ephemeral port."""

    def __init__(self, media, data, extra_args=(), env=None):
        """`env`: variables added to (or, with value None, removed from) the inherited environment."""
        self.env = None
        if env:
            self.env = dict(os.environ)
            for name, value in env.items():
                if value is None:
                    self.env.pop(name, None)
                else:
                    self.env[name] = value
        self.args = [BIN, "serve", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "info"]
        for folder in media:
            self.args += ["--media", folder]
        # The tests of the library's behaviour run as the server's owner on the same machine: loopback is
        # trusted as an admin (README, Security). Tests of access control (access_control.py) choose a mode.
        if "--auth" not in extra_args:
            self.args += ["--auth", "trusted-networks"]
        self.args += list(extra_args)
        self.proc = None
        self.port = None
        self.log = []
        self.log_changed = threading.Condition()

    def start(self):
        # Logs may name files whose names are not UTF-8: read them with U+FFFD, never stop draining.
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     errors="replace", env=self.env)
        # The first stdout line announces the URL once the socket is bound: no sleeping.
        line = self.proc.stdout.readline()
        check(line.startswith("listening on http://127.0.0.1:"), "unexpected first line: %r" % line)
        self.port = int(line.strip().rsplit(":", 1)[1])
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        return self

    def _drain_stderr(self):
        for line in self.proc.stderr:
            with self.log_changed:
                self.log.append(line)
                self.log_changed.notify_all()

    def wait_for_log(self, text, deadline_seconds=60):
        """Waits until a log line contains `text` (woken by each new line, no polling); fails at the deadline."""
        with self.log_changed:
            found = self.log_changed.wait_for(lambda: any(text in line for line in self.log), deadline_seconds)
        check(found, "no log line contains %r within %d s" % (text, deadline_seconds))

    def request(self, method, path, body=None, headers=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        hdrs = {"Content-Type": "application/json"} if payload is not None else {}
        hdrs.update(headers or {})
        conn.request(method, path, body=payload, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        ctype = resp.getheader("Content-Type") or ""
        parsed = json.loads(data) if ctype.startswith("application/json") and data else data
        return resp.status, parsed, resp

    def events(self, each_movie=True):
        """`each_movie`: also receive the per-movie frames (movie.added ...) besides the batched ones."""
        return EventStream(self.port, each_movie)

    def terminate(self, timeout=60.0):
        """Sends SIGTERM; returns (exit code, seconds it took). `timeout` is a deadline against a hung server,
        not a speed requirement (bench/ measures shutdown times)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("server did not exit within %.1f s of SIGTERM" % timeout)
        return code, time.monotonic() - started

    def kill(self):
        """Stops the server if it still runs: SIGTERM first, so it shuts down as in use (and a coverage
        build writes its counters), SIGKILL if it has not exited within 30 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class EventStream:
    """A WebSocket client of /api/v1/events."""

    def __init__(self, port, each_movie=True):
        self.ws = websocket.create_connection(
            "ws://127.0.0.1:%d/api/v1/events%s" % (port, "?movies=each" if each_movie else ""), timeout=60)

    def next(self, deadline=None):
        """The next event. The server's pings keep the socket busy, so a socket timeout alone would never fire
        while an awaited event does not come: pings are answered here and `deadline` (monotonic) is checked
        between frames."""
        while True:
            opcode, data = self.ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_PING:
                self.ws.pong(data)
            elif opcode == websocket.ABNF.OPCODE_CLOSE:
                code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                return {"type": "__closed__", "code": code}
            elif opcode in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY):
                return json.loads(data)
            if deadline is not None and time.monotonic() > deadline:
                raise Failure("no awaited event within the deadline")

    def until(self, predicate, collect=None, within=240):
        """Reads events until one matches `predicate`; every event read is appended to `collect`. Fails when
        none has come `within` seconds (a bound against hanging, not a measure: imports take seconds)."""
        deadline = time.monotonic() + within
        while True:
            event = self.next(deadline)
            check(time.monotonic() <= deadline, "no matching event within %d s" % within)
            if collect is not None:
                collect.append(event)
            if predicate(event):
                return event
            check(event["type"] != "__closed__", "event stream closed early")

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


class TempDirs:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="mediabase-it-")

    def path(self, name):
        p = os.path.join(self.root, name)
        os.makedirs(p, exist_ok=True)
        return p

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def import_and_wait(server, events, seen=None):
    """Starts an import and reads events until it finishes; every event read is appended to `seen`.
    Returns (the job as started, the finished job, the events seen)."""
    seen = [] if seen is None else seen
    status, job, _ = server.request("POST", "/api/v1/import")
    check(status == 202, "POST /import answered %s" % status)
    check(job["state"] in ("scanning", "identifying"), "POST /import answered a job that is not running: %r" % job)
    finished = events.until(lambda e: e["type"] == "import.finished" and e["job"]["id"] == job["id"], seen)
    return job, finished["job"], seen


def run_tests(tests):
    """Runs each test function and prints a line per test. Exits 1 if any failed, else 77 (meson's skip)
    if any was skipped, so a skip is never reported as a pass, else 0."""
    failed = skipped = 0
    for test in tests:
        started = time.monotonic()
        try:
            test()
            print("ok   %s (%.1f s)" % (test.__name__, time.monotonic() - started), flush=True)
        except Skipped as e:
            skipped += 1
            print("SKIP %s: %s" % (test.__name__, e), flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print("FAIL %s: %s: %s" % (test.__name__, type(e).__name__, e), flush=True)
    print("%d passed, %d failed, %d skipped" % (len(tests) - failed - skipped, failed, skipped))
    sys.exit(1 if failed else SKIP_EXIT_CODE if skipped else 0)
