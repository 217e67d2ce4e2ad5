#!/usr/bin/env python3
"""Media information read from the files themselves (the Prober, libavformat): a real tiny video made by
ffmpeg shows its container, codec, picture size and duration in GET /movies/ID; a garbage .mkv is marked
unreadable with a reason and the server stays up; a changed file is read again. Without ffmpeg the tests
are skipped (exit 77), unless CI=true."""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import Server, TempDirs, check, import_and_wait, require, run_tests  # noqa: E402

OFFLINE = {"TMDB_API_KEY": None, "TMDB_READ_TOKEN": None, "OMDB_API_KEY": None}


def tiny_video(path, width, height, seconds):
    """A real video: a test pattern and a tone, H.264 and AAC, in the container the extension names."""
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=%dx%d:rate=24:duration=%d" % (width, height, seconds),
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=%d" % seconds,
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-metadata:s:a:0", "language=eng", path], check=True, capture_output=True)


def movie_by_title(server, title):
    status, page, _ = server.request("GET", "/api/v1/movies?limit=100")
    check(status == 200, "GET /movies: %s" % status)
    found = [m for m in page["movies"] if m["title"] == title]
    check(len(found) == 1, "%r not listed once: %r" % (title, [m["title"] for m in page["movies"]]))
    status, movie, _ = server.request("GET", "/api/v1/movies/%d" % found[0]["id"])
    check(status == 200, "GET /movies/%d: %s" % (found[0]["id"], status))
    return movie


def test_real_and_garbage_files_are_read_in_the_background():
    require(shutil.which("ffmpeg"), "ffmpeg is not installed (apt-get install ffmpeg)")
    dirs = TempDirs()
    try:
        media, data = dirs.path("media"), dirs.path("data")
        os.makedirs(os.path.join(media, "Tiny Harbour (2021)"))
        video = os.path.join(media, "Tiny Harbour (2021)", "Tiny Harbour (2021).mkv")
        tiny_video(video, 320, 180, 3)
        os.makedirs(os.path.join(media, "Broken Reel (1999)"))
        garbage = os.path.join(media, "Broken Reel (1999)", "Broken Reel (1999) 1080p x264.mkv")
        with open(garbage, "wb") as out:
            out.write(bytes((i * 7919) & 0xFF for i in range(64 * 1024)))
        server = Server([media], data, ["--watch", "false"], env=OFFLINE).start()
        try:
            events = server.events()
            events.next()
            _, job, _ = import_and_wait(server, events)
            check(job["error"] is None, "import error %r" % job["error"])
            # The Prober logs a line each time it has read every file there was to read.
            server.wait_for_log("prober: read 2 file(s), 1 unreadable")

            real = movie_by_title(server, "Tiny Harbour")["files"][0]
            media_info = real.get("media")
            check(media_info is not None and media_info["state"] == "ok", "media of the real video: %r" % real)
            check(media_info["container"] == "matroska", "container %r" % media_info)
            check(media_info["video"] == {"codec": "h264", "width": 320, "height": 180, "hdr": None},
                  "video %r" % media_info["video"])
            check(2900 <= media_info["duration_ms"] <= 3200, "duration %r" % media_info["duration_ms"])
            check([(a["codec"], a["channels"], a["language"]) for a in media_info["audio"]] == [("aac", 1, "eng")],
                  "audio %r" % media_info["audio"])

            broken = movie_by_title(server, "Broken Reel")["files"][0]
            check(broken.get("media") and broken["media"]["state"] == "unreadable" and broken["media"]["error"],
                  "media of the garbage file: %r" % broken)
            # Lists leave it out (what the Prober stores later does not change them).
            status, page, _ = server.request("GET", "/api/v1/movies?limit=100")
            check(all("media" not in f for m in page["movies"] for f in m["files"]), "a list shows media")
            # The name's codecs stay, as the fallback.
            check(broken["video_codec"] == "x264" and broken["resolution"] == "1080p", "name fields %r" % broken)
            status, health, _ = server.request("GET", "/api/v1/healthz")
            check(status == 200 and health["status"] == "ok", "healthz %s %r" % (status, health))
            check(server.proc.poll() is None, "the server exited")

            # A changed file is read again: another picture size, then another import.
            tiny_video(video, 480, 270, 2)
            _, job, _ = import_and_wait(server, events)
            check(job["counts"]["updated"] == 1, "second import counts %r" % job["counts"])
            server.wait_for_log("prober: read 1 file(s), 0 unreadable")
            again = movie_by_title(server, "Tiny Harbour")["files"][0]["media"]
            check(again["video"]["width"] == 480 and 1900 <= again["duration_ms"] <= 2200, "re-read %r" % again)
            events.close()
        finally:
            code, _ = server.terminate()
            check(code == 0, "exit code %r on SIGTERM" % code)
    finally:
        dirs.cleanup()


if __name__ == "__main__":
    run_tests([test_real_and_garbage_files_are_read_in_the_background])
