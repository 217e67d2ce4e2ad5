#!/usr/bin/python3
"""The fake TMDB/OMDB server of tests/fake_provider with COUNT extra synthetic movies, for
bench/provider_bench.sh. Also writes the library: one `Title (Year)/Title (Year).mkv` per synthetic movie.

    bench/provider_bench_fake.py --movies 1000 --library DIR [fake_provider.py flags...]

Titles are three words from small word lists, so each one is found by exactly one search; every movie has
an IMDb id with OMDB ratings, a poster and a backdrop: identifying one costs a search, its details, its
ratings and two images, as with the real services.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fake_provider"))
sys.dont_write_bytecode = True
import fake_provider  # noqa: E402
import fixtures  # noqa: E402

FIRST = ["Amber", "Silver", "Crimson", "Hollow", "Quiet", "Northern", "Velvet", "Iron", "Paper", "Glass"]
SECOND = ["Harbor", "Falcon", "Garden", "River", "Lantern", "Orchard", "Meadow", "Signal", "Voyage", "Compass"]
THIRD = ["Dawn", "Winter", "Echo", "Summit", "Tide", "Ember", "Thistle", "Canyon", "Willow", "Beacon"]
FIRST_ID = 5_000_000


def synthetic(index):
    title = "%s %s %s" % (FIRST[index % 10], SECOND[(index // 10) % 10], THIRD[(index // 100) % 10])
    if index >= 1000:
        title += " %d" % (index // 1000 + 1)
    year = 1950 + (index * 7) % 70
    return title, year


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--movies", type=int, required=True)
    parser.add_argument("--library")
    args, rest = parser.parse_known_args()
    for i in range(args.movies):
        title, year = synthetic(i)
        tmdb_id, imdb_id = FIRST_ID + i, "tt%07d" % (9_000_000 + i)
        fixtures.MOVIES[tmdb_id] = fixtures._movie(tmdb_id, title, "%d-06-01" % year, imdb_id, 10.0)
        fixtures.OMDB[imdb_id] = {"Title": title, "Year": str(year), "imdbRating": "7.1", "imdbVotes": "12,345",
                                  "Metascore": "61", "Awards": "N/A", "Response": "True"}
        if args.library:
            folder = os.path.join(args.library, "%s (%d)" % (title, year))
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "%s (%d).mkv" % (title, year)), "wb") as f:
                f.write(b"\0" * 4096)
    sys.argv = [sys.argv[0]] + rest
    fake_provider.main()


if __name__ == "__main__":
    main()
