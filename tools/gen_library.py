#!/usr/bin/env python3
"""Creates a synthetic movie library for tests, demos and the import benchmark.

    gen_library.py DIR --count N [--seed S] [--layouts L ...] [--sparse]
    gen_library.py DIR --demo [--count N] [--real-videos N]

DIR must be missing or empty. The library holds exactly N video files, laid out the way real libraries
are: `Title (Year)/Title (Year).mkv`, uninformative names in a named folder, loose files, scene releases
(in their own folder and loose), collection folders, multi-part movies, Blu-ray and DVD disc structures,
versions of one movie, extras, Kodi `.nfo` files, subtitles and awkward titles (non-ASCII, apostrophes,
years and digits inside titles). Titles come from a built-in list of real films; beyond that list they are
synthetic but plausible, and every movie is distinct.

Counting (the summary line on stdout):
  files            video files, extras included; a disc structure counts as one (its index.bdmv or
                   VIDEO_TS.IFO stands for it). Always N.
  movies_expected  distinct movies a perfect scanner finds (a multi-part movie, a disc and all versions of
                   a movie are one movie each; extras are not movies).
  extras           video files that are extras (trailers, samples, featurettes...), included in files.
  other_files      every other regular file: .nfo, .srt, the rest of a disc structure (.m2ts, .VOB...).
Nothing else is written into DIR; the summary goes to stdout only.

File contents are tiny: the file's own path (so no two files are equal) and up to 255 bytes of padding
(so sizes differ). With --sparse, video files, .m2ts and .VOB files are then truncated to realistic sizes
(700 MB - 40 GB for a movie) as sparse files that take no disk. Everything (names, layouts, sizes, mtimes)
is a function of the seed.
"""
import argparse
import bisect
import gc
import itertools
import json
import os
import random
import re
import sys
import time
import unicodedata

# ---------------------------------------------------------------------------------------------------------
# Titles. One film a line: title|year|collection|ascii title for scene names (the last two optional).

# Awkward names come first so that every library, even a small one, has them.
AWKWARD_FILMS = """\
The Matrix|1999|The Matrix
Amélie|2001
Léon|1994
千と千尋の神隠し|2001||Spirited Away
Blade Runner 2049|2017|Blade Runner
1917|2019
Wonder Woman 1984|2020|Wonder Woman
2001: A Space Odyssey|1968
Schindler's List|1993
Star Wars|1977|Star Wars
Max|2015
Mad Max|1979|Mad Max
Dune|1984
Dune|2021|Dune
2012|2009
300|2006
M|1931
Alien³|1992|Alien|Alien 3
WALL·E|2008||WALL-E
8½|1963||Otto e Mezzo
Harry Potter and the Deathly Hallows: Part 1|2010|Harry Potter
Birdman or (The Unexpected Virtue of Ignorance)|2014
(500) Days of Summer|2009
L.A. Confidential|1997
When Harry Met Sally...|1989
Monsters, Inc.|2001
Adaptation.|2002
O Brother, Where Art Thou?|2000
Face/Off|1997
3:10 to Yuma|2007
Singin' in the Rain|1952
Ocean's 11|1960
Pride & Prejudice|2005
Tár|2022
기생충|2019||Parasite
七人の侍|1954||Seven Samurai
La vita è bella|1997||La Vita e Bella
Y Tu Mamá También|2001
Låt den rätte komma in|2008||Lat den Ratte Komma In
À bout de souffle|1960||A Bout de Souffle
"""

REAL_FILMS = """\
The Shawshank Redemption|1994
The Godfather|1972|The Godfather
The Godfather Part II|1974|The Godfather
The Godfather Part III|1990|The Godfather
Batman Begins|2005|The Dark Knight
The Dark Knight|2008|The Dark Knight
The Dark Knight Rises|2012|The Dark Knight
12 Angry Men|1957
The Lord of the Rings: The Fellowship of the Ring|2001|The Lord of the Rings
The Lord of the Rings: The Two Towers|2002|The Lord of the Rings
The Lord of the Rings: The Return of the King|2003|The Lord of the Rings
Pulp Fiction|1994
The Good, the Bad and the Ugly|1966|Dollars Trilogy
A Fistful of Dollars|1964|Dollars Trilogy
For a Few Dollars More|1965|Dollars Trilogy
Fight Club|1999
Forrest Gump|1994
Inception|2010
The Empire Strikes Back|1980|Star Wars
Return of the Jedi|1983|Star Wars
Star Wars: Episode I - The Phantom Menace|1999|Star Wars
Star Wars: Episode II - Attack of the Clones|2002|Star Wars
Star Wars: Episode III - Revenge of the Sith|2005|Star Wars
The Matrix Reloaded|2003|The Matrix
The Matrix Revolutions|2003|The Matrix
The Matrix Resurrections|2021|The Matrix
Goodfellas|1990
One Flew Over the Cuckoo's Nest|1975
Se7en|1995
The Silence of the Lambs|1991
Cidade de Deus|2002||City of God
It's a Wonderful Life|1946
Saving Private Ryan|1998
Interstellar|2014
The Green Mile|1999
The Usual Suspects|1995
The Pianist|2002
The Terminator|1984|Terminator
Terminator 2: Judgment Day|1991|Terminator
Back to the Future|1985|Back to the Future
Back to the Future Part II|1989|Back to the Future
Back to the Future Part III|1990|Back to the Future
Psycho|1960
Psycho|1998
Modern Times|1936
Gladiator|2000
The Lion King|1994
The Departed|2006
The Prestige|2006
Whiplash|2014
Casablanca|1942
Intouchables|2011
Once Upon a Time in the West|1968
Rear Window|1954
Alien|1979|Alien
Aliens|1986|Alien
Alien: Romulus|2024|Alien
Apocalypse Now|1979
Memento|2000
Raiders of the Lost Ark|1981|Indiana Jones
Indiana Jones and the Temple of Doom|1984|Indiana Jones
Indiana Jones and the Last Crusade|1989|Indiana Jones
Django Unchained|2012
Das Leben der Anderen|2006
Sunset Boulevard|1950
Paths of Glory|1957
The Shining|1980
The Great Dictator|1940
The Avengers|2012|The Avengers
Avengers: Infinity War|2018|The Avengers
Avengers: Endgame|2019|The Avengers
올드보이|2003||Oldboy
American Beauty|1999
もののけ姫|1997||Princess Mononoke
Joker|2019
Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb|1964
Once Upon a Time in America|1984
Das Boot|1981
Coco|2017
Good Will Hunting|1997
Toy Story|1995|Toy Story
Toy Story 2|1999|Toy Story
Toy Story 3|2010|Toy Story
Toy Story 4|2019|Toy Story
Amadeus|1984
Reservoir Dogs|1992
Braveheart|1995
Inglourious Basterds|2009
Eternal Sunshine of the Spotless Mind|2004
Citizen Kane|1941
Vertigo|1958
North by Northwest|1959
Full Metal Jacket|1987
A Clockwork Orange|1971
Lawrence of Arabia|1962
Requiem for a Dream|2000
Taxi Driver|1976
Snatch|2000
Lock, Stock and Two Smoking Barrels|1998
Ladri di biciclette|1948
Scarface|1932
Scarface|1983
Metropolis|1927
The Apartment|1960
Heat|1995
Up|2009
Die Hard|1988|Die Hard
Die Hard 2|1990|Die Hard
Die Hard with a Vengeance|1995|Die Hard
Unforgiven|1992
Der Untergang|2004
Some Like It Hot|1959
Batman|1989
The Wolf of Wall Street|2013
Ran|1985
Judgment at Nuremberg|1961
The Sixth Sense|1999
There Will Be Blood|2007
Chinatown|1974
No Country for Old Men|2007
The Truman Show|1998
Jurassic Park|1993|Jurassic Park
The Lost World: Jurassic Park|1997|Jurassic Park
Jurassic Park III|2001|Jurassic Park
Kill Bill: Vol. 1|2003|Kill Bill
Kill Bill: Vol. 2|2004|Kill Bill
Shutter Island|2010
Finding Nemo|2003
The Elephant Man|1980
El laberinto del fauno|2006||Pan's Labyrinth
V for Vendetta|2005
Raging Bull|1980
Gran Torino|2008
The Big Lebowski|1998
Fargo|1996
Mad Max 2|1981|Mad Max
Mad Max: Fury Road|2015|Mad Max
Furiosa: A Mad Max Saga|2024|Mad Max
Gone Girl|2014
Trainspotting|1996
Rocky|1976|Rocky
Rocky II|1979|Rocky
Rocky III|1982|Rocky
Jaws|1975
Blade Runner|1982|Blade Runner
The Thing|1982
The Thing|2011
Hacksaw Ridge|2016
Prisoners|2013
Catch Me If You Can|2002
How to Train Your Dragon|2010
Gone with the Wind|1939
The Wizard of Oz|1939
Platoon|1986
The Grand Budapest Hotel|2014
Spotlight|2015
The Deer Hunter|1978
Stand by Me|1986
Rush|2013
Ford v Ferrari|2019
The Incredibles|2004
Ratatouille|2007
Inside Out|2015|Inside Out
Inside Out 2|2024|Inside Out
Zootopia|2016
The Sound of Music|1965
Dead Poets Society|1989
Into the Wild|2007
Ocean's Eleven|2001|Ocean's
Ocean's Twelve|2004|Ocean's
Ocean's Thirteen|2007|Ocean's
The Social Network|2010
Arrival|2016
Sicario|2015
Dunkirk|2017
Tenet|2020
Oppenheimer|2023
Barbie|2023
Everything Everywhere All at Once|2022
Top Gun|1986|Top Gun
Top Gun: Maverick|2022|Top Gun
Titanic|1997
Avatar|2009|Avatar
Avatar: The Way of Water|2022|Avatar
The Revenant|2015
La La Land|2016
Moonlight|2016
Get Out|2017
Her|2013
Drive|2011
Nightcrawler|2014
John Wick|2014|John Wick
John Wick: Chapter 2|2017|John Wick
John Wick: Chapter 3 - Parabellum|2019|John Wick
Mission: Impossible|1996|Mission: Impossible
Mission: Impossible - Fallout|2018|Mission: Impossible
Dr. No|1962|James Bond
Goldfinger|1964|James Bond
Casino Royale|2006|James Bond
Skyfall|2012|James Bond
The Bourne Identity|2002|Bourne
The Bourne Supremacy|2004|Bourne
The Bourne Ultimatum|2007|Bourne
Harry Potter and the Philosopher's Stone|2001|Harry Potter
Harry Potter and the Chamber of Secrets|2002|Harry Potter
Harry Potter and the Prisoner of Azkaban|2004|Harry Potter
Harry Potter and the Goblet of Fire|2005|Harry Potter
Harry Potter and the Order of the Phoenix|2007|Harry Potter
Harry Potter and the Half-Blood Prince|2009|Harry Potter
Harry Potter and the Deathly Hallows: Part 2|2011|Harry Potter
The Hobbit: An Unexpected Journey|2012|The Hobbit
Pirates of the Caribbean: The Curse of the Black Pearl|2003|Pirates of the Caribbean
Shrek|2001|Shrek
Shrek 2|2004|Shrek
Frozen|2013
Groundhog Day|1993
Ghostbusters|1984
E.T. the Extra-Terrestrial|1982
Close Encounters of the Third Kind|1977
Edward Scissorhands|1990
Beetlejuice|1988
The Princess Bride|1987
Ferris Bueller's Day Off|1986
The Breakfast Club|1985
Home Alone|1990
Pretty Woman|1990
Dirty Dancing|1987
Grease|1978
Saturday Night Fever|1977
The Exorcist|1973
Halloween|1978
Halloween|2018
A Nightmare on Elm Street|1984
The Texas Chain Saw Massacre|1974
Scream|1996
The Ring|2002
Hereditary|2018
Midsommar|2019
It Follows|2014
Suspiria|1977
Suspiria|2018
28 Days Later|2002
Shaun of the Dead|2004
Hot Fuzz|2007
Zodiac|2007
Mulholland Drive|2001
Blue Velvet|1986
Lost in Translation|2003
Brokeback Mountain|2005
Slumdog Millionaire|2008
The King's Speech|2010
12 Years a Slave|2013
Argo|2012
The Hurt Locker|2008
Million Dollar Baby|2004
Chicago|2002
A Beautiful Mind|2001
The English Patient|1996
Dances with Wolves|1990
Rain Man|1988
Out of Africa|1985
Gandhi|1982
Chariots of Fire|1981
Ordinary People|1980
Kramer vs. Kramer|1979
Annie Hall|1977
Network|1976
The Sting|1973
The French Connection|1971
Patton|1970
Midnight Cowboy|1969
The Graduate|1967
Bonnie and Clyde|1967
Cool Hand Luke|1967
Butch Cassidy and the Sundance Kid|1969
The Wild Bunch|1969
Easy Rider|1969
Rosemary's Baby|1968
Planet of the Apes|1968
Breakfast at Tiffany's|1961
The Magnificent Seven|1960
Ben-Hur|1959
The Bridge on the River Kwai|1957
On the Waterfront|1954
Rebel Without a Cause|1955
Roman Holiday|1953
High Noon|1952
All About Eve|1950
The Third Man|1949
Double Indemnity|1944
The Maltese Falcon|1941
Rebecca|1940
The Grapes of Wrath|1940
Mr. Smith Goes to Washington|1939
Snow White and the Seven Dwarfs|1937
City Lights|1931
Nosferatu|1922
The Kid|1921
Sherlock Jr.|1924
The General|1926
東京物語|1953||Tokyo Story
Rashomon|1950
Yojimbo|1961
Ikiru|1952
Akira|1988
Ghost in the Shell|1995
となりのトトロ|1988||My Neighbor Totoro
Howl's Moving Castle|2004
Grave of the Fireflies|1988
君の名は。|2016||Your Name
Perfect Blue|1997
In the Mood for Love|2000
Chungking Express|1994
Infernal Affairs|2002
Memories of Murder|2003
The Handmaiden|2016
Train to Busan|2016
Amores perros|2000
Roma|2018
The Motorcycle Diaries|2004
El secreto de sus ojos|2009
Relatos salvajes|2014
A Separation|2011
Det sjunde inseglet|1957||The Seventh Seal
Smultronstället|1957||Smultronstallet
Persona|1966
Fanny and Alexander|1982
La Dolce Vita|1960
Nuovo Cinema Paradiso|1988
Les Quatre Cents Coups|1959
La Haine|1995
Portrait de la jeune fille en feu|2019
Lola rennt|1998
Good Bye Lenin!|2003
Jagten|2012
Druk|2020
Festen|1998
Der Himmel über Berlin|1987||Der Himmel uber Berlin
Fitzcarraldo|1982
Stalker|1979
Solaris|1972
Andrei Rublev|1966
Come and See|1985
Leviathan|2014
The Raid|2011
Enter the Dragon|1973
Hard Boiled|1992
Police Story|1985
Crouching Tiger, Hidden Dragon|2000
Hero|2002
House of Flying Daggers|2004
Kung Fu Hustle|2004
Shaolin Soccer|2001
RRR|2022
3 Idiots|2009
Lagaan|2001
Dangal|2016
Pather Panchali|1955
The Big Short|2015
Moneyball|2011
The Fighter|2010
Black Swan|2010
The Wrestler|2008
Children of Men|2006
Gravity|2013
The Martian|2015
Edge of Tomorrow|2014
Minority Report|2002
Looper|2012
Moon|2009
District 9|2009
Source Code|2011
Donnie Darko|2001
Primer|2004
Gattaca|1997
The Fifth Element|1997
Total Recall|1990
Total Recall|2012
RoboCop|1987
RoboCop|2014
Starship Troopers|1997
Predator|1987
Independence Day|1996
Men in Black|1997
Armageddon|1998
The Rock|1996
Speed|1994
Point Break|1991
Con Air|1997
Lethal Weapon|1987
Beverly Hills Cop|1984
Dirty Harry|1971
Bullitt|1968
The Italian Job|1969
The Italian Job|2003
Ronin|1998
Collateral|2004
The Town|2010
Baby Driver|2017
Logan|2017
Deadpool|2016|Deadpool
Deadpool & Wolverine|2024|Deadpool
Iron Man|2008
Guardians of the Galaxy|2014
Black Panther|2018
Spider-Man|2002|Spider-Man
Spider-Man 2|2004|Spider-Man
Spider-Man: Into the Spider-Verse|2018|Spider-Verse
Spider-Man: Across the Spider-Verse|2023|Spider-Verse
Wonder Woman|2017|Wonder Woman
Superman|1978
X-Men|2000
Man of Steel|2013
Jackie Brown|1997
Once Upon a Time in Hollywood|2019
The Hateful Eight|2015
Boogie Nights|1997
Magnolia|1999
Punch-Drunk Love|2002
Phantom Thread|2017
Raising Arizona|1987
Barton Fink|1991
Inside Llewyn Davis|2013
A Serious Man|2009
Burn After Reading|2008
The Royal Tenenbaums|2001
Moonrise Kingdom|2012
Fantastic Mr. Fox|2009
Rushmore|1998
Being John Malkovich|1999
Sideways|2004
Little Miss Sunshine|2006
Juno|2007
Superbad|2007
The Hangover|2009
Bridesmaids|2011
Anchorman: The Legend of Ron Burgundy|2004
Step Brothers|2008
Zoolander|2001
Office Space|1999
Clueless|1995
Mean Girls|2004
Legally Blonde|2001
The Devil Wears Prada|2006
Notting Hill|1999
Love Actually|2003
Four Weddings and a Funeral|1994
Sleepless in Seattle|1993
The Notebook|2004
Atonement|2007
Little Women|2019
Lady Bird|2017
Marriage Story|2019
Manchester by the Sea|2016
The Shape of Water|2017
Three Billboards Outside Ebbing, Missouri|2017
Nomadland|2020
CODA|2021
The Batman|2022
Knives Out|2019|Knives Out
Glass Onion: A Knives Out Mystery|2022|Knives Out
Uncut Gems|2019
Poor Things|2023
Killers of the Flower Moon|2023
Past Lives|2023
Anatomie d'une chute|2023||Anatomie dune Chute
The Zone of Interest|2023
ゴジラ-1.0|2023||Godzilla Minus One
The Holdovers|2023
Dune: Part Two|2024|Dune
Civil War|2024
Nope|2022
Us|2019
The Banshees of Inisherin|2022
Aftersun|2022
Babylon|2022
The Fabelmans|2022
All Quiet on the Western Front|1930
All Quiet on the Western Front|2022
Apollo 13|1995
Cast Away|2000
Philadelphia|1993
Big|1988
Jerry Maguire|1996
Erin Brockovich|2000
Traffic|2000
Insomnia|2002
Mystic River|2003
Letters from Iwo Jima|2006
Changeling|2008
American Sniper|2014
Sully|2016
The Outlaw Josey Wales|1976
True Grit|1969
True Grit|2010
The Assassination of Jesse James by the Coward Robert Ford|2007
3:10 to Yuma|1957
Tombstone|1993
King Kong|1933
King Kong|2005
A Star Is Born|1954
A Star Is Born|2018
Nineteen Eighty-Four|1984
21 Grams|2003
10 Things I Hate About You|1999
Signs|2002
Unbreakable|2000
Borat: Cultural Learnings of America for Make Benefit Glorious Nation of Kazakhstan|2006
"""

# Ids known for certain, used in `[tmdbid-N]`-style names and in .nfo files.
KNOWN_IDS = {
    ("The Matrix", 1999): (603, "tt0133093"),
    ("Fight Club", 1999): (550, "tt0137523"),
    ("The Dark Knight", 2008): (155, "tt0468569"),
    ("Inception", 2010): (27205, "tt1375666"),
    ("Pulp Fiction", 1994): (680, "tt0110912"),
    ("Star Wars", 1977): (11, "tt0076759"),
    ("The Godfather", 1972): (238, "tt0068646"),
    ("The Shawshank Redemption", 1994): (278, "tt0111161"),
    ("Forrest Gump", 1994): (13, "tt0109830"),
    ("Interstellar", 2014): (157336, "tt0816692"),
}

# Word lists for synthetic titles, used once the real films run out.
ADJECTIVES = (
    "Silent Crimson Broken Hidden Last Midnight Golden Frozen Burning Distant Lost Forgotten Wild Dark "
    "Bright Savage Quiet Hollow Iron Velvet Electric Restless Endless Secret Fallen Shattered Scarlet Silver "
    "Northern Southern Final First Lonely Sweet Bitter Dangerous Perfect Invisible Eternal Sleeping "
    "Wandering Rising Deadly Lucky Stolen Black White Blue Painted Hungry Sacred Desperate Brave Little "
    "Cold Paper Glass Neon Crooked Gentle Violent Borrowed Sunken Amber"
).split()
NOUNS = (
    "River Kingdom Horizon Protocol Garden Harbor Empire Frontier Signal Witness Stranger Highway Island "
    "Summer Winter Shadow Mirror Orchard Engine Circus Lighthouse Detective Heist Symphony Voyage Legacy "
    "Border Station Compass Fortress Tide Hour Promise Season Machine Storm Valley Harvest Messenger Canyon "
    "Dynasty Outpost Labyrinth Carnival Paradox Reckoning Sanctuary Spiral Verdict Inheritance Pilgrim "
    "Rebellion Frequency Ballad Crossing Diary Alibi Requiem Exile Hunter Orphan Prophet Sparrow Wolf"
).split()
PLACES = (
    "Paris|Tokyo|Berlin|Cairo|Lisbon|Havana|Moscow|Brooklyn|Montana|Alaska|the North|the Desert|"
    "the Valley|Avalon|Marrakesh|Shanghai|Vienna|Venice|Istanbul|Dublin|Texas|the Sea|the Mountain|"
    "Nowhere|Tomorrow|the Moon|Mars|Casablanca|Bombay|Sicily|the Delta|Harlem|Nevada|Patagonia"
).split("|")
NAMES = (
    "Anna Max Clara Jonah Rosa Leo Mira Oscar Elena Felix Nora Victor Lucia Hugo Ines Marcus Greta "
    "Tobias Sofia Emil Amélie Zoë José Björn Chloé"
).split()
SYNTHETIC_PATTERNS = (
    (5, "The {a} {n}"),
    (4, "{a} {n}"),
    (2, "The {n} of {p}"),
    (1, "{n} of {p}"),
    (1, "Escape from {p}"),
    (1, "Return to {p}"),
    (1, "A {n} in {p}"),
    (2, "{m}'s {n}"),
    (1, "A {n} for {m}"),
    (1, "{m} and the {a} {n}"),
    (1, "{a} {n}: {m}'s Story"),
)
ROMAN = ["", "", "II", "III", "IV", "V", "VI", "VII"]

# ---------------------------------------------------------------------------------------------------------
# Release names.

# (weight, resolution, tags between resolution and group, groups, extension, size range in GB)
SCENE_RELEASES = (
    (25, "1080p", "BluRay.x264", ("SPARKS", "AMIABLE", "GECKOS", "DRONES", "ROVERS", "CiNEFiLE"), "mkv", (6, 15)),
    (12, "720p", "BluRay.x264", ("SPARKS", "AMIABLE", "GECKOS", "DEFLATE", "HAiKU"), "mkv", (3, 8)),
    (15, "1080p", "WEB-DL.DDP5.1.H.264", ("NTb", "FLUX", "CMRG", "EVO", "KiNGS"), "mkv", (3, 8)),
    (8, "2160p", "UHD.BluRay.x265.10bit.HDR.TrueHD.7.1.Atmos", ("SWTYBLZ", "TERMiNAL", "W4NK3R"), "mkv", (18, 40)),
    (5, "2160p", "WEB-DL.DDP5.1.Atmos.DV.HDR.H.265", ("FLUX", "NTb", "CMRG"), "mkv", (12, 25)),
    (4, "1080p", "BluRay.REMUX.AVC.DTS-HD.MA.5.1", ("FGT", "EPSiLON", "BLURANiUM"), "mkv", (20, 38)),
    (2, "1080p", "3D.BluRay.Half-SBS.x264.DTS", ("HDMaNiAcS", "FuzerHD"), "mkv", (8, 14)),
    (8, "", "DVDRip.XviD", ("DiAMOND", "FxM", "DoNE", "aXXo"), "avi", (0.7, 1.4)),
    (5, "", "BRRip.XviD.AC3", ("EVO", "ETRG"), "avi", (0.7, 1.5)),
)
SCENE_WEIGHTS = tuple(r[0] for r in SCENE_RELEASES)
SPLIT_SCENE_RELEASES = tuple(r for r in SCENE_RELEASES if r[4] == "avi")
SCENE_EDITIONS = ("EXTENDED", "DIRECTORS.CUT", "REMASTERED", "UNRATED", "IMAX", "THEATRICAL", "CRITERION")

# Size ranges in GB by resolution, for files with a plain name.
SIZE_BY_RESOLUTION = {"480p": (0.7, 1.4), "720p": (1, 4), "1080p": (4, 15), "2160p": (15, 40)}
GB = 1 << 30
MB = 1 << 20

# Uninformative names inside a well-named folder (title_t00.mkv is what MakeMKV writes).
GENERIC_NAMES = ("movie.mkv", "movie.mp4", "film.mkv", "video.mp4", "main.mkv", "feature.mkv", "title_t00.mkv")

# Multi-part tokens: (word, numbering), numbering 'digit' (1, 2, 3) or 'letter' (a, b, c).
PART_TOKENS = (("cd", "digit"), ("cd", "digit"), ("part", "digit"), ("pt", "digit"), ("disc", "digit"),
               ("dvd", "digit"), ("cd", "letter"), ("part", "letter"))
PART_SEPARATORS = (" - ", " ", "-", ".")

# Extras: (folder or None, names). A None folder means a suffix next to the movie (Title (Year)-trailer.mkv).
EXTRA_FOLDERS = (
    ("Extras", ("Making Of", "Deleted Scenes", "Gag Reel", "Interview with the Director", "VFX Breakdown")),
    ("Featurettes", ("The Look of the Film", "Production Design", "Scoring the Film")),
    ("Behind The Scenes", ("On Set", "Stunts", "Costumes")),
    ("Deleted Scenes", ("Alternate Ending", "Extended Opening")),
    ("Trailers", ("Official Trailer", "Teaser Trailer")),
)
EXTRA_SUFFIXES = ("-trailer", "-featurette", "-behindthescenes", "-deleted", "-interview")

# In this order, the first movies of a library take one layout each.
LAYOUT_WEIGHTS = {
    "folder": 30,        # Movies/Title (Year)/Title (Year).mkv
    "generic": 6,        # Movies/Title (Year)/movie.mkv
    "loose": 10,         # Title (Year) 720p.mp4
    "versions": 6,       # Title (Year) - 1080p.mkv + Title (Year) - 2160p.mkv
    "multipart": 5,      # Title (Year)/Title (Year) cd1.avi, cd2.avi
    "bluray": 1.5,       # Title (Year)/BDMV/index.bdmv + STREAM/*.m2ts
    "dvd": 1.5,           # Title (Year)/VIDEO_TS/VIDEO_TS.IFO + *.VOB
    "scene-folder": 12,  # Downloads/Title.Year.1080p.BluRay.x264-GRP/Title.Year.1080p.BluRay.x264-GRP.mkv
    "scene-loose": 8,    # Downloads/Title.Year.1080p.BluRay.x264-GRP.mkv
}
# Options that decorate the layouts above; listed in --layouts like them.
DECORATIONS = ("collection", "extras", "nfo", "subs")
# Layouts that need no more than one video file, used when the file budget is nearly spent.
SINGLE_FILE_LAYOUTS = ("folder", "generic", "loose", "scene-folder", "scene-loose", "bluray", "dvd")

P_COLLECTION = 0.55  # a movie of a known collection goes into Collections/<name>/
P_EXTRAS = 0.12
P_NFO = 0.06
P_SUBS = 0.10
P_ID_IN_NAME = 0.4   # for films with known ids

MTIME_START = 1420070400  # 2015-01-01T00:00:00Z
MTIME_SPAN = 10 * 365 * 86400


class Movie:
    __slots__ = ("title", "year", "collection", "ascii_title", "ids")

    def __init__(self, title, year, collection=None, ascii_title=None, ids=None):
        self.title = title
        self.year = year
        self.collection = collection
        self.ascii_title = ascii_title
        self.ids = ids


def parse_films(text):
    films = []
    for line in text.splitlines():
        fields = line.split("|")
        title, year = fields[0], int(fields[1])
        collection = fields[2] if len(fields) > 2 and fields[2] else None
        ascii_title = fields[3] if len(fields) > 3 and fields[3] else None
        films.append(Movie(title, year, collection, ascii_title, KNOWN_IDS.get((title, year))))
    return films


class SeededRandom(random.Random):
    """random.Random with cheaper draws (one random() each); still a pure function of the seed."""

    def __init__(self, seed):
        super().__init__(seed)
        self._cumulative = {}

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, start, stop=None):
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def randint(self, low, high):
        return low + int(self.random() * (high - low + 1))

    def weighted(self, items, weights):
        """One of items, drawn with the given weights (a tuple)."""
        cumulative = self._cumulative.get(weights)
        if cumulative is None:
            cumulative = self._cumulative[weights] = list(itertools.accumulate(weights))
        return items[bisect.bisect(cumulative, self.random() * cumulative[-1])]


NOT_KEY_CHARS = re.compile(r"[^a-z0-9]")
NOT_FOLDER_CHARS = re.compile(r'[?*<>|"\\]')
APOSTROPHES = re.compile(r"['\u2019]")
NOT_SCENE_CHARS = re.compile(r"[^A-Za-z0-9-]+")


def fold_ascii(text):
    """Latin letters without accents; other scripts drop out (those titles carry an ASCII title)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)


def movie_key(movie):
    """What makes two movies the same movie: the title's letters and digits without a leading article
    ("The Eternal Promise" and "Eternal Promise" of one year are one movie to a media manager), and the year."""
    title = LEADING_ARTICLE.sub("", fold_ascii(movie.title).strip())
    letters = NOT_KEY_CHARS.sub("", title.lower())
    return (letters or movie.title.casefold(), movie.year)


def folder_title(title):
    """A title as media managers write it into folder names: ': ' becomes ' - ', no '/', '?', '*'."""
    title = title.replace(": ", " - ").replace(":", "-").replace("/", "-")
    return NOT_FOLDER_CHARS.sub("", title).strip()


def scene_title(movie):
    text = fold_ascii(movie.ascii_title or movie.title).replace("&", "and")
    return NOT_SCENE_CHARS.sub(".", APOSTROPHES.sub("", text)).strip(".-") or "Untitled"


def roman(n):
    return ROMAN[n] if n < len(ROMAN) else str(n)


# ---------------------------------------------------------------------------------------------------------
# Titles: awkward ones, then the real list in a seeded order, then synthetic ones.

class TitleSource:
    def __init__(self, rng, real_only):
        self.rng = rng
        self.real_only = real_only
        self.seen = set()
        awkward = parse_films(AWKWARD_FILMS)
        real = parse_films(REAL_FILMS)
        rng.shuffle(real)
        self.queue = awkward + real
        self.queue.reverse()  # pop() from the end
        self.pattern_weights = tuple(w for w, _ in SYNTHETIC_PATTERNS)
        self.real_pool = parse_films(AWKWARD_FILMS + REAL_FILMS)
        # Films that can take a sequel number: not "Toy Story 2", "Rocky II" or "Alien³" already.
        self.sequel_pool = [m for m in self.real_pool
                            if not m.title[-1].isnumeric() and m.title.rsplit(" ", 1)[-1] not in ROMAN]

    def next(self):
        """The next distinct movie, or None when only real films are wanted and they ran out."""
        while True:
            while self.queue:
                movie = self.queue.pop()
                if self._claim(movie):
                    return movie
            if self.real_only:
                return None
            self.queue = self._synthetic_batch()
            self.queue.reverse()

    def _claim(self, movie):
        key = movie_key(movie)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _year(self):
        # Skewed towards recent years, as real collections are.
        return min(2025, 1930 + int(96 * self.rng.random() ** 0.6))

    def _synthetic_batch(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            # A sequel or a remake of a real film.
            if rng.random() < 0.6:
                base = rng.choice(self.sequel_pool)
                n = rng.randint(2, 5)
                title = f"{base.title} {roman(n) if rng.random() < 0.6 else n}"
                year = min(2025, base.year + rng.randint(2, 4) * (n - 1))
                ascii_title = f"{base.ascii_title} {n}" if base.ascii_title else None
                return [Movie(title, year, base.collection or base.title, ascii_title)]
            base = rng.choice(self.real_pool)
            return [Movie(base.title, self._year(), None, base.ascii_title)]
        pattern = rng.weighted(SYNTHETIC_PATTERNS, self.pattern_weights)[1]
        title = pattern.format(a=rng.choice(ADJECTIVES), n=rng.choice(NOUNS), p=rng.choice(PLACES),
                               m=rng.choice(NAMES))
        if title.startswith("A ") and title[2] in "AEIOU":
            title = "An" + title[1:]
        year = self._year()
        if roll < 0.22 and year <= 2015:
            # A franchise: the film and its sequels, collected under the first title.
            count = rng.randint(2, 4)
            movies = [Movie(title, year, title)]
            for n in range(2, count + 1):
                year = min(2025, year + rng.randint(2, 5))
                sequel = f"{title} {roman(n)}" if rng.random() < 0.5 else f"{title} {n}"
                movies.append(Movie(sequel, year, title))
            return movies
        return [Movie(title, year)]


# ---------------------------------------------------------------------------------------------------------
# The plan: every file with its content, size and mtime, built before anything touches the disk.

VIDEO, EXTRA, OTHER = "video", "extra", "other"


class Plan:
    def __init__(self, rng, enabled, demo=False):
        self.rng = rng
        self.enabled = enabled
        self.demo = demo  # every movie gets a full Kodi NFO, a poster and a fanart (demo_metadata.py)
        self.files = []          # (relpath, kind, size or None, mtime_ns, content or None)
        self.empty_dirs = []     # (relpath, mtime_ns)
        self.counts = {VIDEO: 0, EXTRA: 0, OTHER: 0}
        self.movies = 0
        self.layouts = {}
        self.mtime = 0

    # -- helpers used by the layouts --
    def size_gb(self, low, high):
        return int(self.rng.uniform(low, high) * GB)

    def add(self, path, kind, size=None, content=None):
        self.mtime += self.rng.randrange(1_000_000_000, 900_000_000_000)  # files of a movie arrive minutes apart
        self.files.append((path, kind, size, self.mtime, content))
        self.counts[kind] += 1

    def video(self, path, size, kind=VIDEO):
        self.add(path, kind, size)

    def pick_resolution(self):
        return self.rng.weighted(("480p", "720p", "1080p", "2160p"), (8, 20, 55, 17))

    def extension(self, resolution):
        if resolution == "480p":
            return self.rng.weighted(("avi", "mkv", "mp4"), (60, 25, 15))
        return self.rng.weighted(("mkv", "mp4", "m4v"), (75, 22, 3))

    def plain_video_size(self, resolution):
        return self.size_gb(*SIZE_BY_RESOLUTION[resolution])

    def scene_release(self, movie, split=False):
        """A scene release name; split=True for one in several parts, which only old DVD rips are."""
        rng = self.rng
        if split:
            _, resolution, tags, groups, ext, sizes = rng.choice(SPLIT_SCENE_RELEASES)
        else:
            _, resolution, tags, groups, ext, sizes = rng.weighted(SCENE_RELEASES, SCENE_WEIGHTS)
        group = rng.choice(groups)
        parts = [scene_title(movie), str(movie.year)]
        if rng.random() < 0.07:
            parts.append(rng.choice(SCENE_EDITIONS))
        if resolution:
            parts.append(resolution)
        parts.append(tags)
        return ".".join(parts) + "-" + group, group, resolution or "480p", ext, self.size_gb(*sizes)

    def top(self, movie, names=("Movies", "Classics", ""), weights=(78, 7, 15)):
        if movie.collection and "collection" in self.enabled and self.rng.random() < P_COLLECTION:
            return f"Collections/{folder_title(movie.collection)}"
        top = self.rng.weighted(names, weights)
        if top == "Classics" and movie.year >= 1970:
            top = "Movies"
        return top

    def named(self, movie, with_id=False):
        name = f"{folder_title(movie.title)} ({movie.year})"
        if with_id and movie.ids:
            tmdb, imdb = movie.ids
            name += self.rng.choice((f" [tmdbid-{tmdb}]", f" {{tmdb-{tmdb}}}", f" [imdbid-{imdb}]",
                                     f" {{imdb-{imdb}}}", f" {imdb}"))
        return name

    def extras(self, folder, stem, budget):
        """Up to three extras in a movie folder; returns how many video files they used."""
        if "extras" not in self.enabled or budget <= 0 or self.rng.random() >= P_EXTRAS:
            return 0
        rng = self.rng
        used = 0
        for _ in range(min(budget, rng.randint(1, 3))):
            roll = rng.random()
            if roll < 0.45:
                sub, names = rng.choice(EXTRA_FOLDERS)
                path = f"{folder}/{sub}/{rng.choice(names)}.mkv"
            elif roll < 0.8:
                path = f"{folder}/{stem}{rng.choice(EXTRA_SUFFIXES)}.mkv"
            elif roll < 0.9:
                path = f"{folder}/trailer.mp4"
            else:
                path = f"{folder}/sample.mkv"
            if any(f[0] == path for f in self.files[-4:]):
                continue
            self.video(path, rng.randrange(20 * MB, 800 * MB), EXTRA)
            used += 1
        return used

    def nfo(self, folder, stem, movie):
        if "nfo" not in self.enabled or self.rng.random() >= P_NFO or self.demo:
            return
        name = "movie.nfo" if self.rng.random() < 0.6 else f"{stem}.nfo"
        self.add(f"{folder}/{name}", OTHER, content=kodi_nfo(movie))

    def subs(self, folder, stem):
        if "subs" in self.enabled and self.rng.random() < P_SUBS:
            lang = self.rng.choice(("en", "de", "fr", "es", "en.forced"))
            self.add(f"{folder}/{stem}.{lang}.srt", OTHER, content=SRT)

    @staticmethod
    def join(*parts):
        return "/".join(p for p in parts if p)

    # -- layouts: each adds one movie and returns how many video files (extras included) it used --
    def layout_folder(self, movie, budget):
        rng = self.rng
        top = self.top(movie)
        folder_name = self.named(movie, with_id=rng.random() < P_ID_IN_NAME)
        stem = folder_name if rng.random() < 0.7 else self.named(movie)
        folder = self.join(top, folder_name)
        resolution = self.pick_resolution()
        self.video(f"{folder}/{stem}.{self.extension(resolution)}", self.plain_video_size(resolution))
        self.nfo(folder, stem, movie)
        self.subs(folder, stem)
        return 1 + self.extras(folder, stem, budget - 1)

    def layout_generic(self, movie, budget):
        folder = self.join(self.top(movie), self.named(movie))
        self.video(f"{folder}/{self.rng.choice(GENERIC_NAMES)}", self.plain_video_size(self.pick_resolution()))
        self.nfo(folder, "movie", movie)
        return 1 + self.extras(folder, "movie", budget - 1)

    def layout_loose(self, movie, budget):
        rng = self.rng
        top = self.top(movie, ("", "Movies", "Unsorted"), (45, 35, 20))
        name = self.named(movie)
        resolution = self.pick_resolution()
        style = 2 if resolution == "480p" else rng.randrange(4)
        if style == 0:
            file = f"{name} {resolution}.{rng.choice(('mp4', 'mkv'))}"
        elif style == 1:
            file = f"{name} [{resolution}].mkv"
        elif style == 2:
            file = f"{name}.{self.extension(resolution)}"
        else:
            file = f"{name} - {resolution}.mkv"
        self.video(self.join(top, file), self.plain_video_size(resolution))
        return 1

    def layout_scene_folder(self, movie, budget):
        rng = self.rng
        top = rng.choice(("Downloads", "Downloads/complete", ""))
        if rng.random() < 0.1:
            # YTS names its folders differently from the file inside.
            resolution = rng.choice(("720p", "1080p", "2160p"))
            folder = self.join(top, f"{self.named(movie)} [{resolution}] [BluRay] [5.1] [YTS.MX]")
            codec = "x265" if resolution == "2160p" else "x264"
            self.video(f"{folder}/{scene_title(movie)}.{movie.year}.{resolution}.BluRay.{codec}.AAC5.1-[YTS.MX].mp4",
                       self.plain_video_size(resolution))
            return 1
        release, group, resolution, ext, size = self.scene_release(movie)
        folder = self.join(top, release)
        title = scene_title(movie)
        compact = (title[4:] if title.startswith("The.") else title).replace(".", "").replace("-", "").lower()
        style = rng.random()
        if style < 0.55:
            stem = release
        elif style < 0.75:
            stem = release.lower()
        else:
            # Obfuscated scene names: only the folder says what the movie is.
            stem = f"{group.lower()}-{compact}-{resolution}"
        self.video(f"{folder}/{stem}.{ext}", size)
        used = 1
        if rng.random() < 0.35 and not self.demo:
            self.add(f"{folder}/{group.lower()}-{compact}.nfo", OTHER, content=scene_nfo(release))
        if "extras" in self.enabled and budget > used and rng.random() < 0.3:
            self.video(f"{folder}/Sample/{group.lower()}-{compact}-sample.{ext}", rng.randrange(20 * MB, 90 * MB),
                       EXTRA)
            used += 1
        return used

    def layout_scene_loose(self, movie, budget):
        release, _, _, ext, size = self.scene_release(movie)
        top = self.rng.choice(("Downloads", "Downloads", ""))
        self.video(self.join(top, f"{release}.{ext}"), size)
        return 1

    def layout_multipart(self, movie, budget):
        rng = self.rng
        parts = 3 if budget >= 3 and rng.random() < 0.2 else 2
        word, numbering = rng.choice(PART_TOKENS)
        separator = rng.choice(PART_SEPARATORS if numbering == "digit" else PART_SEPARATORS[:3])
        if rng.random() < 0.3:
            release, _, _, ext, size = self.scene_release(movie, split=True)
            folder = self.join(rng.choice(("Downloads", "")), release)
            stem = release.lower() if rng.random() < 0.5 else release
            separator = rng.choice(("-", "."))
        else:
            folder = self.join(self.top(movie), self.named(movie))
            stem = self.named(movie)
            ext = rng.choice(("avi", "avi", "mkv", "mp4"))
            size = self.plain_video_size("480p" if ext == "avi" else "1080p")
        for n in range(1, parts + 1):
            label = str(n) if numbering == "digit" else "abcd"[n - 1]
            self.video(f"{folder}/{stem}{separator}{word}{label}.{ext}", size // parts + rng.randrange(MB))
        self.nfo(folder, "movie", movie)
        return parts

    def layout_bluray(self, movie, budget):
        rng = self.rng
        if rng.random() < 0.3:
            uhd = ".UHD" if rng.random() < 0.4 else ""
            group = rng.choice(("BDA", "COASTER", "PCH"))
            folder = self.join(rng.choice(("Downloads", "")),
                               f"{scene_title(movie)}.{movie.year}.COMPLETE{uhd}.BLURAY-{group}")
        else:
            folder = self.join(self.top(movie), self.named(movie))
        bdmv = f"{folder}/BDMV"
        self.add(f"{bdmv}/index.bdmv", VIDEO, rng.randrange(120, 400))
        self.add(f"{bdmv}/MovieObject.bdmv", OTHER, rng.randrange(2000, 30000))
        self.add(f"{bdmv}/PLAYLIST/00800.mpls", OTHER, rng.randrange(200, 4000))
        self.add(f"{bdmv}/CLIPINF/00000.clpi", OTHER, rng.randrange(1000, 90000))
        self.add(f"{bdmv}/STREAM/00000.m2ts", OTHER, self.size_gb(18, 40))
        for n in range(1, rng.randint(2, 3)):
            self.add(f"{bdmv}/STREAM/{n:05d}.m2ts", OTHER, rng.randrange(5 * MB, 600 * MB))
        if rng.random() < 0.5:
            # Real discs carry a copy of the index; it is not a second movie.
            self.add(f"{bdmv}/BACKUP/index.bdmv", OTHER, rng.randrange(120, 400))
        return 1

    def layout_dvd(self, movie, budget):
        rng = self.rng
        folder = self.join(self.top(movie), self.named(movie))
        video_ts = f"{folder}/VIDEO_TS"
        self.add(f"{video_ts}/VIDEO_TS.IFO", VIDEO, rng.randrange(12000, 60000))
        self.add(f"{video_ts}/VIDEO_TS.BUP", OTHER, rng.randrange(12000, 60000))
        self.add(f"{video_ts}/VTS_01_0.IFO", OTHER, rng.randrange(20000, 90000))
        vobs = rng.randint(2, 4)
        for n in range(1, vobs + 1):
            size = 1_073_709_056 if n < vobs else rng.randrange(50 * MB, GB)
            self.add(f"{video_ts}/VTS_01_{n}.VOB", OTHER, size)
        self.empty_dirs.append((f"{folder}/AUDIO_TS", self.mtime))
        self.nfo(folder, "movie", movie)
        return 1

    def layout_versions(self, movie, budget):
        rng = self.rng
        name = self.named(movie)
        roll = rng.random()
        if roll < 0.25:
            # One library for HD, another for 4K.
            self.video(f"Movies/{name}/{name}.mkv", self.plain_video_size("1080p"))
            self.video(f"Movies 4K/{name}/{name}.mkv", self.plain_video_size("2160p"))
            return 2
        folder = self.join(self.top(movie), name)
        if roll < 0.4:
            labels = ("Theatrical Cut", "Director's Cut")
            sizes = [self.plain_video_size("1080p") for _ in labels]
        else:
            labels = ("1080p", "2160p", "720p")[: 3 if budget >= 3 and rng.random() < 0.2 else 2]
            sizes = [self.plain_video_size(label) for label in labels]
        for label, size in zip(labels, sizes):
            self.video(f"{folder}/{name} - {label}.mkv", size)
        self.nfo(folder, name, movie)
        return len(labels) + self.extras(folder, name, budget - len(labels))

    LAYOUT_MIN_FILES = {"multipart": 2, "versions": 2}

    def add_movie(self, movie, layout, budget):
        self.mtime = (MTIME_START + self.rng.randrange(MTIME_SPAN)) * 1_000_000_000 + self.rng.randrange(1_000_000_000)
        self.movies += 1
        self.layouts[layout] = self.layouts.get(layout, 0) + 1
        first = len(self.files)
        used = getattr(self, "layout_" + layout.replace("-", "_"))(movie, budget)
        if self.demo:
            self.describe(movie, layout, first)
        return used

    def describe(self, movie, layout, first):
        """The demo's NFO, poster and fanart beside the movie files added since `first`: in the movie's own
        folder (movie.nfo, poster.png, fanart.png), or named after the file where several movies share one."""
        import demo_metadata
        details = demo_metadata.Details(movie)
        nfo = demo_metadata.kodi_nfo(movie, details)
        poster, fanart = demo_metadata.poster_png(details), demo_metadata.fanart_png(details)
        places = []
        for path, kind, _, _, _ in self.files[first:]:
            if kind != VIDEO:
                continue
            folder, _, name = path.rpartition("/")
            if layout in ("loose", "scene-loose"):
                stem = name.rpartition(".")[0]
                place = (folder, f"{stem}.nfo", f"{stem}-poster.png", f"{stem}-fanart.png")
            else:
                if folder.rpartition("/")[2] in ("BDMV", "VIDEO_TS"):
                    folder = folder.rpartition("/")[0]
                place = (folder, "movie.nfo", "poster.png", "fanart.png")
            if place not in places:
                places.append(place)
        for folder, nfo_name, poster_name, fanart_name in places:
            self.add(self.join(folder, nfo_name), OTHER, content=nfo)
            self.add(self.join(folder, poster_name), OTHER, content=poster)
            self.add(self.join(folder, fanart_name), OTHER, content=fanart)


def kodi_nfo(movie):
    def esc(text):
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>', "<movie>",
             f"  <title>{esc(movie.title)}</title>", f"  <year>{movie.year}</year>"]
    if movie.ids:
        lines.append(f'  <uniqueid type="tmdb" default="true">{movie.ids[0]}</uniqueid>')
        lines.append(f'  <uniqueid type="imdb">{movie.ids[1]}</uniqueid>')
    if movie.collection:
        lines.append(f"  <set>\n    <name>{esc(movie.collection)}</name>\n  </set>")
    lines.append("</movie>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def scene_nfo(release):
    return (f"  {release}\n\n  RELEASE DATE ..: 2015-01-01\n  SOURCE ........: Retail\n"
            f"  NOTES .........: synthetic release info, not a Kodi nfo\n").encode("ascii")


SRT = b"1\n00:00:01,000 --> 00:00:04,000\n(synthetic subtitle)\n"


# ---------------------------------------------------------------------------------------------------------

def build_plan(count, seed, enabled, real_only, demo=False):
    rng = SeededRandom(seed)
    titles = TitleSource(SeededRandom(f"titles-{seed}"), real_only)
    plan = Plan(rng, enabled, demo)
    layouts = [name for name in LAYOUT_WEIGHTS if name in enabled]
    weights = tuple(LAYOUT_WEIGHTS[name] for name in layouts)
    singles = [name for name in layouts if name in SINGLE_FILE_LAYOUTS] or ["folder"]
    single_weights = tuple(LAYOUT_WEIGHTS[name] for name in singles)
    remaining = count
    while remaining > 0:
        movie = titles.next()
        if movie is None:
            break
        if plan.movies < len(layouts):
            layout = layouts[plan.movies]  # every enabled layout at least once, even in a small library
        else:
            layout = rng.weighted(layouts, weights)
        if Plan.LAYOUT_MIN_FILES.get(layout, 1) > remaining:
            layout = rng.weighted(singles, single_weights)
        remaining -= plan.add_movie(movie, layout, remaining)
    return plan


PADDING = b" " * 256


def write_plan(plan, root, sparse):
    created = {""}
    dir_mtimes = {}
    prefix = root + "/"

    def ensure_dir(rel):
        missing = []
        while rel not in created:
            missing.append(rel)
            rel = rel.rpartition("/")[0]
        for d in reversed(missing):
            os.mkdir(prefix + d)
            created.add(d)

    def note_mtime(rel, mtime):
        # A folder's mtime is when its last entry arrived; ancestors likewise.
        while rel:
            if dir_mtimes.get(rel, 0) >= mtime:
                break
            dir_mtimes[rel] = mtime
            rel = rel.rpartition("/")[0]

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    for rel, kind, size, mtime, content in plan.files:
        parent = rel.rpartition("/")[0]
        ensure_dir(parent)
        note_mtime(parent, mtime)
        if content is None:
            # The file's own path, so no two files are equal, padded so that sizes differ even where
            # paths have the same length.
            content = (rel + "\n").encode("utf-8") + PADDING[: (mtime // 1000) % 256]
        fd = os.open(prefix + rel, flags, 0o644)
        try:
            os.write(fd, content)
            if sparse and size and size > len(content):
                os.ftruncate(fd, size)  # the rest is a hole: a realistic size that takes no disk
            os.utime(fd, ns=(mtime, mtime))
        finally:
            os.close(fd)
    for rel, mtime in plan.empty_dirs:
        ensure_dir(rel)
        note_mtime(rel, mtime)
    for rel, mtime in dir_mtimes.items():
        os.utime(prefix + rel, ns=(mtime, mtime))
    if dir_mtimes:
        newest = max(dir_mtimes.values())
        os.utime(root, ns=(newest, newest))


REAL_VIDEOS = 12  # in a demo library, with ffmpeg installed: enough to show, few enough to draw in seconds
RESOLUTION_IN_NAME = re.compile(r"(2160p|1080p|720p|480p)")


def write_real_videos(plan, root, wanted):
    """Replaces a few video files of a demo library, spread over it, with real tiny videos (ffmpeg), keeping
    their mtimes. Returns how many were written (0 without ffmpeg)."""
    import demo_metadata
    if wanted <= 0:
        return 0
    if not demo_metadata.ffmpeg_available():
        print("gen_library: ffmpeg is not installed: the demo's video files are placeholders", file=sys.stderr)
        return 0
    candidates = [(rel, mtime) for rel, kind, _, mtime, _ in plan.files
                  if kind == VIDEO and rel.rpartition(".")[2].lower() in ("mkv", "mp4", "m4v", "avi")]
    step = max(1, len(candidates) // wanted)
    written = 0
    for n, (rel, mtime) in enumerate(candidates[::step][:wanted]):
        found = RESOLUTION_IN_NAME.search(rel)
        path = os.path.join(root, rel)
        if demo_metadata.write_tiny_video(path, 2 + n % 5, found.group(1) if found else "720p"):
            os.utime(path, ns=(mtime, mtime))
            written += 1
    return written


def parse_layouts(values):
    known = list(LAYOUT_WEIGHTS) + list(DECORATIONS)
    if not values:
        return set(known)
    chosen = set()
    for value in values:
        for name in filter(None, value.split(",")):
            if name == "all":
                chosen.update(known)
            elif name in known:
                chosen.add(name)
            else:
                raise argparse.ArgumentTypeError(f"unknown layout '{name}' (known: {', '.join(known)}, all)")
    if not chosen & set(LAYOUT_WEIGHTS):
        chosen.add("folder")
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", help="where to create the library; must be missing or empty")
    parser.add_argument("--count", type=int, help="number of video files (default 1000, 300 with --demo)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--layouts", nargs="+", metavar="LAYOUT",
                        help="layouts to use, space- or comma-separated: "
                             + ", ".join(list(LAYOUT_WEIGHTS) + list(DECORATIONS)) + " (default all)")
    parser.add_argument("--sparse", action="store_true",
                        help="give video files realistic sizes (700 MB - 40 GB) as sparse files")
    parser.add_argument("--demo", action="store_true",
                        help="a demo library: about 300 files, real films only, each with a Kodi NFO, a poster "
                             "and a fanart (invented by tools/demo_metadata.py), a few of them real videos")
    parser.add_argument("--real-videos", type=int, default=REAL_VIDEOS, metavar="N",
                        help=f"with --demo: how many video files are real tiny videos made by ffmpeg "
                             f"(default {REAL_VIDEOS})")
    args = parser.parse_args(argv)

    try:
        enabled = parse_layouts(args.layouts)
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    count = args.count if args.count is not None else (300 if args.demo else 1000)
    if count < 1:
        parser.error("--count must be at least 1")
    root = os.path.abspath(args.dir)
    if os.path.exists(root):
        if not os.path.isdir(root) or os.listdir(root):
            parser.error(f"{args.dir} exists and is not an empty directory")
    else:
        os.makedirs(root)

    started = time.monotonic()
    # Hundreds of thousands of small tuples and no cycles: the cyclic collector would only slow this down.
    gc.disable()
    plan = build_plan(count, args.seed, enabled, real_only=args.demo, demo=args.demo)
    write_plan(plan, root, args.sparse)
    real_videos = write_real_videos(plan, root, args.real_videos) if args.demo else 0
    files = plan.counts[VIDEO] + plan.counts[EXTRA]
    if files < count:
        print(f"gen_library: the real film list ran out after {files} files", file=sys.stderr)
    summary = {
        "files": files,
        "movies_expected": plan.movies,
        "extras": plan.counts[EXTRA],
        "dir": root,
        "movie_files": plan.counts[VIDEO],
        "other_files": plan.counts[OTHER],
        "seed": args.seed,
        "layouts": dict(sorted(plan.layouts.items())),
        "seconds": round(time.monotonic() - started, 2),
    }
    if args.demo:
        summary["real_videos"] = real_videos
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
