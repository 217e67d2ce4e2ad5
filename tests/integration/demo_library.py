#!/usr/bin/env python3
"""The first hour of a new user: `tools/bootstrap.sh demo` prints a few short lines, serves, and starts the
first import by itself; offline, the demo library (gen_library.py --demo) looks like a real library: every
movie has its title as the NFO says (not "2001 - A Space Odyssey"), genres, a plot, people, ratings, a poster
and a fanart; a film known by a translated title is found by it; a few files are real videos."""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import (BIN, SOURCE_DIR, Server, TempDirs, check, import_and_wait, require,  # noqa: E402
                               run_tests)

OFFLINE = {"TMDB_API_KEY": None, "TMDB_READ_TOKEN": None, "OMDB_API_KEY": None}


def generate_demo(directory, count, real_videos=0):
    out = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "tools", "gen_library.py"), directory, "--demo",
                          "--count", str(count), "--real-videos", str(real_videos)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def nfo_titles(library):
    """Title -> original title (or None) of every NFO the generator wrote."""
    titles = {}
    for path in glob.glob(os.path.join(library, "**", "*.nfo"), recursive=True):
        root = ElementTree.parse(path).getroot()
        titles[root.findtext("title")] = root.findtext("originaltitle")
    return titles


def all_movies(server):
    status, page, _ = server.request("GET", "/api/v1/movies?limit=1000&sort=title")
    check(status == 200, "GET /movies: %s" % status)
    return page["movies"]


def test_the_offline_demo_library_looks_like_a_real_one():
    dirs = TempDirs()
    try:
        library, data = os.path.join(dirs.root, "demo"), dirs.path("data")
        summary = generate_demo(library, 60)
        server = Server([library], data, ["--watch", "false"], env=OFFLINE).start()
        try:
            events = server.events()
            events.next()
            _, job, _ = import_and_wait(server, events)
            check(job["error"] is None, "import error %r" % job["error"])
            movies = all_movies(server)
            check(len(movies) == summary["movies_expected"], "%d movies, the generator made %d"
                  % (len(movies), summary["movies_expected"]))
            expected = nfo_titles(library)
            titles = {m["title"] for m in movies}
            check(titles == set(expected), "titles differ from the NFOs: shown %r, NFO %r"
                  % (sorted(titles - set(expected)), sorted(set(expected) - titles)))
            for title in ("2001: A Space Odyssey", "3:10 to Yuma", "Spirited Away"):
                check(title in titles, "%r is not in the demo as itself: %r" % (title, sorted(titles)))
            for listed in movies:
                status, movie, _ = server.request("GET", "/api/v1/movies/%d" % listed["id"])
                check(status == 200, "GET movie %d: %s" % (listed["id"], status))
                lacking = [field for field in ("genres", "overview", "directors", "cast", "runtime", "poster",
                                               "backdrop", "vote_average", "imdb_rating") if not movie.get(field)]
                check(not lacking, "%s lacks %r" % (movie["title"], lacking))
                check(movie["poster"].startswith("/img/") and movie["poster"] != movie["backdrop"],
                      "%s: poster %r backdrop %r" % (movie["title"], movie["poster"], movie["backdrop"]))
            # Found by its translated title, shown with its original one.
            status, page, _ = server.request("GET", "/api/v1/movies?q=spirited")
            check(status == 200 and [m["title"] for m in page["movies"]] == ["Spirited Away"],
                  "q=spirited: %r" % page)
            check(page["movies"][0]["original_title"] == "千と千尋の神隠し", "original title %r" % page["movies"][0])
            status, genres, _ = server.request("GET", "/api/v1/genres")
            check(status == 200 and len(genres["genres"]) >= 5, "genres %r" % genres)
            status, stats, _ = server.request("GET", "/api/v1/stats")
            check(stats["by_genre"], "the stats' genre panel is empty")
            events.close()
        finally:
            server.kill()
    finally:
        dirs.cleanup()


def test_a_few_demo_files_are_real_videos():
    require(shutil.which("ffmpeg") and shutil.which("ffprobe"), "ffmpeg is not installed (apt-get install ffmpeg)")
    dirs = TempDirs()
    try:
        library = os.path.join(dirs.root, "demo")
        summary = generate_demo(library, 20, real_videos=2)
        check(summary["real_videos"] == 2, "real videos: %r" % summary)
        probed = []
        for path in glob.glob(os.path.join(library, "**", "*.*"), recursive=True):
            if path.rsplit(".", 1)[-1] in ("mkv", "mp4", "m4v", "avi") and os.path.getsize(path) > 4096:
                out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "json",
                                      path], capture_output=True, text=True)
                if out.returncode == 0:
                    probed.append({s["codec_type"] for s in json.loads(out.stdout)["streams"]})
        check(len(probed) == 2 and all("video" in kinds for kinds in probed), "ffprobe saw %r" % probed)
    finally:
        dirs.cleanup()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bootstrap_demo_prints_short_steps_serves_and_imports_by_itself():
    build_dir = os.path.dirname(os.path.abspath(BIN))
    require(os.path.exists(os.path.join(build_dir, "build.ninja")), "the binary is not in a meson build folder")
    # The script installs what is missing; a test must not: its packages have to be there already.
    require(shutil.which("ffmpeg"), "ffmpeg is not installed (bootstrap.sh demo would install it)")
    dirs = TempDirs()
    try:
        library, data = os.path.join(dirs.root, "demo"), os.path.join(dirs.root, "data")
        generate_demo(library, 30)
        port = free_port()
        env = dict(os.environ, MEDIABASE_BUILD_DIR=build_dir, MEDIABASE_DEMO_DIR=library, MEDIABASE_DATA=data,
                   MEDIABASE_LISTEN="127.0.0.1:%d" % port)
        for name in ("MEDIABASE_PORT", "TMDB_API_KEY", "TMDB_READ_TOKEN", "OMDB_API_KEY"):
            env.pop(name, None)
        script = os.path.join(SOURCE_DIR, "tools", "bootstrap.sh")

        refused = subprocess.run([script, "demo"], env=dict(env, MEDIABASE_PORT="8080"), capture_output=True,
                                 text=True, timeout=60)
        check(refused.returncode == 2 and "MEDIABASE_LISTEN=127.0.0.1:8080" in refused.stderr,
              "MEDIABASE_PORT: exit %d %r" % (refused.returncode, refused.stderr))

        proc = subprocess.Popen([script, "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                errors="replace")
        try:
            lines = []
            while True:
                line = proc.stderr.readline()
                check(line, "bootstrap ended before serving: %r (exit %r)" % (lines, proc.poll()))
                lines.append(line.rstrip("\n"))
                if line.startswith("[5/5]"):
                    lines.append(proc.stderr.readline().rstrip("\n"))
                    break
            check(len(lines) <= 7, "more than one short line per step: %r" % lines)
            check(all(len(line) <= 160 for line in lines), "a long line: %r" % lines)
            check(not any("ninja" in line and "Entering" in line for line in lines), "build output: %r" % lines)
            check(os.path.exists(os.path.join(data, "bootstrap.log")), "no log file in the data folder")
            check(proc.stdout.readline().startswith("listening on http://127.0.0.1:%d" % port), "not listening")

            server = Server([library], data)
            server.port = port
            events = server.events()
            # The first import starts by itself: no POST /import from here.
            finished = events.until(lambda e: e["type"] in ("import.finished", "import.status") and
                                    e["job"].get("finished_at") and e["job"]["id"] >= 1, within=240)
            check(finished["job"]["counts"]["stored"] > 0, "the first import stored nothing: %r" % finished)
            events.close()
            status, imports, _ = server.request("GET", "/api/v1/imports")
            check(status == 200 and len(imports["imports"]) == 1, "imports %r" % imports)
            check(len(all_movies(server)) > 0, "the library is empty")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise
            check(code == 0, "the demo server exited %d on SIGTERM" % code)
    finally:
        dirs.cleanup()


if __name__ == "__main__":
    run_tests([test_the_offline_demo_library_looks_like_a_real_one, test_a_few_demo_files_are_real_videos,
               test_bootstrap_demo_prints_short_steps_serves_and_imports_by_itself])
