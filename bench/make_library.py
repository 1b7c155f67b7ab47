#!/usr/bin/env python3
"""Write a library of synthetic, well-formed briefs for benchmarks.

    python bench/make_library.py N [OUTDIR] [--seed S] [--claims MIN-MAX] [--jobs J] [--force]
    python bench/make_library.py --single-claims K [OUTDIR] [--seed S]

The first form writes N files ``<id>.brief.yaml`` into subfolders of 100 files
each (``OUTDIR/000/``, ``OUTDIR/001/``, ...) so the recursive library loader is
exercised; the default OUTDIR is ``bench/out/lib-N``.  The second writes ONE
brief with K claims (default OUTDIR ``bench/out/single-K``).

Every brief has the realistic shape of brief format version 1 (see
docs/format.md): handling banner, BLUF, summary, key judgments, 3-12 sections,
some nested, whose Markdown bodies embed ``[[claim-id]]``, ``[[entity-id]]`` and
``[@source-id, p. N]``; 20-200 claims of every kind; 5-30 sources; 5-40
entities; a timeline; tags; and ``related`` links to other briefs of the same
library.  A generated library is meant to pass ``briefreader check --strict``
with no errors and no warnings.

The text is pseudo-English drawn, with Zipf-like weights, from the word lists
below, with place and person names, so that search benchmarks see a realistic
spread of term frequencies.  Output is a pure function of (seed, N, claims
range): the same arguments give the same bytes, whatever --jobs is.

The YAML is written by hand (block style, literal blocks for Markdown, quoting
only where YAML needs it), which is both faster than yaml.safe_dump and closer
to what an analyst writes.  Only the standard library and PyYAML's resolver
(to decide what needs quoting) are used.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import time
import unicodedata
from bisect import bisect
from datetime import date as _date
from functools import partial
from pathlib import Path
from random import Random

from yaml.resolver import Resolver

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = BENCH_DIR / "out"
DEFAULT_CLAIMS = (20, 200)
FILES_PER_FOLDER = 100
SUFFIX = ".brief.yaml"

# ---------------------------------------------------------------------------
# Word lists.  Order matters: earlier words are drawn more often (Zipf).

NOUNS = """
deployment force system missile agreement security border region government ministry
official leader president minister delegation meeting council treaty sanction unit
brigade battalion airbase facility export pipeline refinery port shipment convoy
exercise drill rotation reserve recruitment mobilisation casualty loss offensive
assault strike drone radar battery launcher warhead stockpile production factory
plant supply logistics railway bridge depot airfield corridor frontline sector axis
operation campaign narrative statement rhetoric broadcast channel report assessment
estimate indicator warning threat risk capability capacity posture doctrine strategy
policy budget revenue economy inflation currency grain fuel gas oil electricity grid
network cable satellite imagery signal intercept witness journalist blogger analyst
observer envoy ambassador negotiation ceasefire truce protest election referendum
parliament court verdict arrest detention militia insurgent contractor mercenary
volunteer conscript officer commander general admiral garrison headquarters command
district fleet vessel frigate submarine corvette tanker cargo smuggling customs
checkpoint crossing refugee evacuation shelling barrage artillery ammunition shell
rocket interceptor shield fortification trench minefield position village town city
province capital coast island peninsula river reservoir dam reactor inspection
inspector mandate resolution coalition alliance partner neighbour ally adversary
rival pressure leverage concession guarantee obligation sovereignty integration
influence presence control authority autonomy legitimacy stability escalation
deterrence signalling credibility ambiguity uncertainty intent decision schedule
deadline window phase stage pattern trend shift change increase decline surge
shortage constraint priority objective goal target interest concern question denial
allegation evidence footage photograph document memo leak disclosure investigation
audit contract tender procurement supplier component microchip engine turbine sensor
jammer decoy interception sortie flight airspace incursion violation provocation
incident accident explosion fire outage blackout attack raid ambush sabotage
cyberattack malware breach disinformation propaganda outlet platform account post
video message spokesperson ministry-of-defence governor mayor prosecutor diplomat
summit communique declaration framework roadmap initiative programme package loan
investment tariff quota embargo waiver licence permit regulation law decree order
directive instruction exemption subsidy payment transfer reserve-fund bond debt
default harvest drought flood storm heatwave wildfire epidemic vaccine hospital
clinic school university student worker union strike-action wage price market
exchange bank lender creditor insurer shipper carrier freight container terminal
warehouse quarry mine smelter pipeline-operator utility substation transformer
generator turbine-hall control-room perimeter fence gate tunnel bunker hangar
runway taxiway apron silo missile-base test-range launch-site tracking-station
""".split()

VERBS = [tuple(pair.split("/")) for pair in """
deploy/deployed sign/signed announce/announced confirm/confirmed deny/denied
request/requested reject/rejected approve/approved launch/launched strike/struck
move/moved relocate/relocated withdraw/withdrew reinforce/reinforced expand/expanded
reduce/reduced restore/restored resume/resumed suspend/suspended halt/halted
block/blocked seize/seized capture/captured lose/lost recapture/recaptured
target/targeted intercept/intercepted shoot/shot destroy/destroyed damage/damaged
repair/repaired build/built test/tested train/trained recruit/recruited mobilise/mobilised
fund/funded supply/supplied deliver/delivered ship/shipped export/exported import/imported
sanction/sanctioned criticise/criticised condemn/condemned welcome/welcomed support/supported
oppose/opposed negotiate/negotiated discuss/discussed agree/agreed propose/proposed
accuse/accused warn/warned threaten/threatened claim/claimed report/reported
publish/published reveal/revealed leak/leaked detain/detained arrest/arrested
release/released dismiss/dismissed appoint/appointed replace/replaced promote/promoted
inspect/inspected monitor/monitored observe/observed track/tracked detect/detected
identify/identified assess/assessed estimate/estimated indicate/indicated signal/signalled
underscore/underscored highlight/highlighted consolidate/consolidated integrate/integrated
undermine/undermined strengthen/strengthened weaken/weakened degrade/degraded
disrupt/disrupted sabotage/sabotaged evacuate/evacuated shell/shelled bomb/bombed
occupy/occupied patrol/patrolled escort/escorted transit/transited
""".split()]

ADJECTIVES = """
new military strategic regional national local senior former current joint
significant limited broader immediate long-term short-term operational tactical
political economic diplomatic nuclear conventional ballistic medium-range
long-range short-range mobile fixed covert public official unofficial reported
alleged unverified credible reliable independent foreign domestic western eastern
northern southern central coastal rural urban key major minor critical persistent
ongoing renewed sustained sudden gradual rapid slow heavy light large small
additional initial final previous recent upcoming planned unplanned unannounced
expanded reduced improved degraded damaged destroyed secure insecure stable unstable
contested disputed formal informal bilateral multilateral trilateral unified
integrated independent-minded hardline moderate pragmatic cautious aggressive
defensive offensive deliberate opportunistic coordinated uncoordinated
state-owned private commercial industrial financial technical logistical
administrative legal humanitarian civilian paramilitary irregular elite reserve
frontline rear forward underground offshore cross-border maritime aerial naval
airborne mechanised motorised armoured air-defence electronic digital
""".split()

ADVERBS = """
reportedly publicly privately quickly gradually repeatedly increasingly largely
partly fully formally informally jointly separately reluctantly openly quietly
deliberately temporarily permanently briefly further again already still
""".split()

PREPOSITIONS = "in near around across along within outside beyond toward from".split()
OPENERS = [
    "However,", "In addition,", "Meanwhile,", "By contrast,", "At the same time,",
    "Separately,", "Moreover,", "Even so,", "In practice,", "Notably,", "Since then,",
]
TIMEFRAMES = [
    "within the next six months", "over the coming weeks", "before the end of the year",
    "in the near term", "over the next twelve months", "by mid-{y}", "by early {y}",
    "during {y}", "in the medium term", "before the winter", "after the {p} summit",
]
MONTHS = ("January February March April May June July August September October "
          "November December").split()

PLACES = """
Minsk Kyiv Moscow Warsaw Vilnius Riga Tallinn Helsinki Stockholm Oslo Berlin Prague
Bratislava Budapest Bucharest Chisinau Sofia Belgrade Sarajevo Tirana Skopje Athens
Ankara Istanbul Tbilisi Yerevan Baku Tehran Baghdad Damascus Beirut Amman Cairo
Tripoli Tunis Algiers Rabat Khartoum Addis-Ababa Nairobi Mogadishu Djibouti Sanaa
Aden Riyadh Doha Muscat Kabul Islamabad Tashkent Astana Bishkek Dushanbe Ashgabat
Beijing Taipei Seoul Pyongyang Tokyo Manila Hanoi Jakarta Canberra Brest Grodno
Gomel Mogilev Vitebsk Baranovichi Orsha Lida Bobruisk Kharkiv Odesa Dnipro
Zaporizhzhia Kherson Mykolaiv Lviv Sumy Chernihiv Toretsk Vuhledar Bakhmut Avdiivka
Pokrovsk Kramatorsk Sloviansk Donetsk Luhansk Mariupol Sevastopol Kerch Simferopol
Belgorod Kursk Bryansk Voronezh Rostov Krasnodar Novorossiysk Kaliningrad Pskov
Smolensk Murmansk Severomorsk Arkhangelsk Kazan Samara Saratov Volgograd Astrakhan
Orenburg Yekaterinburg Novosibirsk Omsk Irkutsk Vladivostok Khabarovsk Latakia
Tartus Khmeimim Aleppo Idlib Homs Deir-ez-Zor Raqqa Mosul Erbil Kirkuk Basra
Hodeidah Marib Port-Sudan Benghazi Misrata Sirte Gdansk Rzeszow Lublin Suwalki
Kraków Łódź Poznań Klaipėda Kaunas Daugavpils Narva Tartu Constanța Galați Varna
Burgas Thessaloniki Izmir Mersin Adana Batumi Gyumri Ganja Nakhchivan Bandar-Abbas
Chabahar Gwadar Karachi Aktau Atyrau Termez
""".split()

COUNTRIES = [
    ("Russia", ["Russian Federation", "RF"]), ("Belarus", ["Republic of Belarus"]),
    ("Ukraine", []), ("Poland", ["Republic of Poland"]), ("Lithuania", []), ("Latvia", []),
    ("Estonia", []), ("Finland", []), ("Sweden", []), ("Norway", []), ("Germany", ["FRG"]),
    ("France", []), ("United Kingdom", ["UK", "Britain"]), ("United States", ["US", "USA"]),
    ("Turkey", ["Türkiye"]), ("Georgia", []), ("Armenia", []), ("Azerbaijan", []),
    ("Iran", ["Islamic Republic of Iran"]), ("Iraq", []), ("Syria", []), ("Lebanon", []),
    ("Israel", []), ("Jordan", []), ("Egypt", []), ("Libya", []), ("Sudan", []),
    ("Ethiopia", []), ("Somalia", []), ("Yemen", []), ("Saudi Arabia", ["KSA"]),
    ("Qatar", []), ("Oman", []), ("Afghanistan", []), ("Pakistan", []), ("India", []),
    ("China", ["PRC", "People's Republic of China"]), ("Taiwan", []),
    ("North Korea", ["DPRK"]), ("South Korea", ["ROK"]), ("Japan", []),
    ("Kazakhstan", []), ("Uzbekistan", []), ("Kyrgyzstan", []), ("Tajikistan", []),
    ("Moldova", []), ("Romania", []), ("Bulgaria", []), ("Serbia", []), ("Hungary", []),
    ("Slovakia", []), ("Czechia", ["Czech Republic"]), ("Greece", []), ("Mali", []),
    ("Niger", []), ("Burkina Faso", []), ("Chad", []), ("Venezuela", []), ("Cuba", []),
]

FIRST_NAMES = """
Alexander Vladimir Sergei Dmitry Andrei Nikolai Viktor Oleksandr Volodymyr Mykhailo
Yulia Olena Natalia Svetlana Tatiana Irina Maria Anna Elena Oksana Pavel Igor Yuri
Roman Maxim Artem Denys Bohdan Taras Ivan Petro Lukas Jonas Mantas Andris Janis Kaja
Mikko Annika Erik Lars Ingrid Sofia Lucas Emma Hannah Jakub Piotr Tomasz Agnieszka
Katarzyna Marta Zsofia Gabor Radu Ioana Mihai Elif Mehmet Ayse Giorgi Nino Armen
Leyla Ali Reza Fatemeh Omar Layla Hassan Nadia Karim Yusuf Amina Farid Rustam Aigerim
Nurlan Dilnoza Chen Wei Li Ming Hiroshi Yuki Min-jun Ji-woo James Sarah Michael
Rachel David Laura Thomas Claire Pierre Camille Jean Manon Matthias Julia Stefan
""".split()

SURNAMES = """
Petrov Ivanov Sokolov Volkov Morozov Kuznetsov Popov Lebedev Kozlov Novikov Orlov
Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Melnyk Boyko Moroz Lysenko
Hrytsenko Kazakov Zakharov Belov Gromov Sidorov Karpov Frolov Makarov Nikitin
Lukashenko Makei Khrenin Volfovich Tsikhanouskaya Babaryka Kolesnikova Latushka
Nowak Kowalski Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Kazlauskas
Jankauskas Bērziņš Kalniņš Tamm Saar Virtanen Korhonen Lindqvist Johansson Nilsen
Hansen Müller Schmidt Schneider Fischer Weber Dubois Lefèvre Martin Bernard Moreau
Smith Johnson Carter Bennett Hughes Walker Turner Collins Murphy Kelly Yilmaz Kaya
Demir Şahin Beridze Kapanadze Harutyunyan Grigoryan Aliyev Mammadov Hosseini Rahimi
Karimi Haddad Khalil Nasser Farouk Mansour Abdullah Rahman Nazarbayev Tokayev Karimov
Sultanov Zhang Wang Liu Chen Yang Tanaka Suzuki Watanabe Kim Park Lee Choi Popescu
Ionescu Horváth Novák Dimitrov Georgiev Papadopoulos Jovanović Petrović
""".split()

ORG_PATTERNS = [
    "Ministry of Defence of {C}", "{C} General Staff", "{C} Border Guard Service",
    "{C} Security Council", "{C} State Security Committee", "{C} Foreign Ministry",
    "{C} Armed Forces", "{C} Air Force", "{C} Navy", "{C} Central Bank",
    "Institute for the Study of {N}", "{P} Centre for {A} Studies", "{S} Foundation",
    "{A} {N} Monitoring Group", "{P} Observatory", "{C} National Guard",
    "{S} Strategic Research Institute", "{P} Energy Company", "{C} Railways",
]
UNIT_PATTERNS = [
    "{o} Guards {a} Brigade", "{o} {a} Division", "{o} Missile Brigade",
    "{o} Air Defence Regiment", "{o} Separate {a} Battalion", "{o} Combined Arms Army",
]
WEAPON_NAMES = """
Oreshnik Iskander-M Kinzhal Kalibr Kh-101 Kh-22 Tochka-U Tor-M2 Pantsir-S1 S-300 S-400
S-500 Buk-M3 Shahed-136 Geran-2 Lancet Orlan-10 Zala Bayraktar-TB2 HIMARS ATACMS
Storm-Shadow Patriot IRIS-T NASAMS Gepard Leopard-2 T-90M T-72B3 BMP-3 Su-34 Su-35
Tu-95MS Tu-22M3 MiG-31K Ka-52 Mi-28 Polonez Palma Neptune
""".split()
FACILITY_KINDS = ["airbase", "depot", "refinery", "port", "test range", "plant",
                  "arsenal", "radar station", "rail hub", "training ground"]
UNIT_ADJ = ["Motorised Rifle", "Tank", "Artillery", "Airborne", "Mechanised",
            "Special Purpose", "Engineer", "Signals", "Naval Infantry"]
PUBLISHER_PATTERNS = [
    "{P} Policy Institute", "The {P} Courier", "{P} Daily", "{A} Affairs Review",
    "{S} Analytics", "Centre for {A} Security", "{P} Broadcasting Corporation",
    "{N} Watch", "{P} Telegraph Agency", "Open Source {N} Project",
]
TAGS = """
belarus russia ukraine nato missiles air-defence nuclear deterrence sanctions energy
economy elections protests border black-sea baltic caucasus central-asia middle-east
syria drones artillery logistics mobilisation recruitment disinformation cyber
shipping grain diplomacy negotiations ceasefire union-state china iran north-korea
arms-trade defence-industry space maritime arctic humanitarian refugees
""".split()

# Brief format vocabularies (see src/briefreader/vocab.py; copied, not imported,
# so the generator runs without the package installed).
BRIEF_TYPES = ["assessment", "update", "warning", "estimate", "memo", "digest", "fact-check"]
BRIEF_STATUSES = ["final"] * 6 + ["draft"] * 3 + ["superseded", "withdrawn"]
LIKELIHOODS = ["almost-no-chance", "very-unlikely", "unlikely", "roughly-even-chance",
               "likely", "very-likely", "almost-certain"]
LIKELIHOOD_WEIGHTS = [2, 6, 12, 14, 30, 24, 12]
LIKELIHOOD_SYNONYMS = ["remote", "highly-improbable", "improbable", "roughly-even-odds",
                       "probable", "highly-probable", "nearly-certain"]
CONFIDENCES = ["low", "moderate", "high"]
RELIABILITY = list("ABCDEF")
RELIABILITY_WEIGHTS = [4, 30, 34, 14, 4, 14]
CREDIBILITY = [2, 3, 4, 5, 6]
CREDIBILITY_WEIGHTS = [38, 34, 14, 5, 9]
RELS = ["see-also", "references", "supersedes", "superseded-by", "updates", "updated-by",
        "part-of", "has-part", "responds-to", "supports", "contradicts"]
REL_WEIGHTS = [30, 20, 3, 3, 8, 8, 4, 4, 8, 6, 6]
# (classification, tlp, portion mark)
HANDLINGS = [
    ("UNCLASSIFIED", "CLEAR", "U"),
    ("UNCLASSIFIED", "GREEN", "U"),
    ("UNCLASSIFIED", "TLP:GREEN", "U"),
    ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", "AMBER", "U//FOUO"),
    ("OFFICIAL", "GREEN", "OFFICIAL"),
    ("OFFICIAL-SENSITIVE", "AMBER", "OFFICIAL-SENSITIVE"),
    (None, "AMBER+STRICT", None),
    (None, "CLEAR", None),
    ("UNCLASSIFIED", None, "U"),
]
HANDLING_WEIGHTS = [30, 15, 5, 8, 12, 8, 6, 10, 6]
NOTICES = [
    "Synthetic benchmark brief generated by bench/make_library.py; all content is machine-made.",
    "Distribution limited to partner analysts; do not forward outside the community.",
    "Contains information from open sources only.",
    "Derived from reporting current as of the data cutoff.",
]
SOURCE_TYPES = ["report", "article-newspaper", "article-journal", "webpage", "book",
                "document", "speech", "interview", "dataset", "post"]
SOURCE_TYPE_WEIGHTS = [22, 26, 6, 14, 3, 8, 6, 5, 4, 6]
PRIMARY_TYPES = {"report", "dataset", "speech", "document", "article-journal", "book"}
SECONDARY_TYPES = {"article-newspaper", "webpage", "post"}
AV_TYPES = {"speech", "interview"}


def _cumulative(n: int, exponent: float = 1.05) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


class Pick:
    """Zipf-weighted choice from a fixed list (a cumulative table and bisect)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items, exponent: float = 1.05):
        self.items = list(items)
        self.cum = _cumulative(len(self.items), exponent)
        self.total = self.cum[-1]

    def __call__(self, rng: Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


PICK_NOUN = Pick(NOUNS, 0.8)
PICK_VERB = Pick(VERBS, 0.8)
PICK_ADJ = Pick(ADJECTIVES, 0.8)
PICK_ADV = Pick(ADVERBS, 0.6)
PICK_PLACE = Pick(PLACES, 0.8)
PICK_COUNTRY = Pick(COUNTRIES, 0.9)
PICK_FIRST = Pick(FIRST_NAMES, 0.5)
PICK_SURNAME = Pick(SURNAMES, 0.5)
PICK_WEAPON = Pick(WEAPON_NAMES, 0.7)


def weighted(rng: Random, items, weights):
    return rng.choices(items, weights)[0]


def plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def third_person(verb: str) -> str:
    return plural(verb)  # the same spelling rules


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


SLUG_STOPWORDS = {"a", "an", "the", "and", "of", "for", "on", "in", "after", "what", "means", "through"}


def slugify(text: str, max_words: int = 5, max_len: int = 48) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text.lower()) if w not in SLUG_STOPWORDS]
    slug = ""
    for word in words[:max_words]:
        if slug and len(slug) + 1 + len(word) > max_len:
            break
        slug = f"{slug}-{word}" if slug else word[:max_len]
    return slug or "x"


def place_name(raw: str) -> str:
    return raw.replace("-", " ")


class Q(str):
    """A string always written double-quoted (dates, so YAML 1.1 never reads them as dates)."""

    __slots__ = ()


def iso_date(ordinal: int) -> str:
    return _date.fromordinal(ordinal).isoformat()


# ---------------------------------------------------------------------------
# Per-brief identity, computable without building the brief (for `related`).

DATE_LO = 738521  # 2023-01-01
DATE_HI = 739797  # 2026-07-01


def brief_head(seed: int, index: int, single: int | None = None) -> dict:
    """A brief's id, title, date and focus, from (seed, index) alone."""
    rng = Random(f"briefreader-bench:{seed}:{index}:head")
    country, _ = PICK_COUNTRY(rng)
    place = place_name(PICK_PLACE(rng))
    noun1, noun2 = PICK_NOUN(rng), PICK_NOUN(rng)
    adj = PICK_ADJ(rng)
    ordinal = rng.randrange(DATE_LO, DATE_HI)
    year = iso_date(ordinal)[:4]
    pattern = rng.randrange(6)
    if pattern == 0:
        title = f"{place}: {cap(adj)} {cap(noun1)} and {cap(noun2)}"
    elif pattern == 1:
        title = f"{country} {cap(noun1)} {cap(noun2)} Through {int(year) + 1}"
    elif pattern == 2:
        title = f"{cap(adj)} {cap(noun1)} on the {place} {cap(noun2)}"
    elif pattern == 3:
        title = f"What the {place} {cap(noun1)} Means for {country}"
    elif pattern == 4:
        title = f"{country}: {cap(plural(noun1))} After the {place} {cap(noun2)}"
    else:
        title = f"{cap(noun1)} Watch: {country} and {place}, {MONTHS[rng.randrange(12)]} {year}"
    if single is not None:
        brief_id = f"single-{single}-claims-{slugify(title, 3, 30)}"
    else:
        width = 5 if index < 100000 else len(str(index))
        brief_id = f"b{index:0{width}d}-{slugify(title, 4, 40)}"
    return {"id": brief_id, "title": title, "country": country, "place": place,
            "ordinal": ordinal, "nouns": (noun1, noun2)}


# ---------------------------------------------------------------------------
# Text


class Writer:
    """Pseudo-English sentences about a brief's own entities."""

    def __init__(self, rng: Random, names: list[str], year: int):
        self.rng = rng
        self.names = names  # display names of the brief's entities
        self.pick_name = Pick(names, 0.6) if names else None
        self.year = year

    def np(self, allow_of: bool = True) -> str:
        rng = self.rng
        noun = PICK_NOUN(rng)
        roll = rng.random()
        if roll < 0.45:
            head = f"the {PICK_ADJ(rng)} {noun}" if rng.random() < 0.6 else f"the {noun}"
        elif roll < 0.7:
            head = (f"{PICK_ADJ(rng)} {plural(noun)}" if rng.random() < 0.6 else plural(noun))
        else:
            adj = PICK_ADJ(rng)
            head = f"{article(adj)} {adj} {noun}"
        if allow_of and rng.random() < 0.25:
            head += f" of the {PICK_NOUN(rng)}"
        return head

    def name(self) -> str:
        return self.pick_name(self.rng) if self.pick_name else place_name(PICK_PLACE(self.rng))

    def subject(self) -> str:
        return self.name() if self.rng.random() < 0.5 else self.np()

    def pp(self) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            return f" {rng.choice(PREPOSITIONS)} {place_name(PICK_PLACE(rng))}"
        return f" {rng.choice(PREPOSITIONS)} {self.np(False)}"

    def when(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            return f" on {rng.randrange(1, 29)} {MONTHS[rng.randrange(12)]}"
        if roll < 0.4:
            return f" in {MONTHS[rng.randrange(12)]} {self.year - rng.randrange(2)}"
        if roll < 0.5:
            return rng.choice([" last week", " earlier this month", " in recent days",
                               " over the weekend", " late last year"])
        return ""

    def timeframe(self) -> str:
        text = self.rng.choice(TIMEFRAMES)
        return " " + text.format(y=self.year + self.rng.randrange(1, 3),
                                 p=place_name(PICK_PLACE(self.rng)))

    def past_clause(self) -> str:
        rng = self.rng
        verb = PICK_VERB(rng)[1]
        adv = f"{PICK_ADV(rng)} " if rng.random() < 0.15 else ""
        return f"{self.subject()} {adv}{verb} {self.np()}{self.pp() if rng.random() < 0.7 else ''}{self.when()}"

    def future_clause(self) -> str:
        rng = self.rng
        verb = PICK_VERB(rng)[0]
        return f"{self.subject()} will {verb} {self.np()}{self.pp() if rng.random() < 0.5 else ''}{self.timeframe()}"

    def present_clause(self) -> str:
        rng = self.rng
        subj = self.subject()
        verb = PICK_VERB(rng)[0]
        return f"{subj} continues to {verb} {self.np()}{self.pp() if rng.random() < 0.5 else ''}"

    def sentence(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            text = self.past_clause()
        elif roll < 0.7:
            text = self.present_clause()
        elif roll < 0.82:
            text = f"{self.past_clause()}, while {self.past_clause()}"
        else:
            text = f"{self.past_clause()}, which {PICK_VERB(rng)[1]} {self.np()}"
        if rng.random() < 0.18:
            if text.startswith(("The ", "A ", "An ")):
                text = text[0].lower() + text[1:]
            text = f"{rng.choice(OPENERS)} {text}"
        return cap(text)

    def claim_text(self, kind: str, speaker: str | None) -> str:
        rng = self.rng
        if kind == "fact":
            text = self.past_clause()
        elif kind == "reported":
            lead = speaker or rng.choice(["Local media", "Officials", "Residents", "State television",
                                          "Opposition channels", "A regional newspaper"])
            verb = rng.choice(["said", "reported", "claimed", "stated", "alleged"])
            text = f"{lead} {verb} that {self.past_clause()}"
        elif kind == "assessment":
            if speaker:
                text = f"{speaker} assessed that {self.future_clause()}"
            elif rng.random() < 0.5:
                text = self.future_clause()
            else:
                text = f"{cap(self.np())} is intended to {PICK_VERB(rng)[0]} {self.np()}{self.pp()}"
        else:
            text = rng.choice(["The assessment assumes that ", "We assume that ",
                               "This judgment rests on the premise that "]) + self.present_clause()
        if rng.random() < 0.2:
            text += f", {rng.choice(['although', 'because', 'after', 'as'])} {self.past_clause()}"
        return cap(text) + "."


# ---------------------------------------------------------------------------
# One brief as plain data


def _choose_dates(rng: Random, ordinal: int) -> dict:
    dates = {}
    if rng.random() < 0.15:
        dates["date"] = Q(f"{iso_date(ordinal)}T{rng.randrange(6, 20):02d}:{rng.choice(['00', '15', '30', '45'])}:00Z")
    else:
        dates["date"] = Q(iso_date(ordinal))
    if rng.random() < 0.4:
        dates["modified"] = Q(iso_date(ordinal + rng.randrange(1, 90)))
    if rng.random() < 0.7:
        dates["data_cutoff"] = Q(iso_date(ordinal - rng.randrange(0, 10)))
    return dates


def make_entities(rng: Random, head: dict, count: int) -> list[dict]:
    entities: list[dict] = []
    used: dict[str, int] = {}

    def add(kind: str, name: str, aliases: list[str] | None = None, within: str | None = None,
            prefix: str = "") -> str:
        base = prefix + slugify(name, 6, 40)
        if re.fullmatch(r"(c|s|ev)-\d+|src-.*|author", base):
            base = "ent-" + base  # keep clear of the generated claim, section, event, source ids
        n = used.get(base, 0) + 1
        used[base] = n
        ent_id = base if n == 1 else f"{base}-{n}"
        item = {"id": ent_id, "type": kind, "name": name}
        if aliases:
            item["aliases"] = aliases
        if within:
            item["within"] = within
        entities.append(item)
        return ent_id

    country_ids: list[str] = []
    place_ids: list[str] = []
    org_ids: list[str] = []
    seen_names: set[str] = set()

    def country(name=None):
        if name is None:
            name, aliases = PICK_COUNTRY(rng)
        else:
            aliases = dict(COUNTRIES).get(name, [])
        if name in seen_names:
            return None
        seen_names.add(name)
        country_ids.append(add("country", name, list(aliases)))
        return country_ids[-1]

    country(head["country"])
    focus_place = head["place"]
    seen_names.add(focus_place)
    place_ids.append(add("place", focus_place, within=country_ids[0]))
    kinds = ["person", "person", "person", "organization", "organization", "country", "place",
             "place", "facility", "military-unit", "weapon-system", "event", "agreement", "other"]
    attempts = 0
    while len(entities) < count and attempts < count * 10:
        attempts += 1
        kind = rng.choice(kinds)
        if kind == "country":
            country()
        elif kind == "place":
            name = place_name(PICK_PLACE(rng))
            if name in seen_names:
                continue
            seen_names.add(name)
            place_ids.append(add("place", name, within=rng.choice(country_ids) if rng.random() < 0.8 else None))
        elif kind == "person":
            first, last = PICK_FIRST(rng), PICK_SURNAME(rng)
            name = f"{first} {last}"
            if name in seen_names:
                continue
            seen_names.add(name)
            aliases = [last] if rng.random() < 0.6 else []
            if rng.random() < 0.3:
                aliases.append(f"{first[0]}. {last}")
            add("person", name, aliases)
        elif kind == "organization":
            pattern = rng.choice(ORG_PATTERNS)
            name = pattern.format(C=rng.choice(COUNTRIES)[0], N=cap(PICK_NOUN(rng)),
                                  P=place_name(PICK_PLACE(rng)), A=cap(PICK_ADJ(rng)),
                                  S=PICK_SURNAME(rng))
            if name in seen_names:
                continue
            seen_names.add(name)
            acronym = "".join(w[0] for w in re.findall(r"[A-Za-z][\w-]*", name) if w[0].isupper())
            org_ids.append(add("organization", name, [acronym] if len(acronym) >= 3 and rng.random() < 0.6 else None))
        elif kind == "facility":
            place = rng.choice(place_ids)
            pname = next(e["name"] for e in entities if e["id"] == place)
            name = f"{pname} {rng.choice(FACILITY_KINDS)}"
            if name in seen_names:
                continue
            seen_names.add(name)
            add("facility", name, within=place)
        elif kind == "military-unit":
            ordinal = rng.randrange(1, 400)
            suffix = "th" if 10 <= ordinal % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(ordinal % 10, "th")
            name = rng.choice(UNIT_PATTERNS).format(o=f"{ordinal}{suffix}", a=rng.choice(UNIT_ADJ))
            if name in seen_names:
                continue
            seen_names.add(name)
            add("military-unit", name, within=rng.choice(org_ids) if org_ids and rng.random() < 0.5 else None)
        elif kind == "weapon-system":
            name = PICK_WEAPON(rng)
            if name in seen_names:
                continue
            seen_names.add(name)
            aliases = [name.replace("-", " ")] if "-" in name and rng.random() < 0.5 else None
            add("weapon-system", name, aliases)
        elif kind == "event":
            name = f"{place_name(PICK_PLACE(rng))} {rng.choice(['summit', 'talks', 'exercise', 'incident', 'parade'])} {head['ordinal'] // 365 + 1}"
            if name in seen_names:
                continue
            seen_names.add(name)
            add("event", name)
        elif kind == "agreement":
            name = f"{place_name(PICK_PLACE(rng))} {rng.choice(['Accord', 'Memorandum', 'Security Agreement', 'Protocol', 'Framework'])}"
            if name in seen_names:
                continue
            seen_names.add(name)
            add("agreement", name)
        else:
            name = f"{cap(PICK_ADJ(rng))} {cap(PICK_NOUN(rng))} Initiative"
            if name in seen_names:
                continue
            seen_names.add(name)
            add("other", name)
    return entities


def make_sources(rng: Random, writer: Writer, count: int, ordinal: int, marking: str | None) -> list[dict]:
    sources: list[dict] = []
    used: set[str] = set()
    for n in range(count):
        stype = weighted(rng, SOURCE_TYPES, SOURCE_TYPE_WEIGHTS)
        publisher = rng.choice(PUBLISHER_PATTERNS).format(
            P=place_name(PICK_PLACE(rng)), A=cap(PICK_ADJ(rng)), S=PICK_SURNAME(rng), N=cap(PICK_NOUN(rng)))
        pub_slug = slugify(publisher, 2, 20)
        issued = ordinal - rng.randrange(0, 400)
        src_id = f"src-{pub_slug}-{iso_date(issued)[:4]}"
        if src_id in used:
            src_id = f"{src_id}-{n + 1}"
        used.add(src_id)
        title = cap(writer.np()) + rng.choice([
            "", f" in {place_name(PICK_PLACE(rng))}", f": {cap(PICK_ADJ(rng))} {cap(plural(PICK_NOUN(rng)))}",
            f" and the {cap(PICK_NOUN(rng))}"])
        title = " ".join(w if w in ("of", "the", "in", "and", "a", "an") else cap(w) for w in title.split(" "))
        title = cap(title)
        item = {"id": src_id, "type": stype, "title": title}
        domain = f"{pub_slug}.example"
        url = f"https://{domain}/{iso_date(issued)[:4]}/{iso_date(issued)[5:7]}/{slugify(title, 6, 60)}"
        if stype in ("article-newspaper", "article-journal", "book", "interview", "speech", "post") or rng.random() < 0.4:
            if stype == "post":
                item["author"] = [f"@{slugify(PICK_SURNAME(rng), 1, 20)}{rng.randrange(10, 99)}"]
            else:
                item["author"] = [f"{PICK_FIRST(rng)} {PICK_SURNAME(rng)}" for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        if stype in ("article-newspaper", "article-journal"):
            item["container-title"] = publisher if stype == "article-newspaper" else f"Journal of {cap(PICK_ADJ(rng))} Studies"
        if stype not in ("article-newspaper", "post"):
            item["publisher"] = publisher
        item["issued"] = Q(iso_date(issued))
        if stype in ("webpage", "post", "article-newspaper", "dataset") or rng.random() < 0.2:
            item["accessed"] = Q(iso_date(min(ordinal, issued + rng.randrange(0, 30))))
        if stype != "book" and rng.random() < 0.85:
            item["URL"] = url
        if stype in ("article-journal", "dataset", "book") and rng.random() < 0.7:
            item["DOI"] = f"10.5555/{pub_slug}.{iso_date(issued)[:4]}.{rng.randrange(1000, 99999)}"
        item["reliability"] = weighted(rng, RELIABILITY, RELIABILITY_WEIGHTS)
        if rng.random() < 0.4:
            item["descriptor"] = rng.choice([
                "Well-placed official with direct access; reporting record mixed.",
                "State-controlled outlet; repeats official positions.",
                "Independent research group; methodology published.",
                "Anonymous channel; no track record established.",
                "Eyewitness account, single observer.",
                "Commercial imagery provider; imagery dated and geolocated.",
                f"Regional outlet based in {place_name(PICK_PLACE(rng))}; limited access to the area.",
            ])
        if stype in SECONDARY_TYPES and rng.random() < 0.5:
            earlier = [s["id"] for s in sources if s["type"] in PRIMARY_TYPES]
            if earlier:
                item["derived_from"] = rng.sample(earlier, min(len(earlier), rng.choice([1, 1, 2])))
        if marking and rng.random() < 0.3:
            item["marking"] = marking
        sources.append(item)
    return sources


def _locator(rng: Random, stype: str):
    if stype in AV_TYPES and rng.random() < 0.8:
        return {"timestamp": f"{rng.randrange(0, 2):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"}
    roll = rng.random()
    if roll < 0.6:
        return {"page": rng.randrange(1, 120)}
    if roll < 0.7:
        start = rng.randrange(1, 100)
        return {"page": f"{start}-{start + rng.randrange(1, 4)}"}
    if roll < 0.85:
        return {"paragraph": rng.randrange(1, 40)}
    return {"section": f"{rng.randrange(1, 9)}.{rng.randrange(1, 9)}"}


def make_citations(rng: Random, writer: Writer, sources: list[dict], count: int) -> list[dict]:
    count = min(count, len(sources))
    chosen = rng.sample(range(len(sources)), count)
    cites = []
    for position, index in enumerate(chosen):
        source = sources[index]
        cite = {"source": source["id"]}
        if rng.random() < 0.75:
            cite["locator"] = _locator(rng, source["type"])
        if rng.random() < 0.12:
            cite["quote"] = writer.sentence() + "."
        if rng.random() < 0.85:
            if count >= 2 and rng.random() < 0.3:
                cite["credibility"] = 1
            else:
                cite["credibility"] = weighted(rng, CREDIBILITY, CREDIBILITY_WEIGHTS)
        if position > 0 and rng.random() < 0.2:
            cite["relation"] = rng.choice(["contradicts", "mentions", "supports"])
        cites.append(cite)
    return cites


def build_brief(seed: int, index: int, n_briefs: int, claims: tuple[int, int] = DEFAULT_CLAIMS,
                single: int | None = None) -> dict:
    """The brief with this (seed, index) as plain data, ready to write."""
    head = brief_head(seed, index, single)
    rng = Random(f"briefreader-bench:{seed}:{index}:body")
    ordinal = head["ordinal"]
    year = int(iso_date(ordinal)[:4])
    n_claims = single if single is not None else rng.randint(*claims)
    n_sources = rng.randint(5, 30)
    n_entities = rng.randint(5, 40)
    n_sections = max(rng.randint(3, 12), min(12, n_claims // 40))  # long briefs get more sections

    classification, tlp, marking = weighted(rng, HANDLINGS, HANDLING_WEIGHTS)
    entities = make_entities(rng, head, n_entities)
    names = [e["name"] for e in entities if e["type"] in ("person", "organization", "country")]
    writer = Writer(rng, names or [entities[0]["name"]], year)
    sources = make_sources(rng, writer, n_sources, ordinal, marking)
    speakers = [e for e in entities if e["type"] in ("person", "organization", "country")]
    entity_ids = [e["id"] for e in entities]

    brief: dict = {"briefreader": 1, "id": head["id"], "title": head["title"]}
    if rng.random() < 0.5:
        brief["subtitle"] = cap(writer.np()) + f" in {head['place']}"
    brief.update(_choose_dates(rng, ordinal))
    brief["type"] = rng.choice(BRIEF_TYPES)
    brief["status"] = rng.choice(BRIEF_STATUSES)
    brief["language"] = "en" if rng.random() < 0.8 else rng.choice(["en-GB", "en-US"])
    brief["authors"] = []
    for role in ["author"] + rng.sample(["author", "editor", "contributor"], rng.randrange(0, 3)):
        author = {"name": f"{PICK_FIRST(rng)} {PICK_SURNAME(rng)}"}
        if role != "author" or rng.random() < 0.3:
            author["role"] = role
        if rng.random() < 0.5:
            author["affiliation"] = rng.choice(PUBLISHER_PATTERNS).format(
                P=place_name(PICK_PLACE(rng)), A=cap(PICK_ADJ(rng)), S=PICK_SURNAME(rng), N=cap(PICK_NOUN(rng)))
        brief["authors"].append(author)
    pub = rng.choice(PUBLISHER_PATTERNS).format(
        P=place_name(PICK_PLACE(rng)), A=cap(PICK_ADJ(rng)), S=PICK_SURNAME(rng), N=cap(PICK_NOUN(rng)))
    brief["publisher"] = {"name": pub, "url": f"https://{slugify(pub, 3, 30)}.example/"}
    brief["tags"] = sorted(set(rng.sample(TAGS, rng.randint(2, 6))))
    handling: dict = {}
    if classification:
        handling["classification"] = classification
    if tlp:
        handling["tlp"] = tlp
    handling["notices"] = [NOTICES[0]] + ([rng.choice(NOTICES[1:])] if rng.random() < 0.3 else [])
    brief["handling"] = handling
    brief["bluf"] = " ".join(writer.sentence() + "." for _ in range(rng.randint(1, 3)))

    # -- claims -----------------------------------------------------------
    claim_list: list[dict] = []
    kinds = rng.choices(["fact", "reported", "assessment", "assumption"], [30, 25, 35, 10], k=n_claims)
    for n, kind in enumerate(kinds, 1):
        claim: dict = {"id": f"c-{n}"}
        speaker = None
        third_party = kind in ("reported", "assessment") and speakers and rng.random() < 0.25
        if third_party:
            speaker = rng.choice(speakers)
        claim["text"] = writer.claim_text(kind, speaker["name"] if speaker else None)
        claim["kind"] = kind
        if kind == "assessment":
            term = weighted(rng, range(7), LIKELIHOOD_WEIGHTS)
            if rng.random() < 0.9:
                claim["likelihood"] = LIKELIHOODS[term] if rng.random() < 0.95 else LIKELIHOOD_SYNONYMS[term]
            if rng.random() < 0.85:
                claim["confidence"] = weighted(rng, CONFIDENCES, [30, 50, 20])
        if speaker:
            claim["attributed_to"] = speaker["id"]
            claim["stance"] = ("reported" if kind == "reported" and rng.random() < 0.8
                               else rng.choice(["endorsed", "disputed", "reported"]))
        elif kind != "fact" and rng.random() < 0.01:
            claim["attributed_to"] = "author"
        if kind in ("fact", "reported"):
            n_cites = rng.choice([1, 1, 1, 2, 2, 3])
        elif kind == "assessment":
            n_cites = rng.choice([0, 0, 1, 1, 2, 3])
        else:
            n_cites = 1 if rng.random() < 0.15 else 0
        if n_cites:
            claim["cites"] = make_citations(rng, writer, sources, n_cites)
            first = next(s for s in sources if s["id"] == claim["cites"][0]["source"])
            if first.get("derived_from") and rng.random() < 0.5:
                claim["primary"] = first["derived_from"][0]
        if n > 1 and kind in ("assessment", "assumption") and rng.random() < 0.5:
            claim["depends_on"] = sorted(rng.sample(range(1, n), min(n - 1, rng.choice([1, 1, 2, 3]))))
            claim["depends_on"] = [f"c-{k}" for k in claim["depends_on"]]
        if rng.random() < 0.6:
            claim["about"] = rng.sample(entity_ids, min(len(entity_ids), rng.choice([1, 1, 2, 3])))
        if kind == "assessment" and rng.random() < 0.4:
            claim["indicators"] = [cap(writer.past_clause()) for _ in range(rng.randint(1, 3))]
        if marking and rng.random() < 0.5:
            claim["marking"] = marking
        claim_list.append(claim)

    # Every source is cited at least once (by a fact or reported claim when there is one).
    cited = {c["source"] for claim in claim_list for c in claim.get("cites", ())}
    citers = [c for c in claim_list if c["kind"] in ("fact", "reported")] or claim_list
    for source in sources:
        if source["id"] in cited:
            continue
        claim = rng.choice(citers)  # the source is uncited, so not already in its cites
        cite = {"source": source["id"]}
        if rng.random() < 0.6:
            cite["locator"] = _locator(rng, source["type"])
        if rng.random() < 0.7:
            cite["credibility"] = weighted(rng, CREDIBILITY, CREDIBILITY_WEIGHTS)
        claim.setdefault("cites", []).append(cite)
        cited.add(source["id"])

    # -- key judgments: author-owned assessments, in document order ----------
    judgments = ([c["id"] for c in claim_list if c["kind"] == "assessment" and "attributed_to" not in c]
                 or [c["id"] for c in claim_list if c["kind"] == "assessment"])
    kj_count = min(len(judgments), rng.randint(3, 7))
    kj = sorted(rng.sample(range(len(judgments)), kj_count))
    if kj:
        brief["key_judgments"] = [judgments[k] for k in kj]
    brief["summary"] = "\n\n".join(
        " ".join(writer.sentence() + "." for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(1, 2))) + "\n"
    if rng.random() < 0.6:
        brief["source_summary"] = rng.choice([
            "Sourcing is mostly secondary reporting of official statements; imagery corroborates the deployment.",
            "Reporting relies on a small number of state media outlets; independent confirmation is limited.",
            "Multiple independent sources agree on the main facts; intent remains a gap.",
            "Sources are of mixed reliability; key judgments rest on a few well-placed reports.",
        ])

    # -- sections: a tree, claims assigned in document order ----------------
    flat: list[dict] = []
    roots: list[dict] = []
    for n in range(n_sections):
        section = {"id": "", "title": "", "_children": [], "_depth": 0}
        if n == 0 or rng.random() < 0.7:
            roots.append(section)
        else:
            parents = [s for s in flat if s["_depth"] < 3]
            parent = rng.choice(parents[-3:])
            section["_depth"] = parent["_depth"] + 1
            parent["_children"].append(section)
        flat.append(section)
    order: list[dict] = []

    def walk(items):
        for item in items:
            order.append(item)
            walk(item["_children"])
    walk(roots)
    for n, section in enumerate(order, 1):
        section["id"] = f"s-{n}"
        section["title"] = rng.choice([
            "Background", "Key developments", "Outlook", "Implications", "Military activity",
            "Political context", "Economic dimension", "Information operations", "Indicators",
            "Alternative views", "Gaps and uncertainties", "Regional reactions",
        ]) + ("" if rng.random() < 0.4 else f": {place_name(PICK_PLACE(rng))}")
    # split claims into contiguous runs per section
    cuts = sorted(rng.sample(range(1, n_claims), min(len(order) - 1, n_claims - 1))) if n_claims > 1 else []
    bounds = [0] + cuts + [n_claims]
    bounds += [n_claims] * (len(order) + 1 - len(bounds))
    for n, section in enumerate(order):
        run = claim_list[bounds[n]:bounds[n + 1]]
        embedded = [c["id"] for c in run if rng.random() < 0.55]
        embedded_set = set(embedded)
        listed = [c["id"] for c in run if c["id"] not in embedded_set]
        section["body"] = make_body(rng, writer, embedded, sources, entities)
        section["_listed"] = listed

    def emit_section(section):
        out = {"id": section["id"], "title": section["title"]}
        if marking:
            out["marking"] = marking
        out["body"] = section["body"]
        if section["_listed"]:
            out["claims"] = section["_listed"]
        if section["_children"]:
            out["sections"] = [emit_section(child) for child in section["_children"]]
        return out
    brief["sections"] = [emit_section(s) for s in roots]
    brief["claims"] = claim_list
    brief["sources"] = sources
    brief["entities"] = entities

    # -- timeline -------------------------------------------------------------
    events = []
    facts = [c["id"] for c in claim_list if c["kind"] in ("fact", "reported")]
    places = [e["id"] for e in entities if e["type"] in ("place", "facility")]
    for _ in range(rng.randint(3, 12)):
        day = ordinal - rng.randrange(0, 300)
        roll = rng.random()
        if roll < 0.8:
            when = iso_date(day)
        elif roll < 0.9:
            when = iso_date(day)[:7]
        elif roll < 0.97:
            when = iso_date(day)[:7] + "~"
        else:
            when = iso_date(day) + "?"
        events.append((day, when))
    events.sort()
    timeline = []
    for n, (_, when) in enumerate(events, 1):
        event = {"id": f"ev-{n}", "date": Q(when), "text": writer.past_clause() + "."}
        if places and rng.random() < 0.5:
            event["place"] = rng.choice(places)
        if facts and rng.random() < 0.6:
            event["claims"] = sorted(rng.sample(facts, min(len(facts), rng.choice([1, 1, 2]))),
                                     key=lambda cid: int(cid[2:]))
        timeline.append(event)
    brief["timeline"] = timeline

    # -- related ---------------------------------------------------------------
    related = []
    if single is None and n_briefs > 1:
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            other = rng.randrange(n_briefs - 1)
            other += other >= index
            other_head = brief_head(seed, other)
            target = other_head["id"]
            if rng.random() < 0.1:
                target += rng.choice(["#c-1", "#s-1"])
            item = {"rel": weighted(rng, RELS, REL_WEIGHTS), "target": {"brief": target}}
            if rng.random() < 0.5:
                item["title"] = other_head["title"]
            if rng.random() < 0.2:
                item["note"] = writer.sentence() + "."
            related.append(item)
    if rng.random() < 0.3:
        related.append({"rel": "references", "target": {"source": rng.choice(sources)["id"]}})
    if rng.random() < 0.2:
        related.append({"rel": "see-also", "target": {"url": f"https://{slugify(head['place'], 2, 20)}-monitor.example/"},
                        "title": f"{head['place']} monitor"})
    if related:
        brief["related"] = related
    brief["x-bench"] = {"generator": "bench/make_library.py", "seed": seed, "index": index}
    return brief


def make_body(rng: Random, writer: Writer, embedded: list[str], sources: list[dict],
              entities: list[dict]) -> str:
    """A few Markdown paragraphs that embed the given claim ids, in order."""
    n_paragraphs = max(rng.randint(2, 4), (len(embedded) + 3) // 4)
    per = [[] for _ in range(n_paragraphs)]
    for k, cid in enumerate(embedded):
        per[k * n_paragraphs // max(1, len(embedded))].append(cid)
    paragraphs = []
    for refs in per:
        n_sentences = max(len(refs), rng.randint(2, 5))
        slots = sorted(rng.sample(range(n_sentences), len(refs)))
        sentences = []
        ref_at = dict(zip(slots, refs))
        for k in range(n_sentences):
            text = writer.sentence()
            if rng.random() < 0.12:
                entity = rng.choice(entities)
                text = f"[[{entity['id']}]] {PICK_VERB(rng)[1]} {writer.np()}{writer.pp()}"
            if k in ref_at:
                text += f" [[{ref_at[k]}]]"
            if rng.random() < 0.2:
                source = rng.choice(sources)
                text += (f" [@{source['id']}, p. {rng.randrange(1, 80)}]" if rng.random() < 0.7
                         else f" [@{source['id']}]")
            sentences.append(text + ".")
        if rng.random() < 0.15:
            sentences.append(f"The {PICK_NOUN(rng)} is *{PICK_ADJ(rng)}*, not {PICK_ADJ(rng)}.")
        if rng.random() < 0.12 and not refs:
            items = "\n".join(f"- {cap(writer.np())}{writer.pp()}" for _ in range(rng.randint(2, 4)))
            paragraphs.append(f"**{cap(PICK_NOUN(rng))}s to watch:**\n\n{items}")
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


# ---------------------------------------------------------------------------
# YAML writer: block style, quoting only what YAML would misread.

_RESOLVERS = Resolver.yaml_implicit_resolvers
_PLAIN_BLOCK = re.compile(r"[^\W_](?:[^:#\n\r\t\\\"]*[^\s:#\\\"])?\Z")
_PLAIN_FLOW = re.compile(r"[^\W_](?:[^:#\n\r\t\\\",\[\]{}]*[^\s:#\\\",\[\]{}])?\Z")
STR_TAG = "tag:yaml.org,2002:str"


def _resolves_to_str(text: str) -> bool:
    for tag, regexp in _RESOLVERS.get(text[:1], ()):
        if regexp.match(text):
            return tag == STR_TAG
    return True


def scalar(value, flow: bool = False) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Q):
        return json.dumps(str(value), ensure_ascii=False)
    text = str(value)
    pattern = _PLAIN_FLOW if flow else _PLAIN_BLOCK
    if text and pattern.match(text) and _resolves_to_str(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _emit_value(key: str, value, pad: str, out: list[str]) -> None:
    if isinstance(value, dict):
        if len(value) == 1 and all(_is_scalar(v) for v in value.values()):
            (k, v), = value.items()
            out.append(f"{pad}{key}: {{{k}: {scalar(v, flow=True)}}}")
        else:
            out.append(f"{pad}{key}:")
            _emit_map(value, pad + "  ", out)
    elif isinstance(value, list):
        if not value:
            out.append(f"{pad}{key}: []")
        elif all(_is_scalar(v) for v in value):
            items = [scalar(v, flow=True) for v in value]
            line = f"{pad}{key}: [{', '.join(items)}]"
            if len(line) <= 100:
                out.append(line)
            else:
                out.append(f"{pad}{key}:")
                out.extend(f"{pad}  - {scalar(v)}" for v in value)
        else:
            out.append(f"{pad}{key}:")
            for item in value:
                _emit_item(item, pad + "  ", out)
    elif isinstance(value, str) and "\n" in value and _literal_ok(value):
        indicator = "|" if value.endswith("\n") else "|-"
        out.append(f"{pad}{key}: {indicator}")
        inner = pad + "  "
        out.extend(f"{inner}{line}" if line else "" for line in value.rstrip("\n").split("\n"))
    else:
        out.append(f"{pad}{key}: {scalar(value)}")


def _literal_ok(text: str) -> bool:
    return (not text.startswith((" ", "\n")) and "\t" not in text and "\r" not in text
            and not text.endswith("\n\n") and not any(line.endswith(" ") for line in text.split("\n")))


def _emit_map(mapping: dict, pad: str, out: list[str]) -> None:
    for key, value in mapping.items():
        _emit_value(key, value, pad, out)


def _emit_item(item, pad: str, out: list[str]) -> None:
    if isinstance(item, dict):
        start = len(out)
        _emit_map(item, pad + "  ", out)
        out[start] = f"{pad}- {out[start][len(pad) + 2:]}"
    elif isinstance(item, list):
        raise TypeError("nested lists are not used in briefs")
    else:
        out.append(f"{pad}- {scalar(item)}")


def dump_brief(brief: dict) -> str:
    """The brief as YAML text, with a comment saying where it came from."""
    bench = brief.get("x-bench", {})
    out = [f"# Synthetic benchmark brief (bench/make_library.py, seed {bench.get('seed')}, "
           f"index {bench.get('index')}). Machine-made text; not analysis."]
    _emit_map(brief, "", out)
    out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Files


def brief_path(outdir: Path, index: int, brief_id: str, n_briefs: int) -> Path:
    width = max(3, len(str(max(0, n_briefs - 1) // FILES_PER_FOLDER)))
    return outdir / f"{index // FILES_PER_FOLDER:0{width}d}" / f"{brief_id}{SUFFIX}"


def _write_range(indices, outdir: Path, seed: int, n_briefs: int, claims, single) -> tuple[int, int]:
    total_bytes = total_claims = 0
    for index in indices:
        brief = build_brief(seed, index, n_briefs, claims, single)
        data = dump_brief(brief).encode("utf-8")
        path = brief_path(outdir, index, brief["id"], n_briefs) if single is None else outdir / f"{brief['id']}{SUFFIX}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total_bytes += len(data)
        total_claims += len(brief["claims"])
    return total_bytes, total_claims


def prepare_outdir(outdir: Path, force: bool) -> None:
    existing = list(outdir.rglob("*" + SUFFIX)) if outdir.exists() else []
    if existing and not force:
        raise SystemExit(f"{outdir} already holds {len(existing)} brief files; "
                         "pass --force to replace them (only *.brief.yaml files are removed)")
    for path in existing:
        path.unlink()
    if outdir.exists():
        for folder in sorted((p for p in outdir.rglob("*") if p.is_dir()), reverse=True):
            try:
                folder.rmdir()  # only empty ones
            except OSError:
                pass
    outdir.mkdir(parents=True, exist_ok=True)


def generate(n: int, outdir: str | Path, seed: int = 1, claims: tuple[int, int] = DEFAULT_CLAIMS,
             single_claims: int | None = None, jobs: int | None = None,
             force: bool = False) -> dict:
    """Write the library; return counts.  Deterministic for (n, seed, claims, single_claims)."""
    outdir = Path(outdir)
    prepare_outdir(outdir, force)
    if single_claims is not None:
        n = 1
    jobs = jobs or os.cpu_count() or 1
    started = time.perf_counter()
    work = partial(_write_range, outdir=outdir, seed=seed, n_briefs=n, claims=claims, single=single_claims)
    if jobs <= 1 or n < 40:
        total_bytes, total_claims = work(range(n))
    else:
        import multiprocessing
        chunk = max(10, min(200, n // (jobs * 8) or 1))
        chunks = [range(start, min(n, start + chunk)) for start in range(0, n, chunk)]
        total_bytes = total_claims = 0
        with multiprocessing.Pool(jobs) as pool:
            for size, count in pool.imap_unordered(work, chunks):
                total_bytes += size
                total_claims += count
    return {"files": n, "bytes": total_bytes, "claims": total_claims,
            "seconds": time.perf_counter() - started, "outdir": str(outdir)}


def parse_range(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected MIN-MAX such as 20-200, not {text!r}")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 1 <= low <= high:
        raise argparse.ArgumentTypeError(f"need 1 <= MIN <= MAX, not {text!r}")
    return low, high


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        usage="%(prog)s N [OUTDIR] [--seed S] [--claims MIN-MAX] [--jobs J] [--force]\n"
              "       %(prog)s [1] [OUTDIR] --single-claims K [--seed S]",
        description=__doc__.split("\n\n")[0])
    parser.add_argument("positional", nargs="*", metavar="N [OUTDIR]",
                        help="number of briefs, then the output folder "
                             "(default bench/out/lib-N, or bench/out/single-K)")
    parser.add_argument("--seed", type=int, default=1, help="default 1")
    parser.add_argument("--claims", type=parse_range, default=DEFAULT_CLAIMS, metavar="MIN-MAX",
                        help="claims per brief, default 20-200")
    parser.add_argument("--single-claims", type=int, metavar="K",
                        help="write ONE brief with K claims instead of a library (N may be omitted)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--force", action="store_true", help="replace brief files already in OUTDIR")
    args = parser.parse_args(argv)
    rest = list(args.positional)
    n = None
    if rest and rest[0].isdigit():
        n = int(rest.pop(0))
    if len(rest) > 1:
        parser.error(f"unexpected arguments: {' '.join(rest[1:])}")
    outdir = rest[0] if rest else None
    if args.single_claims is not None:
        if args.single_claims < 1:
            parser.error("--single-claims needs K >= 1")
        if n not in (None, 1):
            parser.error("--single-claims writes one brief; give N as 1 or leave it out")
        n = 1
        default = DEFAULT_OUT / f"single-{args.single_claims}"
    else:
        if not n:
            parser.error("N (a positive number of briefs) is required")
        default = DEFAULT_OUT / f"lib-{n}"
    result = generate(n, outdir or default, seed=args.seed, claims=args.claims,
                      single_claims=args.single_claims, jobs=args.jobs, force=args.force)
    print(f"wrote {result['files']:,} brief{'s' if result['files'] != 1 else ''}, {result['claims']:,} claims, "
          f"{result['bytes'] / 1048576:.1f} MiB to {result['outdir']} in {result['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
