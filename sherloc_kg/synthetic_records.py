"""One generator of synthetic records per kind (``sherloc-kg generate``): each yields records in
our input formats, each with the number of triples the loaders map it to (counted as the record
is made, checked against real loads by tests/test_generate.py). The records are drawn from the
distributions of :mod:`.synthetic_distributions`; what stays in memory is bounded by the number of
States (a capped sample of national provisions per State for cases and review answers to cite, the
last cases per State for appeals, the courts seen), never by the number of records made."""

from __future__ import annotations

import collections
import random
from collections.abc import Iterator
from typing import Any

from .iris import slug
from .synthetic_distributions import (APPEAL_SHARE, CASE_YEARS, CASES_ZIPF_EXPONENT, CRIMINALIZATION, DESIGNATIONS,
                                      EXTRA_CRIME_TYPES, KEY_ARTICLES, LEGISLATION_ZIPF_EXPONENT, M49_REGIONS,
                                      MAX_YEAR, NO_TIP_ELEMENTS, PARTICIPATION, REAL_JURISDICTIONS, SURNAMES,
                                      TIP_ACTS, TIP_COUNTS, TIP_MEANS, TIP_PURPOSES, UN_MEMBERS, Picker, article_of,
                                      crime_of, make_states, roman, zipf)

INDEX_CAP = 300  # national provisions kept per State for cases and review answers to cite
RECENT_CAP = 30  # cases kept per State as candidates for an appeal


class RecordMaker:
    """The record generators of one synthetic set: ``records(kind)`` yields (record, triples) for
    ever, in the order the Random of ``seed`` gives; the caller stops when its budget is spent."""

    def __init__(self, *, seed: int, provisions: list[str], states: int = REAL_JURISDICTIONS) -> None:
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
        self.years = Picker(CASE_YEARS, CASE_YEARS.values())
        # bounded state: a sample of national provisions per State, recent cases per State, courts
        self.index: dict[str, list[tuple[str, str, str | None, str]]] = {s.code: [] for s in self.states}
        self.index_seen: dict[str, int] = {s.code: 0 for s in self.states}
        self.recent: dict[str, collections.deque] = {s.code: collections.deque(maxlen=RECENT_CAP) for s in self.states}
        self.courts: set[tuple[str, str]] = set()
        self.matching: dict[tuple, list] = {}
        self.laws_of: dict[str, collections.deque] = {s.code: collections.deque(maxlen=10) for s in self.states}

    def _weight(self, reference: str) -> float:
        """Each article weighs the same whatever its length (criminalization 20, other key articles
        10, the rest 1): 40 % of it on the article itself, 60 % shared by its parts."""
        instrument, article = article_of(reference)
        base = 20.0 if article in CRIMINALIZATION[instrument] else 10.0 if article in KEY_ARTICLES[instrument] else 1.0
        parts = self.parts_of[f"{instrument}/art/{article}"]
        if reference.count("/") == 2:
            return base * (0.4 if parts else 1.0)
        return base * 0.6 / parts

    def records(self, kind: str) -> Iterator[tuple[Any, int]]:
        """The records of ``kind``, each with its triples, one after the other for as long as asked."""
        return getattr(self, "_" + kind)()

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
            # language table's IRI: sherloc_kg/links_out.py), and its English version (loaders/eli.py:
            # is_realized_by, type, realizes, language, title)
            size = 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + 5
            earlier = self.laws_of[code]
            if earlier and rng.random() < 0.1:
                law["amends"] = [rng.choice(earlier)]
                size += 1
            provisions = []
            count = min(1 + int(rng.expovariate(1 / 5.0)), 40)
            for number in range(1, count + 1):
                implements = self.implementable.distinct(rng, 1 if rng.random() < 0.8 else 2)
                crime = crime_of(implements[0])
                provision: dict[str, Any] = {
                    "number": str(number), "heading": f"[Synthetic] Article {number}",
                    "text": f"[Synthetic] Invented provision implementing {', '.join(implements)}.",
                    "implements": implements}
                # has_part, types (ours and ELI's), is_part_of, number, heading, text, implements; its
                # English version (is_realized_by, type, realizes, language, title, text) and the law's
                # link to it (sherloc:containsExpression)
                size += 5 + 1 + 1 + len(implements) + 6 + 1
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
                      "chapter": roman(rng.randint(1, 6)), "section": f"{rng.choice('ABCD')}.{rng.randint(1, 9)}",
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

