"""Access control (issue 12, README Security): every route × every kind of caller, the cross-site defences,
login throttling, revocation closing event streams, and the trusted-networks and proxy modes from 127.0.0.2."""

import http.client
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import BIN, Server, TempDirs, check, run_tests, websocket  # noqa: E402

ADMIN_PASSWORD = "correct horse battery"
VIEWER_PASSWORD = "viewer password 1"


def add_user(data, name, password, admin=False):
    args = [BIN, "user", "add", name, "--data", data] + (["--admin"] if admin else [])
    out = subprocess.run(args, input=password + "\n", capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, "user add %s: %s" % (name, out.stderr))
    check(password not in out.stdout + out.stderr, "user add echoed the password")


def call(port, method, path, body=None, headers=None, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    payload = json.dumps(body) if body is not None else None
    hdrs = {"Content-Type": "application/json"} if payload is not None else {}
    hdrs.update(headers or {})
    conn.request(method, path, body=payload, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    ctype = resp.getheader("Content-Type") or ""
    parsed = json.loads(data) if ctype.startswith("application/json") and data else data
    return resp.status, parsed, resp


def login(port, name, password, source="127.0.0.1"):
    status, body, resp = call(port, "POST", "/api/v1/session", {"name": name, "password": password}, source=source)
    check(status == 200, "login %s: %s %r" % (name, status, body))
    cookie = resp.getheader("Set-Cookie")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/"):
        check(attribute in cookie, "session cookie lacks %s: %r" % (attribute, cookie))
    return cookie.split(";", 1)[0]


class Library:
    """A server in `required` mode with an admin and a viewer, their sessions and an admin's two keys."""

    def __init__(self, extra_args=()):
        self.tmp = TempDirs()
        self.data = self.tmp.path("data")
        add_user(self.data, "ann", ADMIN_PASSWORD, admin=True)
        add_user(self.data, "bob", VIEWER_PASSWORD)
        self.server = Server([self.tmp.path("media")], self.data,
                             ["--auth", "required", "--watch", "false", "--backup-interval", "0"] + list(extra_args))
        self.server.start()
        self.port = self.server.port
        self.origin = "http://127.0.0.1:%d" % self.port
        self.admin_cookie = login(self.port, "ann", ADMIN_PASSWORD)
        self.viewer_cookie = login(self.port, "bob", VIEWER_PASSWORD)
        self.read_key = self.new_key("reader", "read")
        self.admin_key = self.new_key("admin script", "admin")

    def browser(self, cookie):
        """What the web UI sends: its cookie, its origin and the CSRF header."""
        return {"Cookie": cookie, "Origin": self.origin, "X-Mediabase-CSRF": "1"}

    def new_key(self, name, scope, cookie=None):
        status, body, _ = call(self.port, "POST", "/api/v1/keys", {"name": name, "scope": scope},
                               self.browser(cookie or self.admin_cookie))
        check(status == 201 and body["key"].startswith("mb_"), "POST /keys: %s %r" % (status, body))
        return body

    def close(self):
        self.server.kill()
        self.tmp.cleanup()


# (method, path, body, what it needs). Side effects are harmless: an empty library, a 404 movie.
ROUTES = [
    ("GET", "/", None, "anyone"),
    ("GET", "/api/v1/healthz", None, "anyone"),
    ("GET", "/api/v1/session", None, "anyone"),
    ("GET", "/api/v1/movies", None, "viewer"),
    ("GET", "/api/v1/movies/1", None, "viewer"),
    ("PATCH", "/api/v1/movies/999999", {"watched": True}, "viewer"),
    ("GET", "/api/v1/movies/duplicates", None, "viewer"),
    ("GET", "/api/v1/genres", None, "viewer"),
    ("GET", "/api/v1/stats", None, "viewer"),
    ("GET", "/api/v1/parse?name=Heat.1995.mkv", None, "viewer"),
    ("GET", "/api/v1/import", None, "viewer"),
    ("GET", "/api/v1/imports", None, "viewer"),
    ("GET", "/api/v1/keys", None, "viewer"),
    ("GET", "/img/none.jpg", None, "viewer"),
    ("POST", "/api/v1/import", None, "admin"),
    ("POST", "/api/v1/movies/999999/refresh", None, "admin"),
    ("POST", "/api/v1/movies/999999/match", {"tmdb_id": 603}, "admin"),
    ("GET", "/api/v1/tmdb/search?q=Heat", None, "admin"),
    ("GET", "/api/v1/prune", None, "admin"),
    ("POST", "/api/v1/prune", None, "admin"),
    ("GET", "/api/v1/backups", None, "admin"),
    ("GET", "/api/v1/config", None, "admin"),
    ("PUT", "/api/v1/config", {"rescan_interval_seconds": 3600}, "admin"),
    ("POST", "/api/v1/providers/check", None, "admin"),
    ("GET", "/api/v1/users", None, "admin"),
    ("DELETE", "/api/v1/users/nobody-here", None, "admin"),
]

REFUSED = (401, 403, 421)


def expected(caller, method, need):
    """The status class a caller gets: 'ok' (anything but a refusal) or the refusal's status."""
    writes = method not in ("GET", "HEAD")
    if caller == "foreign host":
        return 421
    if caller == "foreign origin" and writes:
        return 403
    if need == "anyone":
        return "ok"
    if caller == "none":
        return 401
    if caller == "viewer session":
        return 403 if need == "admin" else "ok"
    if caller == "read key":
        return 403 if need == "admin" or writes else "ok"
    return "ok"  # admin session, admin key, foreign origin reading


def test_every_route_for_every_caller():
    lib = Library()
    try:
        callers = {
            "none": {},
            "viewer session": lib.browser(lib.viewer_cookie),
            "admin session": lib.browser(lib.admin_cookie),
            "read key": {"Authorization": "Bearer " + lib.read_key["key"]},
            "admin key": {"X-Api-Key": lib.admin_key["key"]},
            "foreign origin": {"X-Api-Key": lib.admin_key["key"], "Origin": "http://evil.example",
                               "Sec-Fetch-Site": "cross-site"},
            "foreign host": {"X-Api-Key": lib.admin_key["key"], "Host": "rebind.evil.example"},
        }
        wrong = []
        for method, path, body, need in ROUTES:
            for caller, headers in callers.items():
                status, answer, resp = call(lib.port, method, path, body, headers)
                want = expected(caller, method, need)
                got = "ok" if status not in REFUSED else status
                if got != want:
                    wrong.append("%s %s as %s: %s (wanted %s) %r" % (method, path, caller, status, want, answer))
                    continue
                if status in REFUSED:
                    if not (isinstance(answer, dict) and set(answer["error"]) == {"code", "message"}):
                        wrong.append("%s %s as %s: %s is not a JSON error: %r" % (method, path, caller, status, answer))
                    if status == 401 and "Bearer" not in (resp.getheader("WWW-Authenticate") or ""):
                        wrong.append("%s %s as %s: 401 without WWW-Authenticate" % (method, path, caller))
                    if resp.getheader("Location"):
                        wrong.append("%s %s as %s: a redirect" % (method, path, caller))
        check(not wrong, "%d wrong answers:\n  %s" % (len(wrong), "\n  ".join(wrong)))
    finally:
        lib.close()


def test_cookie_sessions_need_the_csrf_header_and_scripts_do_not():
    lib = Library()
    try:
        no_header = {"Cookie": lib.admin_cookie, "Origin": lib.origin}
        status, body, _ = call(lib.port, "POST", "/api/v1/import", None, no_header)
        check(status == 403 and body["error"]["code"] == "csrf", "cookie without CSRF header: %s %r" % (status, body))
        # A text/plain form post from another page: no preflight in browsers, refused by its Origin.
        status, body, _ = call(lib.port, "POST", "/api/v1/prune", None,
                               {"Cookie": lib.admin_cookie, "Origin": "http://evil.example",
                                "Content-Type": "text/plain", "X-Mediabase-CSRF": "1"})
        check(status == 403 and body["error"]["code"] == "cross_origin", "foreign POST: %s %r" % (status, body))
        status, _, _ = call(lib.port, "POST", "/api/v1/import", None, {"X-Api-Key": lib.admin_key["key"]})
        check(status == 202, "admin key without CSRF header: %s" % status)
    finally:
        lib.close()


def test_logins_are_throttled_per_address_and_per_account():
    lib = Library()
    try:
        statuses = []
        retry_after = 0
        for _ in range(14):
            status, body, resp = call(lib.port, "POST", "/api/v1/session", {"name": "ann", "password": "wrong one"})
            statuses.append(status)
            if status == 429:
                retry_after = int(resp.getheader("Retry-After"))
                check(body["error"]["code"] == "too_many_attempts", "429 body: %r" % body)
                if retry_after >= 4:
                    break
        check(statuses[:5] == [401] * 5, "the first five failures are answered 401: %r" % statuses)
        check(retry_after >= 4, "no growing lockout after %d failures: %r" % (len(statuses), statuses))
        # Locked out: even the right password is not checked, from this address or another one (and each
        # attempt while locked out counts as a failure, so the lockout is still running).
        status, _, _ = call(lib.port, "POST", "/api/v1/session", {"name": "ann", "password": ADMIN_PASSWORD})
        check(status == 429, "the right password during the lockout: %s" % status)
        status, _, _ = call(lib.port, "POST", "/api/v1/session", {"name": "ann", "password": ADMIN_PASSWORD},
                            source="127.0.0.2")
        check(status == 429, "the account's lockout from another address: %s" % status)
        # Another account from another address is not slowed.
        status, _, _ = call(lib.port, "POST", "/api/v1/session", {"name": "bob", "password": VIEWER_PASSWORD},
                            source="127.0.0.2")
        check(status == 200, "another account from another address: %s" % status)
        log = "".join(lib.server.log)
        check("wrong one" not in log and ADMIN_PASSWORD not in log, "a password reached the log")
    finally:
        lib.close()


def open_events(port, headers):
    """An event stream with these headers; an Origin among them replaces the client's own."""
    headers = dict(headers)
    origin = headers.pop("Origin", None)
    extra = {"origin": origin} if origin else {}
    return websocket.create_connection("ws://127.0.0.1:%d/api/v1/events" % port, timeout=30,
                                       header=["%s: %s" % item for item in headers.items()], **extra)


def closed_with(ws, code, within=30):
    """Reads frames until the server's close frame; True when its code is `code`."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        opcode, data = ws.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_PING:
            ws.pong(data)
        elif opcode == websocket.ABNF.OPCODE_CLOSE:
            return len(data) >= 2 and int.from_bytes(data[:2], "big") == code
    return False


def test_revoking_a_key_or_a_session_closes_its_event_stream():
    lib = Library()
    try:
        # Without credentials, or from another origin, the upgrade is refused.
        for headers, status in (({}, 401), ({"X-Api-Key": lib.admin_key["key"], "Origin": "http://evil.example"}, 403)):
            try:
                open_events(lib.port, headers).close()
                check(False, "event stream opened with %r" % headers)
            except websocket.WebSocketBadStatusException as e:
                check(e.status_code == status, "upgrade with %r: %s" % (headers, e.status_code))
        key = lib.new_key("stream", "read")
        by_key = open_events(lib.port, {"X-Api-Key": key["key"]})
        check(json.loads(by_key.recv())["type"] == "import.status", "the key's stream did not start")
        viewer = open_events(lib.port, {"Cookie": lib.viewer_cookie, "Origin": lib.origin})
        check(json.loads(viewer.recv())["type"] == "import.status", "the session's stream did not start")
        status, _, _ = call(lib.port, "DELETE", "/api/v1/keys/%d" % key["id"], None, lib.browser(lib.admin_cookie))
        check(status == 200, "DELETE /keys: %s" % status)
        check(closed_with(by_key, 1008), "the revoked key's stream was not closed with 1008")
        status, _, _ = call(lib.port, "GET", "/api/v1/movies", None, {"X-Api-Key": key["key"]})
        check(status == 401, "a revoked key still works: %s" % status)
        status, _, _ = call(lib.port, "DELETE", "/api/v1/session", None, lib.browser(lib.viewer_cookie))
        check(status == 200, "logout: %s" % status)
        check(closed_with(viewer, 1008), "the ended session's stream was not closed with 1008")
        status, _, _ = call(lib.port, "GET", "/api/v1/movies", None, {"Cookie": lib.viewer_cookie})
        check(status == 401, "a logged-out session still works: %s" % status)
    finally:
        lib.close()


def test_a_password_change_ends_the_other_sessions_and_logout_everywhere_ends_all():
    lib = Library()
    try:
        other = login(lib.port, "bob", VIEWER_PASSWORD)
        status, body, _ = call(lib.port, "PUT", "/api/v1/session/password",
                               {"current": VIEWER_PASSWORD, "password": "a new password"}, lib.browser(lib.viewer_cookie))
        check(status == 200 and body["ended_sessions"] == 1, "password change: %s %r" % (status, body))
        check(call(lib.port, "GET", "/api/v1/movies", None, {"Cookie": other})[0] == 401, "the other session lives")
        check(call(lib.port, "GET", "/api/v1/movies", None, {"Cookie": lib.viewer_cookie})[0] == 200,
              "the changing session ended")
        second = login(lib.port, "bob", "a new password")
        status, _, _ = call(lib.port, "DELETE", "/api/v1/sessions", None, lib.browser(second))
        check(status == 200, "log out everywhere: %s" % status)
        for cookie in (lib.viewer_cookie, second):
            check(call(lib.port, "GET", "/api/v1/movies", None, {"Cookie": cookie})[0] == 401, "a session lives on")
    finally:
        lib.close()


def test_trusted_networks_trust_loopback_and_required_does_not():
    tmp = TempDirs()
    try:
        data = tmp.path("data")
        add_user(data, "ann", ADMIN_PASSWORD, admin=True)
        for mode, want in (("trusted-networks", 200), ("required", 401)):
            server = Server([tmp.path("media")], data, ["--auth", mode, "--trusted-networks", "192.0.2.0/24",
                                                        "--watch", "false"]).start()
            try:
                status, _, _ = call(server.port, "GET", "/api/v1/movies", source="127.0.0.2")
                check(status == want, "%s from 127.0.0.2: %s (wanted %s)" % (mode, status, want))
                # The cross-site defences hold in every mode.
                status, _, _ = call(server.port, "POST", "/api/v1/import", None, {"Origin": "http://evil.example"},
                                    source="127.0.0.2")
                check(status == 403, "%s: a foreign origin's POST got %s" % (mode, status))
                status, _, _ = call(server.port, "GET", "/api/v1/movies", None, {"Host": "rebind.evil.example"},
                                    source="127.0.0.2")
                check(status == 421, "%s: a rebound Host got %s" % (mode, status))
            finally:
                server.kill()
    finally:
        tmp.cleanup()


def test_proxy_mode_honours_the_user_header_only_from_the_trusted_proxy():
    tmp = TempDirs()
    try:
        data = tmp.path("data")
        add_user(data, "ann", ADMIN_PASSWORD, admin=True)
        add_user(data, "bob", VIEWER_PASSWORD)
        server = Server([tmp.path("media")], data, ["--auth", "proxy", "--trusted-proxies", "127.0.0.2",
                                                    "--user-header", "Remote-User", "--watch", "false"]).start()
        try:
            status, body, _ = call(server.port, "GET", "/api/v1/session", None, {"Remote-User": "bob"},
                                   source="127.0.0.2")
            check(status == 200 and body["user"]["name"] == "bob" and body["user"]["via"] == "proxy",
                  "from the proxy: %r" % body)
            check(call(server.port, "GET", "/api/v1/config", None, {"Remote-User": "bob"}, source="127.0.0.2")[0]
                  == 403, "a viewer named by the proxy reached an admin route")
            check(call(server.port, "GET", "/api/v1/config", None, {"Remote-User": "ann"}, source="127.0.0.2")[0]
                  == 200, "an admin named by the proxy was refused")
            status, _, _ = call(server.port, "GET", "/api/v1/config", None, {"Remote-User": "ann"}, source="127.0.0.1")
            check(status == 401, "the user header from a client that is not the proxy was honoured: %s" % status)
        finally:
            server.kill()
    finally:
        tmp.cleanup()


def test_first_run_setup_only_from_loopback_and_only_once():
    tmp = TempDirs()
    try:
        server = Server([tmp.path("media")], tmp.path("data"), ["--auth", "required", "--watch", "false"]).start()
        try:
            server.wait_for_log("no account exists yet")
            status, body, _ = call(server.port, "GET", "/api/v1/movies")
            check(status == 401 and body["error"]["code"] == "no_account", "fresh install: %s %r" % (status, body))
            status, body, _ = call(server.port, "GET", "/api/v1/session")
            check(body["setup"] is True, "set-up not offered on loopback: %r" % body)
            status, body, _ = call(server.port, "POST", "/api/v1/setup", {"name": "ann", "password": "short"})
            check(status == 400, "a short password: %s %r" % (status, body))
            status, body, _ = call(server.port, "POST", "/api/v1/setup", {"name": "ann", "password": ADMIN_PASSWORD})
            check(status == 201 and body["user"]["role"] == "admin", "set-up: %s %r" % (status, body))
            status, body, _ = call(server.port, "POST", "/api/v1/setup", {"name": "eve", "password": ADMIN_PASSWORD})
            check(status == 409, "a second set-up: %s %r" % (status, body))
            login(server.port, "ann", ADMIN_PASSWORD)
        finally:
            server.kill()
    finally:
        tmp.cleanup()


def test_config_file_is_private():
    tmp = TempDirs()
    try:
        data = tmp.path("data")
        server = Server([tmp.path("media")], data, ["--watch", "false"]).start()
        try:
            status, _, _ = call(server.port, "PUT", "/api/v1/config", {"tmdb_api_key": "k" * 32})
            check(status == 200, "PUT /config: %s" % status)
            mode = os.stat(os.path.join(data, "config.json")).st_mode & 0o777
            check(mode == 0o600, "config.json has mode %o" % mode)
            server.wait_for_log("settings changed by trusted network")
        finally:
            server.kill()
    finally:
        tmp.cleanup()


if __name__ == "__main__":
    run_tests([
        test_every_route_for_every_caller,
        test_cookie_sessions_need_the_csrf_header_and_scripts_do_not,
        test_logins_are_throttled_per_address_and_per_account,
        test_revoking_a_key_or_a_session_closes_its_event_stream,
        test_a_password_change_ends_the_other_sessions_and_logout_everywhere_ends_all,
        test_trusted_networks_trust_loopback_and_required_does_not,
        test_proxy_mode_honours_the_user_header_only_from_the_trusted_proxy,
        test_first_run_setup_only_from_loopback_and_only_once,
        test_config_file_is_private,
    ])
