#!/usr/bin/env python3
"""The command line as a user meets it: the real binary started with real environment variables, flags and
media folders. Covers every environment variable README documents, `mediabase scan` (exit codes, the
line-per-update progress when stdout is not a terminal, the summary) and `mediabase parse` (JSON lines)."""

import json
import os
import re
import subprocess

from mediabase_harness import BIN, SOURCE_DIR, Server, TempDirs, check, run_tests

# A value each validated variable must refuse. A variable README documents must appear here or in
# ACCEPTED below, so a documented variable the binary ignores cannot go unnoticed.
REFUSED = {
    "MEDIABASE_LISTEN": "nowhere",
    "MEDIABASE_DATABASE": "mysql://nowhere/db",
    "MEDIABASE_LOG_LEVEL": "loud",
    "MEDIABASE_EXTENSIONS": ",",
    "MEDIABASE_WATCH": "maybe",
    "MEDIABASE_RESCAN_INTERVAL": "-1",
    "MEDIABASE_TMDB_BASE_URL": "ftp://example.invalid",
    "MEDIABASE_OMDB_BASE_URL": "not a url",
    "MEDIABASE_IMAGE_BASE_URL": "file:///etc",
    "MEDIABASE_POSTER_SIZE": "huge",
    "MEDIABASE_BACKDROP_SIZE": "x1280",
    "MEDIABASE_TMDB_RATE": "-3",
    "MEDIABASE_SCRAPER_CONCURRENCY": "65",
    "MEDIABASE_MAX_CONNECTIONS": "0",
    "MEDIABASE_BACKUP_INTERVAL": "-1",
    "MEDIABASE_SERVER_NAME": "two words",
    "MEDIABASE_ART_DIR": "relative/art",
    "MEDIABASE_BACKUP_KEEP": "0",
    "MEDIABASE_MAX_CONNECTIONS_PER_ADDRESS": "lots",
    "MEDIABASE_STATIC_DIR": "/nonexistent/mediabase-static",
    "MEDIABASE_AUTH": "open",
    "MEDIABASE_TRUSTED_NETWORKS": "the-lan",
    "MEDIABASE_TRUSTED_PROXIES": "10.0.0.0/99",
    "MEDIABASE_USER_HEADER": "Remote User",
    "MEDIABASE_PUBLIC_URL": "ftp://media.example.org",
}
# Variables without a wrong value (any text is a folder list, a data folder or a key): checked by their effect.
ACCEPTED = {"MEDIABASE_MEDIA", "MEDIABASE_DATA", "TMDB_API_KEY", "TMDB_READ_TOKEN", "OMDB_API_KEY"}


def clean_env(**extra):
    """The inherited environment without any Mediabase variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MEDIABASE_") and k not in ("TMDB_API_KEY", "TMDB_READ_TOKEN", "OMDB_API_KEY")}
    env.update(extra)
    return env


def run(args, env=None, timeout=120):
    return subprocess.run([BIN] + args, capture_output=True, text=True, env=env or clean_env(), timeout=timeout)


def documented_variables():
    """The environment column of README's configuration table."""
    with open(os.path.join(SOURCE_DIR, "README.md"), encoding="utf-8") as f:
        text = f.read()
    names = set()
    for line in text.splitlines():
        if line.startswith("| ") and line.count("|") >= 5:
            names.update(re.findall(r"`((?:MEDIABASE|TMDB|OMDB)_[A-Z_]+)`", line.split("|")[2]))
    return names


def test_every_documented_variable_is_known():
    documented = documented_variables()
    check(len(documented) >= 15, "README's table lists only %r" % sorted(documented))
    untested = documented - set(REFUSED) - ACCEPTED
    check(not untested, "documented variables this test does not exercise: %r" % sorted(untested))
    help_text = run(["--help"]).stdout
    missing = [name for name in documented if name not in help_text]
    check(not missing, "--help does not name %r" % missing)


def test_each_variable_with_a_bad_value_stops_scan_naming_it():
    tmp = TempDirs()
    try:
        media = tmp.path("media")
        for name, bad in sorted(REFUSED.items()):
            out = run(["scan", "--data", tmp.path("data-" + name), "--media", media], env=clean_env(**{name: bad}))
            lines = out.stderr.strip().splitlines()
            check(out.returncode == 2, "%s=%s: exit %d, stderr %r" % (name, bad, out.returncode, out.stderr))
            check(len(lines) == 1 and lines[0].startswith("mediabase: ") and name in lines[0],
                  "%s=%s: expected one line naming the variable, got %r" % (name, bad, out.stderr))
    finally:
        tmp.cleanup()


def test_accepted_variables_take_effect():
    tmp = TempDirs()
    try:
        media = tmp.path("media")
        os.makedirs(os.path.join(media, "Heat (1995)"))
        open(os.path.join(media, "Heat (1995)", "Heat.1995.1080p.mkv"), "wb").close()
        data = os.path.join(tmp.root, "env-data")
        # Media and data only from the environment: the scan must find the movie and store it under DATA.
        out = run(["scan"], env=clean_env(MEDIABASE_MEDIA=media, MEDIABASE_DATA=data))
        check(out.returncode == 0, "scan from the environment: exit %d, %r" % (out.returncode, out.stderr))
        check("finished: 1 found" in out.stdout, "unexpected summary %r" % out.stdout)
        check(os.path.exists(os.path.join(data, "mediabase.db")), "no database under MEDIABASE_DATA")
        # Valid values of the validated variables and the keys show in /api/v1/config of a running server.
        env = {"MEDIABASE_POSTER_SIZE": "w780", "MEDIABASE_BACKDROP_SIZE": "original", "MEDIABASE_WATCH": "false",
               "MEDIABASE_RESCAN_INTERVAL": "120", "MEDIABASE_TMDB_RATE": "7",
               "MEDIABASE_EXTENSIONS": "MKV,.avi", "TMDB_API_KEY": "envkey-1234",
               "TMDB_READ_TOKEN": "envtoken-5678", "OMDB_API_KEY": "omdbkey-9012",
               "MEDIABASE_TMDB_BASE_URL": "http://127.0.0.1:9/3", "MEDIABASE_SERVER_NAME": "env-box",
               "MEDIABASE_ART_DIR": os.path.join(tmp.root, "env-art")}
        for name in list(os.environ):
            if name.startswith("MEDIABASE_") or name in ("TMDB_API_KEY", "TMDB_READ_TOKEN", "OMDB_API_KEY"):
                env.setdefault(name, None)
        server = Server([], tmp.path("data"), env=env).start()
        try:
            status, config, _ = server.request("GET", "/api/v1/config")
            check(status == 200, "GET /config answered %s" % status)
            expected = {"poster_size": "w780", "backdrop_size": "original", "watch": False,
                        "rescan_interval_seconds": 120, "tmdb_requests_per_second": 7, "extensions": ["mkv", "avi"],
                        "tmdb_api_key": "••••1234", "tmdb_read_token": "••••5678", "omdb_api_key": "••••9012",
                        "tmdb_base_url": "http://127.0.0.1:9/3", "offline": False, "server_name": "env-box",
                        "art_dir": os.path.join(tmp.root, "env-art")}
            wrong = {k: config.get(k) for k, v in expected.items() if config.get(k) != v}
            check(not wrong, "settings from the environment not applied: %r" % wrong)
        finally:
            server.kill()
    finally:
        tmp.cleanup()


def test_an_art_folder_that_cannot_be_made_is_named_at_start():
    tmp = TempDirs()
    try:
        blocker = os.path.join(tmp.root, "not-a-folder")
        with open(blocker, "w") as f:
            f.write("a file where the art folder's parent should be")
        art = os.path.join(blocker, "art")
        server = Server([], tmp.path("data"), extra_args=["--art-dir", art]).start()
        try:
            server.wait_for_log("art folder %s cannot be used" % art)
            status, _, _ = server.request("GET", "/api/v1/healthz")
            check(status == 200, "the server should serve without its art folder: %s" % status)
        finally:
            server.kill()
    finally:
        tmp.cleanup()


def test_scan_exit_codes():
    tmp = TempDirs()
    try:
        out = run(["scan", "--data", tmp.path("data")])
        check(out.returncode == 2 and "no media folders" in out.stderr, "scan without media: %d %r"
              % (out.returncode, out.stderr))
        out = run(["frobnicate"])
        check(out.returncode == 2 and "unknown command 'frobnicate'" in out.stderr,
              "unknown command: %d %r" % (out.returncode, out.stderr))
        out = run(["scan", "--data", tmp.path("data"), "--media", tmp.path("m"), "--watch", "sometimes"])
        check(out.returncode == 2 and "--watch" in out.stderr, "bad flag: %d %r" % (out.returncode, out.stderr))
        out = run(["--version"])
        check(out.returncode == 0 and re.fullmatch(r"mediabase \d+\.\d+\.\d+\n", out.stdout),
              "--version printed %r" % out.stdout)
    finally:
        tmp.cleanup()


def test_scan_prints_lines_and_a_summary_when_not_a_terminal():
    tmp = TempDirs()
    try:
        media = tmp.path("media")
        names = ["Alien (1979)/Alien.1979.mkv", "Brazil (1985)/Brazil.1985.720p.mp4", "Heat.1995.avi",
                 "notes/readme.txt"]
        for name in names:
            os.makedirs(os.path.dirname(os.path.join(media, name)), exist_ok=True)
            open(os.path.join(media, name), "wb").close()
        data = tmp.path("data")
        out = run(["scan", "--data", data, "--media", media])
        check(out.returncode == 0, "scan: exit %d, %r" % (out.returncode, out.stderr))
        lines = out.stdout.splitlines()
        # stdout is a pipe here: plain lines, no carriage-return redraws, and the last one is the summary.
        check("\r" not in out.stdout, "terminal redraws written to a pipe: %r" % out.stdout)
        check(all(re.fullmatch(r"\w+: \d+ found, \d+ skipped, \d+ stored, \d+ failed", l) for l in lines),
              "unexpected progress lines %r" % lines)
        check(lines[-1] == "finished: 3 found, 0 skipped, 3 stored, 0 failed", "summary %r" % lines[-1])
        # A second scan of the same folder finds nothing new: every movie is skipped.
        out = run(["scan", "--data", data, "--media", media])
        check(out.returncode == 0, "rescan: exit %d" % out.returncode)
        check(out.stdout.splitlines()[-1] == "finished: 3 found, 3 skipped, 0 stored, 0 failed",
              "rescan summary %r" % out.stdout)
    finally:
        tmp.cleanup()


def test_scan_names_a_missing_media_folder_and_fails():
    tmp = TempDirs()
    try:
        media = tmp.path("media")
        os.makedirs(os.path.join(media, "Alien (1979)"))
        open(os.path.join(media, "Alien (1979)", "Alien.1979.mkv"), "wb").close()
        unmounted = os.path.join(tmp.root, "unmounted")  # never created: a drive not mounted
        out = run(["scan", "--data", tmp.path("data"), "--media", media, "--media", unmounted])
        check(out.returncode == 1, "scan with a missing folder: exit %d, %r" % (out.returncode, out.stderr))
        warnings = [l for l in out.stderr.splitlines() if l.startswith("mediabase: scan: warning: ")]
        check(any(unmounted in l and "mount the drive" in l for l in warnings),
              "no warning naming the missing folder and what to do: %r" % out.stderr)
        check(out.stdout.splitlines()[-1].startswith("finished: 1 found"), "summary %r" % out.stdout)
    finally:
        tmp.cleanup()


def test_parse_prints_one_json_object_per_name():
    out = run(["parse", "The.Matrix.1999.1080p.BluRay.x264-GROUP.mkv", "Heat (1995) [tmdbid-949].mp4",
               "Alien.1979.Directors.Cut.720p.mkv"])
    check(out.returncode == 0, "parse: exit %d, %r" % (out.returncode, out.stderr))
    lines = out.stdout.splitlines()
    check(len(lines) == 3, "expected 3 lines, got %r" % lines)
    objects = [json.loads(line) for line in lines]
    fields = {"title", "year", "resolution", "source", "video_codec", "audio_codec", "edition", "three_d", "part",
              "imdb_id", "tmdb_id", "release_group", "container", "alternative_title"}
    for o in objects:
        check(set(o) == fields, "fields %r" % sorted(o))
    matrix, heat, alien = objects
    check((matrix["title"], matrix["year"], matrix["resolution"], matrix["video_codec"], matrix["release_group"],
           matrix["container"]) == ("The Matrix", 1999, "1080p", "x264", "GROUP", "mkv"), "matrix: %r" % matrix)
    check((heat["title"], heat["year"], heat["tmdb_id"]) == ("Heat", 1995, 949), "heat: %r" % heat)
    check((alien["title"], alien["year"], alien["resolution"]) == ("Alien", 1979, "720p"), "alien: %r" % alien)
    check(alien["edition"] is not None, "alien edition missing: %r" % alien)
    out = run(["parse"])
    check(out.returncode == 2 and "parse: give at least one NAME" in out.stderr, "parse without names: %r"
          % out.stderr)


if __name__ == "__main__":
    run_tests([test_every_documented_variable_is_known, test_each_variable_with_a_bad_value_stops_scan_naming_it,
               test_accepted_variables_take_effect, test_an_art_folder_that_cannot_be_made_is_named_at_start,
               test_scan_exit_codes, test_scan_names_a_missing_media_folder_and_fails,
               test_scan_prints_lines_and_a_summary_when_not_a_terminal, test_parse_prints_one_json_object_per_name])
