"""Per-person state (issue 12, part 2; README Security, "Per-person state"): watched, rating and "on my list"
belong to the person asking. The marks kept before accounts go to the first admin; two people marking
different movies each see only their own in the list, one movie, the watched filter and the rating sort; a
request with no account (a trusted address) keeps the shared marks; event frames carry no one's marks."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from mediabase_harness import EventStream, Server, TempDirs, check, import_and_wait, run_tests  # noqa: E402
from access_control import ADMIN_PASSWORD, VIEWER_PASSWORD, add_user, call, login, open_events  # noqa: E402

FILMS = [("Alien", 1979), ("Heat", 1995), ("Se7en", 1995), ("Brazil", 1985)]


def write_library(media):
    for title, year in FILMS:
        folder = os.path.join(media, "%s (%d)" % (title, year))
        os.makedirs(folder, exist_ok=True)
        open(os.path.join(folder, "%s.%d.1080p.mkv" % (title, year)), "wb").close()


def movies(port, headers, query=""):
    status, page, _ = call(port, "GET", "/api/v1/movies?limit=100" + ("&" + query if query else ""), None, headers)
    check(status == 200, "GET /movies?%s: %s %r" % (query, status, page))
    check(page["total"] == len(page["movies"]), "total %d for %d movies" % (page["total"], len(page["movies"])))
    return page["movies"]


def marks(port, headers, query=""):
    """{title: (watched, rating, on_list)} of the list as these credentials see it."""
    return {m["title"]: (m["watched"], m["rating"], m["on_list"]) for m in movies(port, headers, query)}


def titles(port, headers, query):
    return [m["title"] for m in movies(port, headers, query)]


def patch(port, headers, movie_id, body, expect=200):
    status, answer, _ = call(port, "PATCH", "/api/v1/movies/%d" % movie_id, body, headers)
    check(status == expect, "PATCH /movies/%d %r: %s %r" % (movie_id, body, status, answer))
    return answer


def test_two_people_each_see_their_own_marks():
    tmp = TempDirs()
    media, data = tmp.path("media"), tmp.path("data")
    write_library(media)
    server = None
    try:
        # Before accounts: a trusted address marks Alien in the shared columns.
        server = Server([media], data, ["--watch", "false", "--backup-interval", "0"]).start()
        events = EventStream(server.port)
        import_and_wait(server, events)
        events.close()
        ids = {m["title"]: m["id"] for m in movies(server.port, {})}
        check(sorted(ids) == sorted(t for t, _ in FILMS), "imported %r" % sorted(ids))
        patch(server.port, {}, ids["Alien"], {"watched": True, "rating": 7})
        server.kill()

        # The first admin inherits those marks; a viewer starts with none.
        add_user(data, "ann", ADMIN_PASSWORD, admin=True)
        add_user(data, "bob", VIEWER_PASSWORD)
        server = Server([media], data, ["--auth", "required", "--watch", "false", "--backup-interval", "0"]).start()
        port = server.port
        origin = "http://127.0.0.1:%d" % port
        bob = {"Cookie": login(port, "bob", VIEWER_PASSWORD), "Origin": origin, "X-Mediabase-CSRF": "1"}
        ann_cookie = {"Cookie": login(port, "ann", ADMIN_PASSWORD), "Origin": origin, "X-Mediabase-CSRF": "1"}
        status, key, _ = call(port, "POST", "/api/v1/keys", {"name": "ann's script", "scope": "admin"}, ann_cookie)
        check(status == 201, "POST /keys: %s %r" % (status, key))
        ann = {"X-Api-Key": key["key"]}  # the second person asks with an API key
        check(marks(port, ann)["Alien"] == (True, 7, False), "ann did not inherit Alien: %r" % marks(port, ann))
        check(marks(port, bob)["Alien"] == (False, None, False), "bob sees ann's marks: %r" % marks(port, bob))

        # Each marks other movies; bob's stream hears of ann's change but not her marks.
        stream = open_events(port, {"Cookie": bob["Cookie"], "Origin": origin})
        check(json.loads(stream.recv())["type"] == "import.status", "bob's stream did not start")
        answer = patch(port, ann, ids["Heat"], {"watched": True, "rating": 9})
        check((answer["watched"], answer["rating"]) == (True, 9), "PATCH answered %r" % answer)
        frame = json.loads(stream.recv())
        while frame["type"] != "movies.changed":
            frame = json.loads(stream.recv())
        check(ids["Heat"] in frame["updated"], "the change was not announced: %r" % frame)
        for record in frame.get("movies", []):
            for field in ("watched", "rating", "on_list"):
                check(field not in record, "an event frame carries %s: %r" % (field, record))
        stream.close()
        patch(port, bob, ids["Se7en"], {"watched": True, "rating": 4})
        patch(port, bob, ids["Alien"], {"rating": 10})
        answer = patch(port, bob, ids["Brazil"], {"on_list": True})
        check(answer["on_list"] and not answer["watched"], "PATCH on_list answered %r" % answer)

        # list
        check(marks(port, ann) == {"Alien": (True, 7, False), "Heat": (True, 9, False), "Se7en": (False, None, False),
                                   "Brazil": (False, None, False)}, "ann's list: %r" % marks(port, ann))
        check(marks(port, bob) == {"Alien": (False, 10, False), "Heat": (False, None, False),
                                   "Se7en": (True, 4, False), "Brazil": (False, None, True)},
              "bob's list: %r" % marks(port, bob))
        # get
        for who, title, expected in ((ann, "Heat", (True, 9)), (bob, "Heat", (False, None)),
                                     (ann, "Se7en", (False, None)), (bob, "Se7en", (True, 4))):
            status, m, _ = call(port, "GET", "/api/v1/movies/%d" % ids[title], None, who)
            check(status == 200 and (m["watched"], m["rating"]) == expected, "GET %s: %s %r" % (title, status, m))
        # filters
        check(sorted(titles(port, ann, "watched=true")) == ["Alien", "Heat"], "ann's watched=true")
        check(titles(port, bob, "watched=true") == ["Se7en"], "bob's watched=true")
        check(sorted(titles(port, bob, "watched=false")) == ["Alien", "Brazil", "Heat"], "bob's watched=false")
        check(titles(port, bob, "on_list=true") == ["Brazil"], "bob's on_list=true")
        check(titles(port, ann, "on_list=true") == [], "ann's on_list=true")
        # stats: the watched count is the person's
        for who, count in ((ann, 2), (bob, 1)):
            status, stats, _ = call(port, "GET", "/api/v1/stats", None, who)
            check(status == 200 and stats["watched"] == count, "stats: %s %r" % (status, stats.get("watched")))
        # sort: the person's own rating first, unrated after
        check(titles(port, ann, "sort=rating&order=desc")[:2] == ["Heat", "Alien"], "ann's rating sort")
        check(titles(port, bob, "sort=rating&order=desc")[:2] == ["Alien", "Se7en"], "bob's rating sort")
        server.kill()

        # A request with no account (a trusted address) keeps the shared marks, which no one's change touched.
        server = Server([media], data, ["--auth", "trusted-networks", "--watch", "false",
                                        "--backup-interval", "0"]).start()
        shared = marks(server.port, {})
        check(shared == {"Alien": (True, 7, False), "Heat": (False, None, False), "Se7en": (False, None, False),
                         "Brazil": (False, None, False)}, "the shared marks: %r" % shared)
        check(marks(server.port, ann)["Heat"] == (True, 9, False), "ann's key on a trusted address: her marks")
        answer = patch(server.port, {}, ids["Brazil"], {"on_list": True}, expect=403)
        check(answer["error"]["code"] == "needs_account", "on_list without an account: %r" % answer)
        status, answer, _ = call(server.port, "GET", "/api/v1/movies?on_list=true", None, {})
        check(status == 403, "on_list filter without an account: %s %r" % (status, answer))
    finally:
        if server:
            server.kill()
        tmp.cleanup()


if __name__ == "__main__":
    run_tests([test_two_people_each_see_their_own_marks])
