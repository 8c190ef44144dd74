"""The distributions synthetic records are drawn from (``sherloc-kg generate``), the fictional
States they are about, and the weighted choice that draws them.

**Distributions** (measured on ``data/cases/sherloc-cases-tip-2026-08.jsonl``, 1,164 real SHERLOC
cases, where the data says something; assumptions otherwise, marked so):

* cases per State: a Zipf law by rank, exponent :data:`CASES_ZIPF_EXPONENT` = 0.93, the maximum
  likelihood fit of the real counts of the 110 deciding jurisdictions (largest: USA 129, BRA 99,
  PHL 71; top-10 share 49.7 %, 26 jurisdictions with one case);
* decision years: the real histogram :data:`CASE_YEARS` (1986-2023, peak 2010);
* crime types: trafficking in persons always, the others with their real frequencies
  (:data:`EXTRA_CRIME_TYPES`); TIP Protocol art. 3 (a) elements: 19.9 % of cases without, else the
  real number of acts / means / purposes per case, each drawn by its real frequency;
* appeals (assumption: the real records have no ``appeal_of`` or ``court_level``): 15 % of cases
  appeal an earlier case of the same State, 1-3 years later, first instance → appeal → supreme;
* national provisions implement real Convention provisions (the notations of the instruments graph
  the reference installs); each article weighs the same whatever its length, the criminalization
  articles 20, the other cooperation and key articles 10, the rest 1 (assumption; 40 % on the
  article itself, 60 % shared by its paragraphs and subparagraphs); cases apply provisions of their own State's laws (70 %), preferring those
  with their crime type; laws per State: Zipf by the same rank, exponent 0.5 (assumption);
* participation: the share of States party to each instrument and of parties that signed is that
  of ``data/instruments.csv`` (UNTOC 192 parties / 147 signatories, TIP 182 / 117, Firearms
  Protocol 123 / 52; the Smuggling of Migrants Protocol has no counts there: 151 / 112 assumed),
  signatures inside the signature period (12 Dec 2000 - 12 Dec 2002, most at Palermo),
  ratification 1-8 years after signature, accessions 2003-2024;
* authorities designated under the provisions that call for them (UNTOC art. 18 (13), 16, 17, 31;
  SOM art. 8 (6); Firearms Protocol art. 13 (2)); review answers cite the very national provisions
  that implement the provision they are about.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import pycountry

# -- measured on data/cases/sherloc-cases-tip-2026-08.jsonl (see the module docstring) -----------
CASES_ZIPF_EXPONENT = 0.93
REAL_JURISDICTIONS = 110
CASE_YEARS = {1986: 1, 1990: 2, 1992: 1, 1995: 1, 1996: 2, 1997: 5, 1998: 1, 1999: 6, 2000: 4, 2001: 8,
              2002: 9, 2003: 19, 2004: 24, 2005: 34, 2006: 66, 2007: 65, 2008: 125, 2009: 132, 2010: 174,
              2011: 139, 2012: 100, 2013: 74, 2014: 50, 2015: 28, 2016: 18, 2017: 20, 2018: 19, 2019: 14,
              2020: 8, 2021: 8, 2022: 3, 2023: 4}
EXTRA_CRIME_TYPES = {"participation-in-an-organized-criminal-group": 70 / 1164, "drug-offences": 18 / 1164,
                     "smuggling-of-migrants": 13 / 1164, "money-laundering": 11 / 1164,
                     "trafficking-in-firearms": 5 / 1164, "corruption": 2 / 1164}
NO_TIP_ELEMENTS = 232 / 1164
TIP_ACTS = {"recruitment": 767, "transportation": 610, "harbouring": 455, "transfer": 380, "receipt": 269}
TIP_MEANS = {"abuse-of-power-or-position-of-vulnerability": 588, "deception": 500,
             "threat-or-use-of-force-or-coercion": 480, "fraud": 228,
             "giving-or-receiving-payments-or-benefits": 97, "abduction": 83}
TIP_PURPOSES = {"sexual-exploitation": 735, "forced-labour-or-services": 195, "servitude": 54,
                "other-exploitation": 50, "slavery-or-practices-similar-to-slavery": 45, "removal-of-organs": 5}
#: How many of each group a case with TIP elements names (real counts, cases with elements only).
TIP_COUNTS = {"acts": {1: 180, 2: 283, 3: 242, 4: 126, 5: 101},
              "means": {1: 308, 2: 341, 3: 174, 4: 84, 5: 22, 6: 3},
              "purposes": {1: 808, 2: 99, 3: 22, 4: 3}}

# -- assumptions (no data in the repository) ------------------------------------------------------
APPEAL_SHARE = 0.15
LEGISLATION_ZIPF_EXPONENT = 0.5
#: instrument → (parties, signatories), from data/instruments.csv; som assumed.
PARTICIPATION = {"untoc": (192, 147), "tip": (182, 117), "som": (151, 112), "fp": (123, 52)}
UN_MEMBERS = 193
#: Articles implemented or cited most: criminalization, liability, confiscation, jurisdiction,
#: extradition, mutual legal assistance, investigative techniques, victims and prevention.
KEY_ARTICLES = {"untoc": {5, 6, 8, 10, 11, 12, 13, 15, 16, 18, 20, 23, 24, 25, 26, 31},
                "tip": {3, 5, 6, 7, 9, 10, 11}, "som": {3, 5, 6, 8, 15, 16, 18},
                "fp": {3, 5, 6, 7, 8, 10, 11, 13}}
#: The criminalization articles (the offences States must establish).
CRIMINALIZATION = {"untoc": {5, 6, 8, 23}, "tip": {5}, "som": {6}, "fp": {5}}
#: The crime type a national provision implementing an article is about.
CRIME_OF_ARTICLE = {("untoc", 5): "participation-in-an-organized-criminal-group",
                    ("untoc", 6): "money-laundering", ("untoc", 8): "corruption",
                    ("untoc", 23): "obstruction-of-justice"}
CRIME_OF_INSTRUMENT = {"tip": "trafficking-in-persons", "som": "smuggling-of-migrants",
                       "fp": "trafficking-in-firearms"}
DESIGNATIONS = (("mutual-legal-assistance", "untoc/art/18/13", 6), ("extradition", "untoc/art/16", 3),
                ("transfer-of-sentenced-persons", "untoc/art/17", 1),
                ("smuggling-of-migrants-by-sea", "som/art/8/6", 2), ("firearms", "fp/art/13/2", 2),
                ("prevention", "untoc/art/31", 1))
M49_REGIONS = ("002", "019", "142", "150", "009", "419", "202")
SURNAMES = ("Abara", "Belov", "Castell", "Dumont", "Eriksen", "Farah", "Gupta", "Horvat", "Ibarra", "Jansen",
            "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi", "Silva",
            "Tanaka", "Ueda", "Varga", "Walsh", "Xu", "Yilmaz", "Zapata")
STATE_NAMES = ("Arvenia", "Belmora", "Corvana", "Dravonia", "Estrelia", "Falkmar", "Galdoria", "Hestara",
               "Istova", "Jorvania", "Kelmira", "Lorvenia", "Marvesta", "Nordavia", "Orlissa", "Pentravia",
               "Quelmora", "Rostavia", "Sarvenna", "Tolmara", "Ulvania", "Verdessa", "Westmark", "Xandria",
               "Yorvelle", "Zentara")
MAX_YEAR = 2025


@dataclass(frozen=True)
class State:
    code: str
    name: str
    rank: int


def fictional_codes(count: int) -> list[str]:
    """``count`` user-assigned alpha-3 codes from XBA on (XAA-XAC are the examples'); never a real code."""
    codes = []
    for second in "BCDEFGHIJKLMNOPQRSTUVWXYZ":
        for third in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            code = "X" + second + third
            if pycountry.countries.get(alpha_3=code) is None:
                codes.append(code)
    if count > len(codes):
        raise ValueError(f"at most {len(codes)} fictional States")
    return codes[:count]


def make_states(count: int, rng: random.Random) -> list[State]:
    codes = fictional_codes(count)
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    states = []
    for i, code in enumerate(codes):
        name = f"{STATE_NAMES[i % 26]}{'' if i < 26 else ' ' + roman(i // 26 + 1)}"
        states.append(State(code, name, ranks[i]))
    return states


def roman(n: int) -> str:
    out = ""
    for value, numeral in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


class Picker:
    """Weighted choice by cumulative weights (deterministic for a given Random)."""

    def __init__(self, items: Iterable[Any], weights: Iterable[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect_left(self.cum, rng.random() * self.cum[-1])]

    def distinct(self, rng: random.Random, k: int) -> list[Any]:
        chosen: list[Any] = []
        while len(chosen) < min(k, len(self.items)):
            item = self(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


def zipf(states: list[State], exponent: float) -> Picker:
    return Picker(states, [1.0 / s.rank ** exponent for s in states])


def article_of(reference: str) -> tuple[str, int]:
    parts = reference.split("/")
    return parts[0], int(parts[2])


def crime_of(reference: str) -> str | None:
    instrument, article = article_of(reference)
    return CRIME_OF_ARTICLE.get((instrument, article)) or CRIME_OF_INSTRUMENT.get(instrument)


def zipf_fit(counts: list[int], lo: float = 0.3, hi: float = 2.5, step: float = 0.01) -> float:
    """Maximum-likelihood exponent of a Zipf law truncated to ``len(counts)`` ranks (counts sorted
    in decreasing order), by grid search: how :data:`CASES_ZIPF_EXPONENT` was measured."""
    counts = sorted(counts, reverse=True)
    ranks = len(counts)
    total = sum(counts)
    logs = [math.log(r) for r in range(1, ranks + 1)]

    def likelihood(a: float) -> float:
        norm = math.log(sum(math.exp(-a * lg) for lg in logs))
        return -a * sum(lg * c for lg, c in zip(logs, counts)) - total * norm

    best, steps = lo, int(round((hi - lo) / step))
    best_value = -math.inf
    for i in range(steps + 1):
        a = lo + i * step
        value = likelihood(a)
        if value > best_value:
            best, best_value = a, value
    return round(best, 2)
