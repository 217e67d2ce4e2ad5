"""Hostile HTTP input against the real binary: oversized chunk trailers, request smuggling shapes, connection
floods at the connection caps and at the process's file limit, and config.json files that are not files.
Each test is a regression test for a way one client could stop the server for everyone (issue: never fall to
one request)."""

import json
import os
import resource
import socket
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import BIN, EventStream, Server, TempDirs, check, run_tests  # noqa: E402


def raw_exchange(port, payload, read_limit=1 << 20):
    """Sends `payload` on a fresh connection and reads until the server closes it (or read_limit bytes)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before it has read everything we send
        received = b""
        while len(received) < read_limit:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
        return received
    finally:
        sock.close()


def statuses(raw):
    """The status codes of every HTTP response in `raw`, in order."""
    return [int(line.split(b" ")[1]) for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def start_server(dirs, extra_args=(), preexec=None):
    server = Server([dirs.path("media")], dirs.path("data"), ["--watch", "false"] + list(extra_args))
    if preexec:
        original = subprocess.Popen

        def popen(*args, **kwargs):
            kwargs["preexec_fn"] = preexec
            return original(*args, **kwargs)

        subprocess.Popen = popen
        try:
            server.start()
        finally:
            subprocess.Popen = original
    else:
        server.start()
    return server


def serving(server):
    status, body, _ = server.request("GET", "/api/v1/healthz")
    return status == 200 and server.proc.poll() is None


def chunked_request(trailer_lines):
    head = (b"POST /api/v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    return head + b"2\r\n{}\r\n0\r\n" + b"".join(trailer_lines) + b"\r\n"


def test_a_64_kib_trailer_field_is_refused_and_the_server_keeps_serving():
    dirs = TempDirs()
    server = start_server(dirs)
    try:
        answer = raw_exchange(server.port, chunked_request([b"X-T: " + b"a" * 65536 + b"\r\n"]))
        check(server.proc.poll() is None, "server died (exit %s)" % server.proc.poll())
        codes = statuses(answer)
        check(codes and codes[0] == 431, "a 64 KiB trailer is answered 431, got %r" % answer[:200])
        check(b'"error"' in answer, "the answer is a JSON error")
        check(serving(server), "server still serves after the trailer")
    finally:
        server.kill()
        dirs.cleanup()


def test_trailers_count_against_the_header_limit():
    dirs = TempDirs()
    server = start_server(dirs)
    try:
        before = rss_kib(server.proc.pid)
        # 3,000 trailer fields of 60 KB: 180 MB the server must not hold.
        field = b"X-T: " + b"b" * 60000 + b"\r\n"
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        sock.sendall(chunked_request([])[:-2])  # up to the last chunk, trailers follow
        refused = False
        try:
            for _ in range(3000):
                sock.sendall(field)
        except (BrokenPipeError, ConnectionResetError):
            refused = True
        answer = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except ConnectionResetError:
            pass
        sock.close()
        check(refused or statuses(answer)[:1] == [431], "the server read 180 MB of trailers")
        check(server.proc.poll() is None, "server died")
        grown = rss_kib(server.proc.pid) - before
        check(grown < 32 * 1024, "RSS grew by %d KiB on trailers" % grown)
        # A trailer within the limit is still fine.
        answer = raw_exchange(server.port, chunked_request([b"X-Checksum: abc\r\n"]).replace(
            b"Host: 127.0.0.1\r\n", b"Host: 127.0.0.1\r\nConnection: close\r\n"))
        check(statuses(answer)[:1] == [202], "a small trailer is accepted: %r" % answer[:120])
    finally:
        server.kill()
        dirs.cleanup()


def test_smuggling_shapes_are_refused_and_the_connection_closed():
    dirs = TempDirs()
    server = start_server(dirs)
    try:
        second = b"GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        shapes = [
            b"POST /api/v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n"
            b"Content-Length: 5\r\n\r\nhello",
            b"POST /api/v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Length: 5\r\n\r\n0\r\n\r\n",
            b"POST /api/v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            b"POST /api/v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"POST /api/v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        ]
        for shape in shapes:
            answer = raw_exchange(server.port, shape + second)
            codes = statuses(answer)
            check(codes == [400], "%r answered %r (want one 400 and a closed connection)" % (shape[:90], codes))
            check(b'"error"' in answer, "the 400 is a JSON error")
        status, job, _ = server.request("GET", "/api/v1/import")
        check(status == 200 and job["id"] == 0, "no smuggled request started an import: %r" % job)
        check(serving(server), "server still serves")
    finally:
        server.kill()
        dirs.cleanup()


def test_connection_caps_queue_and_refuse_without_stopping_the_server():
    dirs = TempDirs()
    server = start_server(dirs, ["--max-connections", "8", "--max-connections-per-address", "4"])
    held = []
    try:
        # Four idle connections from 127.0.0.1 fill its share; a fifth is told why and closed.
        for _ in range(4):
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=30))
        answer = raw_exchange(server.port, b"GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        check(statuses(answer) == [503], "fifth connection from one address: %r" % answer[:200])
        check(b"too_many_connections" in answer, "the 503 names the cause")
        # Other addresses of the loopback range have their own share, up to the server's cap of 8.
        for last in range(2, 6):
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=30,
                                                 source_address=("127.0.0.%d" % last, 0)))
        # The ninth waits in the listen queue; it is served as soon as one connection ends.
        waiting = socket.create_connection(("127.0.0.1", server.port), timeout=30, source_address=("127.0.0.9", 0))
        waiting.sendall(b"GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        waiting.settimeout(0.5)
        try:
            early = waiting.recv(4096)
        except socket.timeout:
            early = b""
        check(early == b"", "the ninth connection was served past the cap: %r" % early[:80])
        held.pop().close()
        waiting.settimeout(30)
        answer = b""
        while True:
            chunk = waiting.recv(65536)
            if not chunk:
                break
            answer += chunk
        waiting.close()
        check(statuses(answer) == [200], "the queued connection is served once one ends: %r" % answer[:120])
        check(any("connection limit" in line for line in server.log), "the cap is logged")
    finally:
        for sock in held:
            sock.close()
        server.kill()
        dirs.cleanup()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_at_the_file_limit_the_accept_loop_backs_off_and_recovers():
    dirs = TempDirs()

    def low_file_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (96, 96))

    server = start_server(dirs, ["--max-connections", "1000"], preexec=low_file_limit)
    held = []
    try:
        # More clients than the process may hold files: the accept loop hits EMFILE.
        for _ in range(150):
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=30))
        # Prove the server has reached EMFILE: a request on the last connection gets no answer until others
        # close. Meanwhile measure the CPU the process burns while it cannot accept; a spinning loop takes a
        # whole core, a backing-off one next to nothing.
        probe = held[-1]
        probe.sendall(b"GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        probe.settimeout(1.0)
        start_cpu = cpu_seconds(server.proc.pid)
        try:
            early = probe.recv(4096)
        except socket.timeout:
            early = b""
        spent = cpu_seconds(server.proc.pid) - start_cpu
        check(early == b"", "the server answered past its file limit")
        check(spent < 0.5, "the server burned %.2f s of CPU in 1 s while at its file limit" % spent)
        check(any("file limit" in line for line in server.log), "the file limit is logged")
        check(sum("file limit" in line for line in server.log) == 1,
              "the file limit is logged once: %r" % [l for l in server.log if "file limit" in l or "again" in l])
        for sock in held[:-1]:
            sock.close()
        held = [probe]
        probe.settimeout(30)
        answer = probe.recv(65536)
        check(statuses(answer) == [200], "served once files are free again: %r" % answer[:120])
        check(serving(server), "server serves new clients")
    finally:
        for sock in held:
            sock.close()
        server.kill()
        dirs.cleanup()


def test_head_answers_carry_no_body():
    dirs = TempDirs()
    server = start_server(dirs)
    try:
        # A body after a HEAD answer would be read by the client as the start of the next answer.
        answer = raw_exchange(server.port, b"HEAD /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                           b"GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        head, rest = answer.split(b"\r\n\r\n", 1)
        length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
        check(rest.startswith(b"HTTP/1.1 200"), "the HEAD answer carried a body: %r" % rest[:80])
        get_head, get_body = rest.split(b"\r\n\r\n", 1)
        check(length == [len(get_body)], "HEAD says Content-Length %r, GET sends %d bytes" % (length, len(get_body)))
    finally:
        server.kill()
        dirs.cleanup()


def test_event_frames_stay_valid_utf8_for_names_that_are_not():
    dirs = TempDirs()
    media = dirs.path("media")
    # Latin-1 names, as old Samba shares leave them: not UTF-8. One media folder is missing, so the
    # finished job's error and warnings name it.
    folder = os.path.join(media.encode(), b"Caf\xe9 Noir (1999)")
    os.makedirs(folder)
    open(os.path.join(folder, b"Caf\xe9 Noir (1999).mkv"), "wb").close()
    missing = os.path.join(dirs.root.encode(), b"Gon\xe9")
    server = Server([media, missing], dirs.path("data"), ["--watch", "false"]).start()
    try:
        # websocket-client checks that every text frame is UTF-8 and raises otherwise.
        events = EventStream(server.port)
        status, job, _ = server.request("POST", "/api/v1/import")
        check(status == 202, "POST /import %s" % status)
        finished = events.until(lambda e: e["type"] == "import.finished")
        said = json.dumps(finished["job"], ensure_ascii=False)
        check("Gon\ufffd" in said, "the missing folder is named with U+FFFD: %s" % said[:400])
        events.close()
    finally:
        server.kill()
        dirs.cleanup()


def run_binary(args, timeout=20):
    return subprocess.run([BIN] + args, capture_output=True, text=True, timeout=timeout)


def test_config_json_that_is_not_a_regular_file_is_refused():
    dirs = TempDirs()
    try:
        media = dirs.path("media")
        for kind in ("fifo", "dev_zero", "huge"):
            data = dirs.path("data-" + kind)
            config = os.path.join(data, "config.json")
            if kind == "fifo":
                os.mkfifo(config)
            elif kind == "dev_zero":
                os.symlink("/dev/zero", config)
            else:
                with open(config, "w") as f:
                    f.write('{"media_folders": [], "pad": "' + "x" * (2 << 20) + '"}')
            result = run_binary(["scan", "--media", media, "--data", data])
            check(result.returncode == 2, "%s config.json: exit %d, stderr %r" % (kind, result.returncode,
                                                                                  result.stderr[-300:]))
            check("config.json" in result.stderr and result.stderr.strip().count("\n") == 0,
                  "%s: one line naming config.json: %r" % (kind, result.stderr))
    finally:
        dirs.cleanup()


def test_config_json_is_written_readable_by_its_owner_only():
    dirs = TempDirs()
    data = dirs.path("data")
    config = os.path.join(data, "config.json")
    with open(config, "w") as f:
        f.write('{"tmdb_api_key": "0123456789abcdef"}\n')
    os.chmod(config, 0o644)
    server = start_server(dirs)
    try:
        status, _, _ = server.request("PUT", "/api/v1/config", {"tmdb_requests_per_second": 5})
        check(status == 200, "PUT /config %s" % status)
        mode = stat.S_IMODE(os.stat(config).st_mode)
        check(mode == 0o600, "config.json mode is %o" % mode)
    finally:
        server.kill()
        dirs.cleanup()


if __name__ == "__main__":
    run_tests([test_a_64_kib_trailer_field_is_refused_and_the_server_keeps_serving,
               test_trailers_count_against_the_header_limit,
               test_smuggling_shapes_are_refused_and_the_connection_closed,
               test_connection_caps_queue_and_refuse_without_stopping_the_server,
               test_at_the_file_limit_the_accept_loop_backs_off_and_recovers,
               test_head_answers_carry_no_body,
               test_event_frames_stay_valid_utf8_for_names_that_are_not,
               test_config_json_that_is_not_a_regular_file_is_refused,
               test_config_json_is_written_readable_by_its_owner_only])
