#!/usr/bin/env python3
"""Writes N realistic movie paths (relative to a media root), one per line, for the parser speed bench.

The paths mix the layouts seen in real libraries: curated "Title (Year)/Title (Year).ext" folders, scene
release names (dotted, with quality, codecs and a group), Radarr and Plex naming, YTS-style brackets,
disc structures, multi-part files, ids in names, collections and lower-case underscored names.
Deterministic: the same seed gives the same file.

    python3 bench/gen_names.py 100000 > names.txt
"""
import random
import sys

TITLES = [
    ("The Matrix", 1999), ("Inception", 2010), ("Heat", 1995), ("Alien", 1979), ("Aliens", 1986),
    ("The Godfather", 1972), ("The Godfather Part II", 1974), ("Pulp Fiction", 1994), ("Parasite", 2019),
    ("Arrival", 2016), ("Gravity", 2013), ("Jaws", 1975), ("Her", 2013), ("Up", 2009), ("Max", 2015),
    ("Mad Max Fury Road", 2015), ("Mission Impossible - Fallout", 2018), ("The Dark Knight", 2008),
    ("Dune", 2021), ("Dune Part Two", 2024), ("Interstellar", 2014), ("No Country for Old Men", 2007),
    ("Fight Club", 1999), ("Whiplash", 2014), ("Spirited Away", 2001), ("Toy Story", 1995),
    ("Toy Story 3", 2010), ("Goodfellas", 1990), ("Casablanca", 1942), ("Vertigo", 1958),
    ("The Prestige", 2006), ("Memento", 2000), ("Se7en", 1995), ("Zodiac", 2007), ("The Departed", 2006),
    ("Gladiator", 2000), ("Amadeus", 1984), ("Rear Window", 1954), ("Psycho", 1960), ("Metropolis", 1927),
    ("Blade Runner", 1982), ("Blade Runner 2049", 2017), ("2001 A Space Odyssey", 1968), ("1917", 2019),
    ("2012", 2009), ("Wonder Woman 1984", 2020), ("Rocky II", 1979), ("Ocean's Eleven", 2001),
    ("21 Jump Street", 2012), ("300", 2006), ("S.W.A.T.", 2003), ("E.T. the Extra-Terrestrial", 1982),
    ("The Man from U.N.C.L.E.", 2015), ("Amélie", 2001), ("Léon", 1994), ("千と千尋の神隠し", 2001),
    ("Spider-Man No Way Home", 2021), ("X-Men Days of Future Past", 2014), ("Kill Bill Vol. 1", 2003),
    ("Harry Potter and the Deathly Hallows Part 1", 2010), ("The Lord of the Rings The Two Towers", 2002),
    ("Star Wars", 1977), ("The Empire Strikes Back", 1980), ("Return of the Jedi", 1983),
    ("Raiders of the Lost Ark", 1981), ("Back to the Future", 1985), ("Back to the Future Part II", 1989),
    ("Terminator 2 Judgment Day", 1991), ("The Silence of the Lambs", 1991), ("Schindler's List", 1993),
    ("The Shawshank Redemption", 1994), ("Forrest Gump", 1994), ("The Lion King", 1994), ("Heat", 1995),
    ("Toy Story 2", 1999), ("American Beauty", 1999), ("The Sixth Sense", 1999), ("Memento", 2000),
    ("Crouching Tiger, Hidden Dragon", 2000), ("A Beautiful Mind", 2001), ("Oldboy", 2003),
    ("Eternal Sunshine of the Spotless Mind", 2004), ("Batman Begins", 2005), ("The Prestige", 2006),
    ("Children of Men", 2006), ("There Will Be Blood", 2007), ("WALL-E", 2008), ("District 9", 2009),
    ("Inglourious Basterds", 2009), ("The Social Network", 2010), ("Drive", 2011), ("Looper", 2012),
    ("Skyfall", 2012), ("Gravity", 2013), ("Nightcrawler", 2014), ("Ex Machina", 2014),
    ("The Revenant", 2015), ("Moonlight", 2016), ("La La Land", 2016), ("Get Out", 2017),
    ("Roma", 2018), ("Joker", 2019), ("Knives Out", 2019), ("Tenet", 2020), ("Soul", 2020),
    ("Nomadland", 2020), ("The Batman", 2022), ("Top Gun Maverick", 2022), ("Nope", 2022),
    ("Everything Everywhere All at Once", 2022), ("Oppenheimer", 2023), ("Barbie", 2023),
    ("Past Lives", 2023), ("Poor Things", 2023), ("Killers of the Flower Moon", 2023),
    ("Civil War", 2024), ("Furiosa A Mad Max Saga", 2024), ("Alien Romulus", 2024), ("Anora", 2024),
    ("The Good, the Bad and the Ugly", 1966), ("Lawrence of Arabia", 1962), ("Seven Samurai", 1954),
    ("Dr. Strangelove", 1964), ("L.A. Confidential", 1997), ("Monsters, Inc.", 2001),
    ("Pan's Labyrinth", 2006), ("Y Tu Mamá También", 2001), ("Les Misérables", 2012),
    ("The Hateful Eight", 2015), ("12 Years a Slave", 2013), ("Apollo 13", 1995), ("Iron Man 3", 2013),
    ("Avengers Endgame", 2019), ("Rogue One A Star Wars Story", 2016), ("Ghost in the Shell", 1995),
    ("Akira", 1988), ("Princess Mononoke", 1997), ("Howl's Moving Castle", 2004), ("The Thing", 1982),
    ("Predator", 1987), ("RoboCop", 1987), ("Total Recall", 1990), ("Die Hard", 1988),
]

RESOLUTIONS = ["2160p", "1080p", "1080p", "1080p", "720p", "720p", "576p", "480p"]
SOURCES = ["BluRay", "BluRay", "BDRip", "BRRip", "WEB-DL", "WEB-DL", "WEBRip", "WEB", "HDTV", "DVDRip",
           "HDRip", "UHD.BluRay", "BluRay.REMUX"]
VIDEO = ["x264", "x264", "x265", "H.264", "H264", "HEVC", "AVC", "XviD", "10bit.x265", "H.265"]
AUDIO = ["DTS", "DTS-HD.MA.5.1", "DTS-HD.MA.7.1", "TrueHD.7.1.Atmos", "AC3", "DD5.1", "DDP5.1",
         "DDP5.1.Atmos", "AAC", "AAC2.0", "AAC5.1", "FLAC.2.0", "EAC3", ""]
EXTRAS = ["", "", "", "", "PROPER", "REPACK", "EXTENDED", "REMASTERED", "IMAX", "Directors.Cut",
          "UNRATED", "LIMITED", "iNTERNAL", "HDR", "HDR.DV", "AMZN", "NF", "DSNP", "3D.HSBS"]
GROUPS = ["SPARKS", "GECKOS", "FGT", "RARBG", "EVO", "NTb", "FLUX", "CMRG", "DON", "EPSiLON", "SWTYBLZ",
          "TERMiNAL", "AMIABLE", "DRONES", "LAMA", "PSA", "Tigole", "QxR", "YIFY", "ETRG", "W4F"]
EXTS = ["mkv", "mkv", "mkv", "mp4", "avi", "m4v"]
RADARR = ["Bluray-1080p", "Bluray-2160p", "WEBDL-1080p", "WEBRip-720p", "Remux-2160p", "HDTV-720p", "DVD"]


def dotted(title):
    keep = []
    for ch in title:
        if ch in ":,!?":
            continue
        keep.append("." if ch == " " else ch)
    name = "".join(keep)
    while ".." in name:
        name = name.replace("..", ".")
    return name.strip(".")


def scene(rng, title, year):
    parts = [dotted(title), str(year)]
    extra = rng.choice(EXTRAS)
    if extra:
        parts.append(extra)
    parts += [rng.choice(RESOLUTIONS), rng.choice(SOURCES)]
    audio = rng.choice(AUDIO)
    if rng.random() < 0.5:
        parts += [rng.choice(VIDEO)] + ([audio] if audio else [])
    else:
        parts += ([audio] if audio else []) + [rng.choice(VIDEO)]
    name = ".".join(parts) + "-" + rng.choice(GROUPS)
    return name.lower() if rng.random() < 0.1 else name


def make(rng):
    title, year = rng.choice(TITLES)
    ext = rng.choice(EXTS)
    layout = rng.random()
    curated = f"{title} ({year})"
    if layout < 0.22:
        return f"{curated}/{curated}.{ext}"
    if layout < 0.42:
        return f"{curated}/{scene(rng, title, year)}.{ext}"
    if layout < 0.60:
        return f"{scene(rng, title, year)}.{ext}"
    if layout < 0.66:
        res = rng.choice(RESOLUTIONS)
        return f"{curated} [{res}] [{rng.choice(['BluRay', 'WEBRip'])}] [5.1] [YTS.MX]/" \
               f"{dotted(title)}.{year}.{res}.BluRay.x264.AAC5.1-[YTS.MX].mp4"
    if layout < 0.74:
        return f"{curated}/{curated} {rng.choice(RADARR)}.{ext}"
    if layout < 0.78:
        return f"Collections/{title.split(' ')[0]} Collection/{curated}/movie.{ext}"
    if layout < 0.81:
        return rng.choice([f"{curated}/BDMV/index.bdmv", f"{curated}/VIDEO_TS/VIDEO_TS.IFO",
                           f"{curated}/BDMV/STREAM/00800.m2ts"])
    if layout < 0.86:
        tmdb = rng.randint(10, 999999)
        tag = rng.choice([f"[tmdbid-{tmdb}]", f"{{tmdb-{tmdb}}}", f"[imdbid-tt{rng.randint(100000, 9999999):07d}]"])
        return f"{curated} {tag}/{curated} {tag} - {rng.choice(RESOLUTIONS)}.{ext}"
    if layout < 0.90:
        return f"{curated}/{curated} - cd{rng.randint(1, 3)}.avi"
    if layout < 0.94:
        name = dotted(title).replace(".", "_").lower()
        return f"{name}_{year}_{rng.choice(RESOLUTIONS)}.{ext}"
    if layout < 0.97:
        return f"{curated} {{edition-{rng.choice(['Extended', 'Director''s Cut', 'IMAX', 'Theatrical'])}}}.{ext}"
    return f"Movies/{title} {year} {rng.choice(RESOLUTIONS)} {rng.choice(['BluRay', 'WEB-DL'])}.{ext}"


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2026
    rng = random.Random(seed)
    out = sys.stdout
    for _ in range(count):
        out.write(make(rng) + "\n")


if __name__ == "__main__":
    main()
