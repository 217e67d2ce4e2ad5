"""Movies the fake provider knows, written for the provider tests (TMDB and OMDB answer shapes).

Chosen to exercise matching: confusable short titles ("Max" 2015 vs "Mad Max: Fury Road" 2015 vs "Mad Max"
1979), a movie only found without the year (the file's year is off by one), one only found by its original
title, a remake pair for the no-year ambiguity, and a movie whose details are sparse and null.
"""


def _cast(*people):
    return [{"id": 1000 + i, "name": name, "character": role, "order": i} for i, (name, role) in enumerate(people)]


def _movie(tmdb_id, title, date, imdb_id, popularity, **extra):
    movie = {
        "id": tmdb_id,
        "title": title,
        "original_title": extra.pop("original_title", title),
        "release_date": date,
        "imdb_id": imdb_id,
        "overview": extra.pop("overview", f"The story of {title}."),
        "popularity": popularity,
        "vote_average": extra.pop("vote_average", 7.0),
        "vote_count": extra.pop("vote_count", 1000),
        "poster_path": extra.pop("poster_path", f"/poster-{tmdb_id}.jpg"),
        "backdrop_path": extra.pop("backdrop_path", f"/backdrop-{tmdb_id}.jpg"),
        "runtime": extra.pop("runtime", 100),
        "tagline": extra.pop("tagline", ""),
        "genres": extra.pop("genres", [{"id": 18, "name": "Drama"}]),
        "production_countries": extra.pop("production_countries", [{"iso_3166_1": "US", "name": "United States of America"}]),
        "belongs_to_collection": extra.pop("belongs_to_collection", None),
        "credits": extra.pop("credits", {"cast": _cast(("Some Actor", "Someone")), "crew": []}),
        "release_dates": extra.pop("release_dates", {"results": []}),
        "external_ids": {"imdb_id": imdb_id},
    }
    movie.update(extra)
    return movie


MATRIX_CAST = _cast(
    ("Keanu Reeves", "Thomas A. Anderson / Neo"), ("Laurence Fishburne", "Morpheus"),
    ("Carrie-Anne Moss", "Trinity"), ("Hugo Weaving", "Agent Smith"), ("Gloria Foster", "Oracle"),
    ("Joe Pantoliano", "Cypher"), ("Marcus Chong", "Tank"), ("Julian Arahanga", "Apoc"),
    ("Matt Doran", "Mouse"), ("Belinda McClory", "Switch"), ("Anthony Ray Parker", "Dozer"),
    ("Paul Goddard", "Agent Brown"), ("Robert Taylor", "Agent Jones"), ("David Aston", "Rhineheart"),
    ("Marc Aden Gray", "Choi"), ("Ada Nicodemou", "Dujour"), ("Deni Gordon", "Priestess"))

MOVIES = {
    603: _movie(
        603, "The Matrix", "1999-03-30", "tt0133093", 80.5,
        tagline="Welcome to the Real World.", runtime=136, vote_average=8.2, vote_count=24000,
        poster_path="/matrix-poster.jpg", backdrop_path="/matrix-backdrop.jpg",
        genres=[{"id": 28, "name": "Action"}, {"id": 878, "name": "Science Fiction"}],
        belongs_to_collection={"id": 2344, "name": "The Matrix Collection"},
        # Billing order deliberately shuffled: the client sorts by "order".
        credits={"cast": MATRIX_CAST[1:] + MATRIX_CAST[:1], "crew": [
            {"name": "Lana Wachowski", "job": "Director", "department": "Directing"},
            {"name": "Lilly Wachowski", "job": "Director", "department": "Directing"},
            {"name": "Lana Wachowski", "job": "Writer", "department": "Writing"},
            {"name": "Lilly Wachowski", "job": "Writer", "department": "Writing"},
            {"name": "Joel Silver", "job": "Producer", "department": "Production"},
        ]},
        release_dates={"results": [
            {"iso_3166_1": "DE", "release_dates": [{"certification": "16", "type": 3}]},
            {"iso_3166_1": "US", "release_dates": [{"certification": "", "type": 1},
                                                   {"certification": "R", "type": 3}]},
        ]}),
    76341: _movie(76341, "Mad Max: Fury Road", "2015-05-13", "tt1392190", 95.0, runtime=120,
                  genres=[{"id": 28, "name": "Action"}]),
    272878: _movie(272878, "Max", "2015-06-26", "tt3369806", 12.0, runtime=111,
                   genres=[{"id": 10751, "name": "Family"}]),
    9659: _movie(9659, "Mad Max", "1979-04-12", "tt0079501", 30.0, runtime=91),
    851: _movie(851, "Brief Encounter", "1945-11-24", "tt0037558", 9.0, runtime=86,
                production_countries=[{"iso_3166_1": "GB", "name": "United Kingdom"}],
                release_dates={"results": [{"iso_3166_1": "GB", "release_dates": [{"certification": "PG", "type": 3}]}]}),
    77338: _movie(77338, "The Intouchables", "2011-11-02", "tt1675434", 40.0, original_title="Intouchables",
                  production_countries=[{"iso_3166_1": "FR", "name": "France"}]),
    841: _movie(841, "Dune", "1984-12-14", "tt0087182", 20.0),
    438631: _movie(438631, "Dune", "2021-09-15", "tt1160419", 150.0),
    999001: {"id": 999001, "title": "Sparse Movie", "original_title": None, "release_date": None,
             "overview": None, "runtime": None, "genres": None, "vote_average": "high", "poster_path": None,
             "backdrop_path": None, "credits": {"cast": [None, {"name": None}, {"name": "Only Actor"}]},
             "release_dates": None, "imdb_id": None, "belongs_to_collection": None},
}

OMDB = {
    "tt0133093": {"Title": "The Matrix", "Year": "1999", "imdbRating": "8.7", "imdbVotes": "1,234,567",
                  "Metascore": "73", "Awards": "Won 4 Oscars. 42 wins & 51 nominations total",
                  "Response": "True"},
    "tt3369806": {"Title": "Max", "Year": "2015", "imdbRating": "6.8", "imdbVotes": "N/A",
                  "Metascore": "N/A", "Awards": "N/A", "Response": "True"},
}

IMAGE_POSTER_SIZES = ["w92", "w154", "w185", "w342", "w500", "w780", "original"]
IMAGE_BACKDROP_SIZES = ["w300", "w780", "w1280", "original"]


def search_result(movie):
    """A movie as /search/movie and /find list it."""
    return {key: movie.get(key) for key in
            ("id", "title", "original_title", "release_date", "overview", "popularity", "vote_count",
             "vote_average", "poster_path", "backdrop_path")}
