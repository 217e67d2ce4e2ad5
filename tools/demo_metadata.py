"""What makes the demo library (gen_library.py --demo) look like a real one offline: for each movie a Kodi
NFO (title, original title, year, genres, runtime, director, cast, a one-line plot, ratings) and a poster and
a fanart image, all invented here from the title (a seeded random, so the same title always gets the same
data), and a few real, tiny video files drawn by ffmpeg when it is installed.

Nothing is copied: the plots, people and ratings are made up (the demo says so in its NFOs' <tagline>), and
the images are drawn pixel by pixel (a gradient, a few shapes and the title in a built-in 5x7 font), written
as PNG with zlib from the standard library.
"""
import random
import re
import shutil
import struct
import subprocess
import unicodedata
import zlib

GENRES = ("Drama", "Comedy", "Thriller", "Science Fiction", "Adventure", "Crime", "Romance", "Horror",
          "Animation", "Mystery", "Fantasy", "War", "Western", "Family", "Action", "Documentary", "Music")
FIRST_NAMES = ("Ada Bruno Celia Dario Edith Flynn Gemma Hector Iris Jules Kira Lionel Maren Niko Opal Piet "
               "Quinn Rhea Sami Tessa Ulric Vera Wren Xavi Yara Zeno Alma Boris Cora Dmitri Esme Farid Gwen "
               "Hal Ilse Joao Kasia Luca Mina Nils Orla Pavel Rina Stellan Thea Umar Viggo Wanda").split()
LAST_NAMES = ("Abbot Brandt Castell Duval Eskildsen Ferro Garnier Holm Ibarra Janssen Kowal Lindqvist Marchetti "
              "Novak Okafor Petrov Quist Rosen Sandoval Tanaka Ulmann Varga Weller Yilmaz Zoric Aalto Brenner "
              "Calloway Delacroix Engel Fontaine Graves Hartmann Iversen Kessler Laurent Moreau Nakamura "
              "Orsini Pereira Rinaldi Strand Thorne Valdez Winter").split()
PLOT_WHO = ("a retired detective", "two estranged sisters", "a young cartographer", "an exhausted nurse",
            "a small-town mechanic", "a travelling musician", "a disgraced pilot", "a stubborn archivist",
            "a family of bakers", "a junior diplomat", "an ageing boxer", "a pair of runaway teenagers",
            "a widowed farmer", "a night-shift security guard", "a reluctant heir", "a lighthouse keeper")
PLOT_WHAT = ("has one winter to", "must find a way to", "sets out to", "is given a week to",
             "agrees, against every instinct, to", "tries to", "is blackmailed into a plan to")
PLOT_GOAL = ("bring home a stolen painting", "win back a lost friendship", "cross a border that keeps moving",
             "finish a letter started thirty years ago", "solve a riddle left in a will",
             "keep a failing cinema open", "outrun a storm and a rumour", "find out who sent the photographs",
             "repair a machine nobody understands", "deliver a message before the city wakes",
             "protect a secret that could end a career", "rebuild a life from a suitcase of records")

# A 5x7 font: each glyph is seven rows of five bits (hexadecimal, the leftmost pixel is 0x10).
_FONT_ROWS = {
    "A": "0E 11 11 1F 11 11 11", "B": "1E 11 11 1E 11 11 1E", "C": "0E 11 10 10 10 11 0E",
    "D": "1E 11 11 11 11 11 1E", "E": "1F 10 10 1E 10 10 1F", "F": "1F 10 10 1E 10 10 10",
    "G": "0E 11 10 17 11 11 0F", "H": "11 11 11 1F 11 11 11", "I": "0E 04 04 04 04 04 0E",
    "J": "07 02 02 02 02 12 0C", "K": "11 12 14 18 14 12 11", "L": "10 10 10 10 10 10 1F",
    "M": "11 1B 15 15 11 11 11", "N": "11 11 19 15 13 11 11", "O": "0E 11 11 11 11 11 0E",
    "P": "1E 11 11 1E 10 10 10", "Q": "0E 11 11 11 15 12 0D", "R": "1E 11 11 1E 14 12 11",
    "S": "0F 10 10 0E 01 01 1E", "T": "1F 04 04 04 04 04 04", "U": "11 11 11 11 11 11 0E",
    "V": "11 11 11 11 11 0A 04", "W": "11 11 11 15 15 15 0A", "X": "11 11 0A 04 0A 11 11",
    "Y": "11 11 0A 04 04 04 04", "Z": "1F 01 02 04 08 10 1F", "0": "0E 11 13 15 19 11 0E",
    "1": "04 0C 04 04 04 04 0E", "2": "0E 11 01 02 04 08 1F", "3": "1F 02 04 02 01 11 0E",
    "4": "02 06 0A 12 1F 02 02", "5": "1F 10 1E 01 01 11 0E", "6": "06 08 10 1E 11 11 0E",
    "7": "1F 01 02 04 08 08 08", "8": "0E 11 11 0E 11 11 0E", "9": "0E 11 11 0F 01 02 0C",
    "-": "00 00 00 1F 00 00 00", ":": "00 0C 0C 00 0C 0C 00", "'": "04 04 08 00 00 00 00",
    ".": "00 00 00 00 00 0C 0C", ",": "00 00 00 00 0C 04 08", "&": "0C 12 14 08 15 12 0D",
    "!": "04 04 04 04 04 00 04", "?": "0E 11 01 02 04 00 04", " ": "00 00 00 00 00 00 00",
    "(": "02 04 08 08 08 04 02", ")": "08 04 02 02 02 04 08", "/": "01 01 02 04 08 10 10",
}
FONT = {ch: [int(row, 16) for row in rows.split()] for ch, rows in _FONT_ROWS.items()}


def fold_ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def letters(text):
    return re.sub(r"[^a-z0-9]", "", fold_ascii(text).lower())


def titles(movie):
    """(title, original title or None): a film known by a translated title (千と千尋の神隠し → Spirited Away,
    Cidade de Deus → City of God) shows that title and keeps the original, so both find it."""
    if movie.ascii_title and letters(movie.ascii_title) != letters(movie.title):
        return movie.ascii_title, movie.title
    return movie.title, None


class Details:
    """The invented metadata of one movie, a function of its title and year."""

    def __init__(self, movie):
        rng = random.Random(f"demo-{movie.title}-{movie.year}")
        self.title, self.original_title = titles(movie)
        self.year = movie.year
        self.genres = rng.sample(GENRES, rng.choice((1, 2, 2, 3)))
        self.runtime = rng.randint(82, 172)
        self.directors = [self._person(rng)]
        self.cast = [(self._person(rng), self._person(rng).split()[0]) for _ in range(rng.randint(3, 6))]
        self.plot = f"{rng.choice(PLOT_WHO).capitalize()} {rng.choice(PLOT_WHAT)} {rng.choice(PLOT_GOAL)}."
        self.tmdb_rating = round(rng.uniform(5.2, 8.8), 1)
        self.tmdb_votes = rng.randint(120, 24000)
        self.imdb_rating = round(min(9.5, max(4.0, self.tmdb_rating + rng.uniform(-0.6, 0.6))), 1)
        self.imdb_votes = self.tmdb_votes * rng.randint(3, 12)
        self.colors = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(4)]
        self.motif = rng.randrange(3)
        self.rng_seed = rng.randrange(1 << 30)

    @staticmethod
    def _person(rng):
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def kodi_nfo(movie, details):
    """A Kodi movie NFO with everything the offline demo shows."""
    d = details
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>', "<movie>",
             f"  <title>{esc(d.title)}</title>"]
    if d.original_title:
        lines.append(f"  <originaltitle>{esc(d.original_title)}</originaltitle>")
    lines += [f"  <year>{d.year}</year>", f"  <runtime>{d.runtime}</runtime>",
              f"  <plot>{esc(d.plot)}</plot>",
              "  <tagline>Demo library: plot, people and ratings are invented</tagline>"]
    lines += [f"  <genre>{esc(g)}</genre>" for g in d.genres]
    lines += [f"  <director>{esc(p)}</director>" for p in d.directors]
    lines.append("  <ratings>")
    lines.append(f'    <rating name="themoviedb" max="10" default="true"><value>{d.tmdb_rating}</value>'
                 f"<votes>{d.tmdb_votes}</votes></rating>")
    lines.append(f'    <rating name="imdb" max="10"><value>{d.imdb_rating}</value>'
                 f"<votes>{d.imdb_votes}</votes></rating>")
    lines.append("  </ratings>")
    if movie.ids:
        lines.append(f'  <uniqueid type="tmdb" default="true">{movie.ids[0]}</uniqueid>')
        lines.append(f'  <uniqueid type="imdb">{movie.ids[1]}</uniqueid>')
    if movie.collection:
        lines.append(f"  <set>\n    <name>{esc(movie.collection)}</name>\n  </set>")
    for order, (name, role) in enumerate(d.cast):
        lines.append(f"  <actor>\n    <name>{esc(name)}</name>\n    <role>{esc(role)}</role>\n"
                     f"    <order>{order}</order>\n  </actor>")
    lines.append("</movie>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------------------
# Drawing: an RGB canvas as a list of bytearray rows; shapes fill row spans, which keeps Python fast.

class Canvas:
    def __init__(self, width, height, top, bottom):
        self.width, self.height = width, height
        self.rows = []
        for y in range(height):
            t = y / max(1, height - 1)
            color = bytes(int(a + (b - a) * t) for a, b in zip(top, bottom))
            self.rows.append(bytearray(color * width))

    def span(self, y, x0, x1, color):
        if 0 <= y < self.height:
            x0, x1 = max(0, int(x0)), min(self.width, int(x1))
            if x1 > x0:
                self.rows[y][3 * x0:3 * x1] = bytes(color) * (x1 - x0)

    def rect(self, x0, y0, x1, y1, color):
        for y in range(max(0, int(y0)), min(self.height, int(y1))):
            self.span(y, x0, x1, color)

    def circle(self, cx, cy, r, color):
        for y in range(int(cy - r), int(cy + r) + 1):
            dy = y - cy
            if dy * dy <= r * r:
                dx = (r * r - dy * dy) ** 0.5
                self.span(y, cx - dx, cx + dx, color)

    def mountain(self, peak_x, peak_y, base_y, slope, color):
        for y in range(int(peak_y), int(base_y)):
            half = (y - peak_y) * slope
            self.span(y, peak_x - half, peak_x + half, color)

    def text(self, x, y, text, scale, color):
        for ch in text:
            rows = FONT.get(ch, FONT["?"])
            for ry, bits in enumerate(rows):
                for rx in range(5):
                    if bits & (16 >> rx):
                        self.rect(x + rx * scale, y + ry * scale, x + (rx + 1) * scale, y + (ry + 1) * scale, color)
            x += 6 * scale

    def png(self):
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def mix(a, b, t):
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b))


def scene(canvas, details, horizon):
    """A landscape: a sun or moon, hills or towers, in the movie's colours."""
    rng = random.Random(details.rng_seed)
    w, h = canvas.width, canvas.height
    sky, ground, accent, ink = details.colors
    canvas.circle(rng.uniform(0.2, 0.8) * w, horizon * rng.uniform(0.35, 0.7), w * rng.uniform(0.1, 0.2),
                  mix(accent, (255, 255, 255), 0.35))
    if details.motif == 0:  # hills
        for i in range(4):
            canvas.mountain(rng.uniform(0, w), horizon - rng.uniform(0.05, 0.35) * h, h, rng.uniform(0.9, 2.2),
                            mix(ground, (0, 0, 0), 0.15 * i))
    elif details.motif == 1:  # a city
        x = 0
        while x < w:
            bw = rng.uniform(0.06, 0.14) * w
            canvas.rect(x, horizon - rng.uniform(0.05, 0.4) * h, x + bw - 2, h, mix(ground, (0, 0, 0), rng.random() * 0.5))
            x += bw
    else:  # the sea
        for i, y in enumerate(range(int(horizon), h, max(3, h // 40))):
            canvas.rect(0, y, w, y + max(2, h // 60), mix(ground, accent, (i % 5) / 6))
    canvas.rect(0, horizon + (h - horizon) * 0.8, w, h, mix(ground, (0, 0, 0), 0.6))


def wrap(text, width):
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return [l[:width] for l in lines[:3]]


def poster_png(details, width=200, height=300):
    sky, ground, accent, _ = details.colors
    canvas = Canvas(width, height, mix(sky, (0, 0, 0), 0.2), mix(sky, (255, 255, 255), 0.25))
    scene(canvas, details, height * 0.62)
    canvas.rect(0, 0, width, 6, accent)
    title = fold_ascii(details.title).upper() or "UNTITLED"
    # Large letters when every word fits a line of 10, else smaller ones (16 a line).
    scale = 3 if max(len(word) for word in title.split() or [""]) <= 10 else 2
    lines = wrap(title, 10 if scale == 3 else 16)
    y = 20
    for line in lines:
        x = (width - len(line) * 6 * scale) // 2
        canvas.text(x + 2, y + 2, line, scale, (0, 0, 0))
        canvas.text(x, y, line, scale, (250, 246, 236))
        y += 9 * scale
    year = str(details.year)
    canvas.text((width - len(year) * 12) // 2, height - 26, year, 2, (240, 236, 226))
    return canvas.png()


def fanart_png(details, width=480, height=270):
    sky, ground, accent, _ = details.colors
    canvas = Canvas(width, height, mix(sky, (0, 0, 0), 0.35), mix(accent, sky, 0.5))
    scene(canvas, details, height * 0.58)
    return canvas.png()


# ---------------------------------------------------------------------------------------------------------

def ffmpeg_available():
    return shutil.which("ffmpeg") is not None


def write_tiny_video(path, seconds, resolution):
    """A real video file of a few seconds (a test pattern and a tone) in the container its name says."""
    width, height = {"2160p": (640, 360), "1080p": (480, 270), "720p": (320, 180)}.get(resolution, (240, 136))
    ext = path.rsplit(".", 1)[-1].lower()
    video = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"] if ext != "avi" else ["-c:v", "mpeg4"]
    audio = ["-c:a", "aac", "-b:a", "48k"] if ext != "avi" else ["-an"]
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
               "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=24:duration={seconds}",
               "-f", "lavfi", "-i", f"sine=frequency={220 + 40 * seconds}:duration={seconds}",
               *video, *audio, "-shortest", path]
    return subprocess.run(command, capture_output=True).returncode == 0
