"""Synthetic datasets for benchmarks (``sherloc-kg generate``), written in our own input formats.

Every record is invented and about *fictional States only*: ``--states`` (default 110) States with
ISO 3166-1 user-assigned codes from ``XBA`` on (never ``XAA``-``XAC``, which the examples use, and
never a real State's code). They are registered the way the examples' States are
(``loaders.countries.add_fictional_states``): the generator writes ``DIR/fictional-states.csv`` and
:func:`register_states` (``sherloc-kg generate --register``) adds them to the store's countries
graph, next to the examples' three. Titles and free texts start with ``[Synthetic]``, cases carry
the keyword ``synthetic``, every id holds ``-SYN-``, every address is under ``example.org``.

One file per kind, named after it (``DIR/cases.jsonl``, ``DIR/legislation.jsonl``,
``DIR/participation.csv``, ...), each loadable with ``sherloc-kg load KIND FILE`` with zero
violations once the States are registered; legislation must be loaded before cases and review (they
cite its provisions). Records are written as they are made (streaming): what stays in memory is
bounded by the number of States (a capped sample of national provisions per State for cases and
review to cite, the last cases per State for appeals, the courts seen), never by the size of the set.

**Size.** ``--triples N`` is the number of triples the records put in their own graphs (what
``sherloc-kg load`` reports as written, distinct triples, restricted graphs included; the
provenance graph (2 triples per record) and the inferred graph come on top). Each record's triples
are counted analytically as the loaders map it (``_count_*``, checked against real loads by
tests/test_generate.py); participation is fixed (one row per State and instrument it is party to),
the rest of N is shared between the kinds by :data:`SHARES` and each kind is generated until its
running count reaches its share.

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

Deterministic: the same ``--seed``, ``--triples``, ``--states`` and ``--kinds`` give the same bytes.
"""

from __future__ import annotations

import collections
import csv
import json
import math
import random
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import pycountry

from .iris import slug

#: Kinds in generation order (legislation before what cites it) and their files.
KINDS = ("participation", "legislation", "cases", "authorities", "treaties", "strategies",
         "bibliography", "guide", "review")
FILES = {"participation": "participation.csv", "legislation": "legislation.jsonl", "cases": "cases.jsonl",
         "authorities": "authorities.jsonl", "treaties": "treaties.jsonl", "strategies": "strategies.jsonl",
         "bibliography": "bibliography.jsonl", "guide": "guide.jsonl", "review": "review.jsonl"}
#: Load order for ``sherloc-kg load``: laws before the cases and review answers that cite them.
LOAD_ORDER = ("participation", "legislation", "cases", "authorities", "treaties", "strategies",
              "bibliography", "guide", "review")
STATES_FILE = "fictional-states.csv"
MANIFEST_FILE = "generate.json"

#: Share of the triples left after participation, per kind (assumption: case law and legislation
#: are most of SHERLOC; strategies are few and validate slowly).
SHARES = {"legislation": 0.34, "cases": 0.40, "authorities": 0.05, "treaties": 0.04, "strategies": 0.02,
          "bibliography": 0.07, "guide": 0.02, "review": 0.06}

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
INDEX_CAP = 300  # national provisions kept per State for cases and review answers to cite
RECENT_CAP = 30  # cases kept per State as candidates for an appeal


@dataclass(frozen=True)
class State:
    code: str
    name: str
    rank: int


@dataclass
class Result:
    """What was generated: records and (estimated) triples per kind."""

    records: dict[str, int] = field(default_factory=dict)
    triples: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.triples.values())


Progress = Callable[[str, int, int], None]


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
        name = f"{STATE_NAMES[i % 26]}{'' if i < 26 else ' ' + _roman(i // 26 + 1)}"
        states.append(State(code, name, ranks[i]))
    return states


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def write_states_csv(path: Path, states: list[State]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "note"])
        for s in states:
            writer.writerow([s.code, f"{s.name} (fictional State, synthetic data)",
                             f"Fictional State for synthetic benchmark data only (ISO 3166-1 user-assigned code {s.code}); "
                             "generated by sherloc-kg generate; it does not exist and its records are invented."])


def convention_provisions(settings) -> list[str]:
    """The notations of every Convention provision in the instruments graph the reference installs."""
    from .iris import Iris
    from .loaders.instruments import instruments_graph
    from .namespaces import RDF, SHERLOC, SKOS

    data = settings.data_dir
    graph = instruments_graph(Iris(), data / "convention-texts", data / "instruments.csv")
    return sorted({str(o) for s in graph.subjects(RDF.type, SHERLOC.ConventionProvision)
                   for o in graph.objects(s, SKOS.notation)})


def register_states(store, settings, states_csv: Path) -> int:
    """Add the States of ``states_csv`` to the store's countries graph (replaced whole, as ``init
    --with-examples`` writes it, the examples' States included). Returns the graph's size."""
    from .iris import Iris
    from .loaders.countries import add_fictional_states, countries_graph
    from .reference import FICTIONAL_STATES
    from .store import RecordWrite

    iris = Iris(settings.base)
    data = settings.data_dir
    graph = countries_graph(iris, data / "international-bodies.csv", data / FICTIONAL_STATES)
    add_fictional_states(graph, iris, states_csv)
    name = str(iris.graph("countries"))
    store.write([RecordWrite(name, [], list(graph))], replace_graphs=[name])
    return len(graph)


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


def _article(reference: str) -> tuple[str, int]:
    parts = reference.split("/")
    return parts[0], int(parts[2])


def _crime_of(reference: str) -> str | None:
    instrument, article = _article(reference)
    return CRIME_OF_ARTICLE.get((instrument, article)) or CRIME_OF_INSTRUMENT.get(instrument)


class Generator:
    def __init__(self, out: Path, *, triples: int, seed: int, provisions: list[str], states: int = REAL_JURISDICTIONS,
                 kinds: Iterable[str] = KINDS, progress: Progress | None = None) -> None:
        self.out = out
        self.target = triples
        self.seed = seed
        self.kinds = [k for k in KINDS if k in set(kinds)]
        self.rng = random.Random(seed)
        self.states = make_states(states, self.rng)
        self.by_code = {s.code: s for s in self.states}
        self.cases_picker = zipf(self.states, CASES_ZIPF_EXPONENT)
        self.laws_picker = zipf(self.states, LEGISLATION_ZIPF_EXPONENT)
        self.uniform = Picker(self.states, [1.0] * len(self.states))
        self.provisions = provisions
        self.parts_of = collections.Counter("/".join(p.split("/")[:3]) for p in provisions if p.count("/") > 2)
        self.implementable = Picker(provisions, [self._weight(p) for p in provisions])
        self.articles = [p for p in provisions if p.count("/") == 2]
        self.paragraphs: dict[str, list[str]] = {}
        for p in provisions:
            if p.count("/") == 3:
                self.paragraphs.setdefault(p.rsplit("/", 1)[0], []).append(p)
        self.progress = progress or (lambda kind, records, count: None)
        self.years = Picker(CASE_YEARS, CASE_YEARS.values())
        # bounded state: a sample of national provisions per State, recent cases per State, courts
        self.index: dict[str, list[tuple[str, str, str | None, str]]] = {s.code: [] for s in self.states}
        self.index_seen: dict[str, int] = {s.code: 0 for s in self.states}
        self.recent: dict[str, collections.deque] = {s.code: collections.deque(maxlen=RECENT_CAP) for s in self.states}
        self.courts: set[tuple[str, str]] = set()
        self.matching: dict[tuple, list] = {}
        self.laws_of: dict[str, collections.deque] = {s.code: collections.deque(maxlen=10) for s in self.states}
        self.result = Result()

    def _weight(self, reference: str) -> float:
        """Each article weighs the same whatever its length (criminalization 20, other key articles
        10, the rest 1): 40 % of it on the article itself, 60 % shared by its parts."""
        instrument, article = _article(reference)
        base = 20.0 if article in CRIMINALIZATION[instrument] else 10.0 if article in KEY_ARTICLES[instrument] else 1.0
        parts = self.parts_of[f"{instrument}/art/{article}"]
        if reference.count("/") == 2:
            return base * (0.4 if parts else 1.0)
        return base * 0.6 / parts

    # -- driver ----------------------------------------------------------------------------------
    def run(self) -> Result:
        self.out.mkdir(parents=True, exist_ok=True)
        write_states_csv(self.out / STATES_FILE, self.states)
        budgets: dict[str, int] = {}
        if "participation" in self.kinds:
            self._write("participation", self._participation(), None)
        rest = max(self.target - self.result.total, 0)
        shared = [k for k in self.kinds if k in SHARES]
        total_share = sum(SHARES[k] for k in shared) or 1.0
        for kind in shared:
            budgets[kind] = round(rest * SHARES[kind] / total_share)
            maker = getattr(self, "_" + kind)
            self._write(kind, maker(), budgets[kind])
        manifest = {"seed": self.seed, "target_triples": self.target, "states": len(self.states),
                    "kinds": self.kinds, "records": self.result.records, "triples": self.result.triples,
                    "estimated_triples": self.result.total,
                    "load_order": [k for k in LOAD_ORDER if k in self.kinds]}
        (self.out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        return self.result

    def _write(self, kind: str, records: Iterable[tuple[Any, int]], budget: int | None) -> None:
        path = self.out / FILES[kind]
        count = triples = 0
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = None
            if kind == "participation":
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(["instrument", "country", "signature_date", "consent_date", "consent_type",
                                 "declarations"])
            else:
                handle.write(f"# [Synthetic] {kind} generated by sherloc-kg generate (seed {self.seed}): "
                             "invented records about fictional States, not real data.\n")
            iterator = iter(records)
            # the budget is checked before the next record is made: making one has side effects
            # (a law's provisions become citable), so none may be made that is not written
            while budget is None or count == 0 or triples < budget:
                try:
                    record, size = next(iterator)
                except StopIteration:
                    break
                if writer is not None:
                    writer.writerow(record)
                else:
                    handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
                count += 1
                triples += size
                if count % 10_000 == 0:
                    self.progress(kind, count, triples)
        self.result.records[kind] = count
        self.result.triples[kind] = triples
        self.progress(kind, count, triples)

    # -- helpers ---------------------------------------------------------------------------------
    def _date(self, first: int, last: int) -> str:
        rng = self.rng
        return f"{rng.randint(first, last)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def _person(self) -> str:
        rng = self.rng
        return f"{rng.choice(SURNAMES)}, {rng.choice('ABCDEFGHIJKLMNOPRSTV')}."

    def _other_state(self, code: str) -> str:
        while True:
            other = self.cases_picker(self.rng).code
            if other != code:
                return other

    # -- participation -----------------------------------------------------------------------------
    def _participation(self):
        rng = self.rng
        for state in self.states:
            for instrument, (parties, signatories) in PARTICIPATION.items():
                if rng.random() >= parties / UN_MEMBERS:
                    continue
                signature = consent_type = None
                if rng.random() < signatories / parties:
                    if instrument != "fp" and rng.random() < 0.6:  # at the Palermo conference
                        signature = f"2000-12-{rng.randint(12, 15)}"
                    else:
                        start = 2001 if instrument == "fp" else 2000
                        signature = self._date(start, 2002)
                        if instrument == "fp" and signature < "2001-07-02":
                            signature = "2001-07-02"
                        signature = min(max(signature, "2000-12-12"), "2002-12-12")  # the signature period
                    year = min(int(signature[:4]) + 1 + int(rng.expovariate(1 / 2.5)), 2024)
                    consent = self._date(year, year)
                    if consent < signature:
                        consent = signature
                    roll = rng.random()
                    consent_type = "ratification" if roll < 0.90 else "approval" if roll < 0.96 else "acceptance"
                else:
                    year = min(2003 + int(rng.expovariate(1 / 5.0)), 2024)
                    consent = self._date(year, year)
                    consent_type = "accession" if rng.random() < 0.95 else "succession"
                declarations = ("[Synthetic] Invented declaration of a fictional State under article 35 (2)."
                                if rng.random() < 0.15 else "")
                row = [instrument, state.code, signature or "", consent, consent_type, declarations]
                yield row, 3 + (signature is not None) + 2 + bool(declarations)

    # -- legislation -----------------------------------------------------------------------------
    def _legislation(self):
        rng = self.rng
        n = 0
        while True:
            n += 1
            # every State has at least one law, then Zipf
            state = self.states[n - 1] if n <= len(self.states) else self.laws_picker(rng)
            code = state.code
            law_id = f"{code}-SYN-L{n:07d}"
            kind = rng.choices(("code", "act", "decree", "regulation"), (2, 6, 1, 1))[0]
            year = min(1995 + int(rng.expovariate(1 / 10.0)), 2024)
            law: dict[str, Any] = {
                "id": law_id, "country": code,
                "title": f"[Synthetic] {kind.title()} No. {n} of {state.name} (fictional)",
                "type": kind, "date_adopted": self._date(year, year), "in_force": rng.random() < 0.9,
                "url": f"https://example.org/synthetic/legislation/{law_id}", "language": "en",
            }
            # types, id, country, title, type, date, in force, url, language (its code and the EU
            # language table's IRI: sherloc_kg/links_out.py)
            size = 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 2
            earlier = self.laws_of[code]
            if earlier and rng.random() < 0.1:
                law["amends"] = [rng.choice(earlier)]
                size += 1
            provisions = []
            count = min(1 + int(rng.expovariate(1 / 5.0)), 40)
            for number in range(1, count + 1):
                implements = self.implementable.distinct(rng, 1 if rng.random() < 0.8 else 2)
                crime = _crime_of(implements[0])
                provision: dict[str, Any] = {
                    "number": str(number), "heading": f"[Synthetic] Article {number}",
                    "text": f"[Synthetic] Invented provision implementing {', '.join(implements)}.",
                    "implements": implements}
                size += 4 + 1 + 1 + len(implements)
                if crime:
                    provision["crime_types"] = [crime]
                    size += 1
                provisions.append(provision)
                self._remember(code, law_id, str(number), crime, implements[0])
            law["provisions"] = provisions
            earlier.append(law_id)
            yield law, size

    def _remember(self, code: str, law_id: str, number: str, crime: str | None, implements: str) -> None:
        """Reservoir sample (capped) of a State's national provisions."""
        self.index_seen[code] += 1
        entries = self.index[code]
        entry = (law_id, number, crime, implements)
        if len(entries) < INDEX_CAP:
            entries.append(entry)
        else:
            slot = self.rng.randrange(self.index_seen[code])
            if slot < INDEX_CAP:
                entries[slot] = entry

    # -- cases ------------------------------------------------------------------------------------
    def _cases(self):
        rng = self.rng
        n = 0
        acts, means, purposes = Picker(TIP_ACTS, TIP_ACTS.values()), Picker(TIP_MEANS, TIP_MEANS.values()), \
            Picker(TIP_PURPOSES, TIP_PURPOSES.values())
        counts = {g: Picker(c, c.values()) for g, c in TIP_COUNTS.items()}
        while True:
            n += 1
            state = self.cases_picker(rng)
            code = state.code
            case_id = f"{code}-SYN-C{n:07d}"
            recent = self.recent[code]
            lower = rng.choice(recent) if recent and rng.random() < APPEAL_SHARE else None
            if lower is not None:
                level = "appeal" if lower[2] == "first-instance" else "supreme"
                year = min(lower[1] + rng.randint(1, 3), MAX_YEAR)
            else:
                level, year = "first-instance", self.years(rng)
            court = {"first-instance": f"[Synthetic] District Court No. {rng.randint(1, 3)} of {state.name}",
                     "appeal": f"[Synthetic] Court of Appeal of {state.name}",
                     "supreme": f"[Synthetic] Supreme Court of {state.name}"}[level]
            crimes = ["trafficking-in-persons"] + [c for c, p in EXTRA_CRIME_TYPES.items() if rng.random() < p]
            case: dict[str, Any] = {
                "id": case_id,
                "title": f"[Synthetic] Public Prosecutor v. {rng.choice('ABCDEFGHKLMNPRST')}.{rng.choice('ABCDEFGHKLMNPRST')}.",
                "country": code, "year": year, "court": court, "court_level": level, "crime_types": crimes,
                "keywords": ["synthetic"]}
            size = 4 + 1 + 1 + 1 + len(crimes) + 1
            if (code, slug(court)) not in self.courts:
                self.courts.add((code, slug(court)))
                size += 3
            if rng.random() < 0.4:
                cited = ["tip/art/3/a"] + (["untoc/art/5/1/a"] if len(crimes) > 1 and rng.random() < 0.5 else [])
                case["provisions"] = cited
                size += len(cited)
            entries = self.index[code]
            if entries and rng.random() < 0.7:
                key = (code, tuple(crimes))
                if key not in self.matching:
                    self.matching[key] = [e for e in entries if e[2] in crimes] or entries
                matching = self.matching[key]
                chosen = {f"{e[0]}#{e[1]}" for e in (rng.choice(matching) for _ in range(rng.randint(1, 2)))}
                case["legislation"] = sorted(chosen)
                size += len(chosen)
            if rng.random() < 0.3:
                involved = sorted({self._other_state(code) for _ in range(rng.randint(1, 2))})
                case["involved_countries"] = involved
                size += len(involved)
            if lower is not None:
                case["appeal_of"] = lower[0]
                size += 1
            defendants = []
            for _ in range(min(1 + int(rng.expovariate(1.2)), 6)):
                d = {"type": "person" if rng.random() < 0.92 else "legal-person",
                     "nationality": code if rng.random() < 0.7 else self._other_state(code),
                     "outcome": "convicted" if rng.random() < 0.8 else "acquitted"}
                if d["type"] == "person":
                    d["sex"] = "male" if rng.random() < 0.65 else "female"
                if d["outcome"] == "convicted":
                    d["sentence"] = f"{rng.randint(1, 15)} years' imprisonment"
                defendants.append(d)
                size += 2 + len(d)
            case["defendants"] = defendants
            if rng.random() >= NO_TIP_ELEMENTS:
                elements = {"acts": acts.distinct(rng, counts["acts"](rng)),
                            "means": means.distinct(rng, counts["means"](rng)),
                            "purposes": purposes.distinct(rng, counts["purposes"](rng))}
                case["tip_elements"] = elements
                size += sum(len(v) for v in elements.values())
            case["summary"] = f"[Synthetic] An invented case decided in {state.name}, a fictional State, in {year}."
            case["source_url"] = f"https://example.org/synthetic/case/{case_id}"
            size += 2
            if level != "supreme":
                recent.append((case_id, year, level))
            yield case, size

    # -- authorities -----------------------------------------------------------------------------
    def _authorities(self):
        rng = self.rng
        matters = Picker(DESIGNATIONS, [d[2] for d in DESIGNATIONS])
        n = 0
        while True:
            n += 1
            state = self.states[(n - 1) % len(self.states)] if n <= len(self.states) else self.uniform(rng)
            code = state.code
            authority_id = f"{code}-SYN-A{n:06d}"
            designations = [{"under": under, "matter": matter, "date": self._date(2003, 2024)}
                            for matter, under, _w in matters.distinct(rng, rng.choice((1, 1, 1, 2, 3)))]
            languages = ["en"] + (["fr"] if rng.random() < 0.3 else []) + (["es"] if rng.random() < 0.2 else [])
            channels = rng.sample(["direct", "diplomatic", "interpol"], rng.randint(1, 3))
            record = {"id": authority_id, "country": code,
                      "name": f"[Synthetic] {designations[0]['matter'].replace('-', ' ').capitalize()} authority"
                              f" of {state.name} (fictional)",
                      "designations": designations, "languages_accepted": languages, "channels": channels,
                      "untoc_legal_basis": rng.random() < 0.7,
                      "contact": {"address": f"[Synthetic] {rng.randint(1, 200)} Example Street, {state.name} (fictional)",
                                  "phone": f"+000 555 {rng.randint(0, 9999):04d}",
                                  "email": f"authority-{n}@example.org",
                                  "hours": "[Synthetic] Monday to Friday, 09:00-17:00"}}
            size = 5 + len(languages) + len(channels) + 1 + 5 * len(designations) + 3 + 1 + 1 + 1
            yield record, size

    # -- treaties ---------------------------------------------------------------------------------
    def _treaties(self):
        rng = self.rng
        subjects = ("extradition", "mutual-legal-assistance", "transfer-of-sentenced-persons",
                    "law-enforcement-cooperation", "joint-investigations", "confiscation", "smuggling-of-migrants")
        n = 0
        while True:
            n += 1
            kind = "bilateral" if rng.random() < 0.85 else rng.choice(("multilateral", "regional"))
            size_parties = 2 if kind == "bilateral" else rng.randint(3, 8)
            parties: list[str] = []
            while len(parties) < size_parties:
                code = self.cases_picker(rng).code
                if code not in parties:
                    parties.append(code)
            chosen = rng.sample(subjects, rng.randint(1, 3))
            year = rng.randint(1980, 2024)
            signature = self._date(year, year)
            later = min(year + rng.randint(0, 3), MAX_YEAR)
            entry = self._date(later, later)
            entry = max(entry, signature)
            treaty_id = f"SYN-T{n:06d}-{'-'.join(sorted(parties)[:2])}"
            record = {"id": treaty_id,
                      "title": f"[Synthetic] Treaty on {chosen[0].replace('-', ' ')} between "
                               f"{' and '.join(self.by_code[p].name for p in parties[:2])}"
                               f"{' and others' if len(parties) > 2 else ''} (fictional States)",
                      "type": kind, "subjects": chosen, "parties": parties, "signature_date": signature,
                      "entry_into_force": entry, "url": f"https://example.org/synthetic/treaty/{treaty_id}"}
            yield record, 3 + 1 + len(chosen) + len(parties) + 2 + 1

    # -- strategies -------------------------------------------------------------------------------
    def _strategies(self):
        rng = self.rng
        crime_picker = Picker(["trafficking-in-persons", "smuggling-of-migrants", "trafficking-in-firearms",
                               "money-laundering", "participation-in-an-organized-criminal-group", "drug-offences",
                               "corruption", "cybercrime"], [10, 4, 2, 2, 3, 3, 2, 1])
        addressed = [p for p in ("tip/art/9", "untoc/art/31", "som/art/15", "fp/art/11", "tip/art/6")
                     if p in self.provisions]
        n = 0
        while True:
            n += 1
            regional = rng.random() < 0.1
            start = rng.randint(2005, 2024)
            crimes = crime_picker.distinct(rng, rng.randint(1, 2))
            where = rng.choice(M49_REGIONS) if regional else self.uniform(rng).code
            strategy_id = f"{'R' + where if regional else where}-SYN-S{n:06d}"
            record: dict[str, Any] = {
                "id": strategy_id,
                "title": f"[Synthetic] Action plan against {crimes[0].replace('-', ' ')}, {start}-{start + 4}",
                ("region" if regional else "country"): where,
                "issuing_body": "[Synthetic] Ministry of Justice (fictional)",
                "date_adopted": self._date(start, start), "period_start": str(start),
                "period_end": str(start + rng.randint(2, 5)), "crime_types": crimes,
                "provisions": rng.sample(addressed, rng.randint(1, 2)),
                "url": f"https://example.org/synthetic/strategy/{strategy_id}",
                "summary": "[Synthetic] An invented action plan on prevention, protection and prosecution."}
            yield record, 3 + 1 + 1 + 3 + len(crimes) + len(record["provisions"]) + 1 + 1

    # -- bibliography -----------------------------------------------------------------------------
    def _bibliography(self):
        rng = self.rng
        types = Picker(("article", "book", "chapter", "report", "thesis", "other"), (5, 1, 2, 3, 1, 1))
        n = 0
        while True:
            n += 1
            kind = types(rng)
            authors: list[str] = []
            while len(authors) < min(1 + int(rng.expovariate(0.9)), 6):
                person = self._person()
                if person not in authors:  # a name given twice would be one creator triple
                    authors.append(person)
            countries = sorted({self.cases_picker(rng).code for _ in range(rng.randint(1, 3))})
            publication_id = f"SYN-P{n:07d}"
            record: dict[str, Any] = {
                "id": publication_id,
                "title": f"[Synthetic] Trafficking and organized crime in {self.by_code[countries[0]].name}: an invented study {n}",
                "authors": authors, "year": rng.randint(1995, MAX_YEAR), "type": kind,
                "publisher": "[Synthetic] Example Press"}
            size = 1 + (kind != "other") + 1 + 1 + 5 * len(authors) + 1 + 1
            if kind in ("article", "chapter"):
                record["container"] = "[Synthetic] Journal of Invented Criminology" if kind == "article" \
                    else "[Synthetic] Handbook of Invented Studies"
                size += 1
            record["doi"] = f"10.5555/synthetic.{n}"
            record["url"] = f"https://example.org/synthetic/publication/{publication_id}"
            record["language"] = "en"
            record["countries"] = countries
            record["crime_types"] = ["trafficking-in-persons"] + (["smuggling-of-migrants"] if rng.random() < 0.2 else [])
            record["keywords"] = ["synthetic"]
            record["abstract"] = "[Synthetic] An invented abstract."
            # doi, url, language (its code and the EU language table's IRI), countries, crime types,
            # keyword, abstract
            size += 4 + len(countries) + len(record["crime_types"]) + 1 + 1
            yield record, size

    # -- guide ------------------------------------------------------------------------------------
    def _guide(self):
        rng = self.rng
        n = 0
        articles = Picker(self.articles, [self._weight(a) for a in self.articles])
        while True:
            n += 1
            article = articles(rng)
            parts = self.paragraphs.get(article, [])
            provisions = [article] + ([rng.choice(parts)] if parts and rng.random() < 0.5 else [])
            record = {"id": f"SYN-G{n:06d}", "instrument": article.split("/")[0],
                      "chapter": _roman(rng.randint(1, 6)), "section": f"{rng.choice('ABCD')}.{rng.randint(1, 9)}",
                      "title": f"[Synthetic] Notes on {article} (invented, not UNODC's guide)",
                      "provisions": provisions, "text": f"[Synthetic] An invented explanation of {article}."}
            yield record, 3 + 2 + 1 + len(provisions) + 1

    # -- review -----------------------------------------------------------------------------------
    def _review(self):
        rng = self.rng
        needs = ("legislative-assistance", "training", "capacity-building", "good-practices",
                 "research-and-data-collection")
        n = 0
        while True:
            n += 1
            state = self.uniform(rng)
            code = state.code
            entries = self.index[code]
            record: dict[str, Any] = {"id": f"{code}-SYN-R{n:07d}", "country": code, "cycle": 1,
                                      "cluster": rng.randint(1, 4)}
            size = 4 + 2 + 1 + 1 + 1  # type, id, published, country; cycle, cluster; provision; status; date
            if entries:
                law_id, number, _crime, implements = rng.choice(entries)
                record["provision"] = implements
                record["status"] = "implemented" if rng.random() < 0.7 else "partially-implemented"
                record["measures"] = [f"{law_id}#{number}"]
                size += 1
            else:
                record["provision"] = self.implementable(rng)
                record["status"] = "not-implemented"
            record["practices"] = f"[Synthetic] Invented answer of {state.name} (fictional State)."
            size += 1
            if record["status"] != "implemented":
                record["difficulties"] = "[Synthetic] Invented difficulty."
                record["assistance_needs"] = rng.sample(needs, rng.randint(1, 2))
                size += 1 + len(record["assistance_needs"])
            record["date"] = self._date(2020, 2025)
            record["published"] = rng.random() < 0.6
            yield record, size


def generate(out: Path, *, triples: int, seed: int, settings, states: int = REAL_JURISDICTIONS,
             kinds: Iterable[str] = KINDS, progress: Progress | None = None) -> Result:
    """Write a synthetic dataset of about ``triples`` record triples into ``out``; see the module docstring."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kind(s): {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}")
    generator = Generator(out, triples=triples, seed=seed, provisions=convention_provisions(settings),
                          states=states, kinds=kinds, progress=progress)
    return generator.run()


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


__all__ = ["KINDS", "FILES", "LOAD_ORDER", "Result", "generate", "register_states", "zipf_fit", "fictional_codes",
           "convention_provisions", "CASES_ZIPF_EXPONENT"]
