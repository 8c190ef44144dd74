"""The DL check of the ontology: HermiT (through owlready2) over ``ontology/sherloc.ttl``.

owlready2 cannot read Turtle, so the file is first converted to N-Triples with rdflib. HermiT runs
in a World of its own (an in-memory quadstore), so nothing leaks into owlready2's default world or
between two checks. No network: the ontology has no owl:imports and owlready2 drops any before
calling HermiT, which runs locally on Java.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from .errors import SherlocError, UsageError

OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


@dataclass(frozen=True)
class OntologyReport:
    consistent: bool
    #: IRIs of the classes HermiT found equivalent to owl:Nothing (sorted; empty when inconsistent,
    #: since an inconsistent ontology has no classification to report)
    unsatisfiable: list[str] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0


def check_ontology(ontology_dir: Path) -> OntologyReport:
    """Classify ``{ontology_dir}/sherloc.ttl`` with HermiT and report consistency and unsatisfiable classes.

    Raises :class:`UsageError` if the file is missing or is not Turtle, and :class:`SherlocError`
    if HermiT cannot run (no Java, or an axiom outside OWL 2 DL such as an xsd:date range).
    """
    # Imported here: owlready2 is heavy and only this command needs it.
    from owlready2 import OwlReadyInconsistentOntologyError, OwlReadyJavaError, World, sync_reasoner

    path = Path(ontology_dir) / "sherloc.ttl"
    if not path.is_file():
        raise UsageError(f"no ontology to check: {path} is missing")
    try:
        graph = Graph().parse(path, format="turtle")
    except Exception as error:  # rdflib raises several unrelated types for bad Turtle
        raise UsageError(f"{path} is not valid Turtle: {error}") from error

    world = World()  # isolated: its own in-memory quadstore
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="sherloc-owl-") as tmp:
            ntriples = Path(tmp) / "sherloc.nt"
            graph.serialize(ntriples, format="nt", encoding="utf-8")
            with ntriples.open("rb") as handle:
                world.get_ontology(ntriples.as_uri()).load(fileobj=handle, format="ntriples")
        try:
            sync_reasoner(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError:
            return OntologyReport(False, [], f"{path.name}: inconsistent (HermiT)", time.monotonic() - started)
        except OwlReadyJavaError as error:
            raise SherlocError(f"HermiT could not classify {path.name}: {_java_reason(str(error))}") from error
        except FileNotFoundError as error:  # no java executable
            raise SherlocError(f"HermiT needs Java, which was not found: {error}") from error
        unsatisfiable = sorted(
            cls.iri for cls in world.inconsistent_classes() if getattr(cls, "iri", OWL_NOTHING) != OWL_NOTHING
        )
    finally:
        world.close()
    seconds = time.monotonic() - started
    if unsatisfiable:
        message = f"{path.name}: consistent, but {len(unsatisfiable)} unsatisfiable class(es): " + ", ".join(unsatisfiable)
    else:
        message = f"{path.name}: consistent, no unsatisfiable class (HermiT, {seconds:.1f} s)"
    return OntologyReport(True, unsatisfiable, message, seconds)


def _java_reason(java_error: str) -> str:
    """The informative line of a Java stack trace (owlready2 puts a header line before it)."""
    lines = [line.strip() for line in java_error.splitlines() if line.strip()]
    for line in lines:
        if "Exception" in line:
            return " ".join(lines[lines.index(line):lines.index(line) + 4])
    return lines[-1] if lines else java_error
