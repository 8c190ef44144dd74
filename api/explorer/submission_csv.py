"""Self-assessment answers (review under article 32) read from a CSV file, for the explorer's
upload page (:mod:`.review`). Pure parsing: no store, no HTTP; the answers it returns are the JSON
objects ``POST /api/review/submissions`` takes (the field names of data/examples/review.jsonl), so
they go through exactly the same checks and storage as the API's.

The file:

- UTF-8 (a byte-order mark, as spreadsheets write, is allowed), comma-separated; a header row whose
  only separator is ``;`` (spreadsheets in many locales write that) makes ``;`` the separator.
  Cells holding the separator, a quote or a line break are quoted (``"..."``), as spreadsheets do.
- Row 1 is the header: the column names of :data:`COLUMNS`, in any order, case and surrounding
  spaces ignored; :data:`REQUIRED` must be there; an unknown or repeated column is refused.
- Every further row is one answer; an empty row is skipped. An empty cell leaves the field out.
- ``measures`` and ``assistance_needs`` hold several values separated by ``|`` (a vertical bar:
  never ``;`` or ``,``, which the texts use); ``practices`` and ``difficulties`` are one text each
  (line breaks allowed in a quoted cell).
- ``cycle`` and ``cluster`` written as whole numbers become numbers, as in the JSON.
- At most :data:`MAX_ROWS` answers per file (the API's limit per submission).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first answer row 2; a
problem names its row and its column (name and spreadsheet letter). A problem in the file itself
(:class:`CsvRefused`) means no answer is sent on at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from .i18n import N_

#: The columns, in the template's order: name → (required, meaning, example).
COLUMNS: dict[str, tuple[bool, str, str]] = {
    "id": (True, N_("a stable id of the answer; sending the same id again makes a new version of that answer"),
           "XAA-review-untoc-art-6"),
    "country": (True, N_("the reporting State Party, ISO 3166-1 alpha-3: your token's State"), "XAA"),
    "cycle": (False, N_("the review cycle (a number)"), "1"),
    "cluster": (False, N_("the thematic cluster (1-4)"), "1"),
    "provision": (True, N_("the Convention or Protocol provision the answer is about"), "untoc/art/6"),
    "status": (True, N_("implemented, partially-implemented, not-implemented or not-applicable"), "partially-implemented"),
    "measures": (False, N_("national provisions cited as implementing measures, LAW-ID#ARTICLE, several separated by |"),
                 "XAA-penal-code#150|XAA-penal-code#151"),
    "practices": (False, N_("programmes, plans and practices (art. 32 (5)): one text"), ""),
    "difficulties": (False, N_("difficulties encountered (art. 32 (4)): one text"), ""),
    "assistance_needs": (False, N_("technical-assistance needs, as notations, several separated by |"),
                         "training|legal-advice"),
    "date": (True, N_("the date of the answer, YYYY-MM-DD"), "2024-05-01"),
}
REQUIRED = tuple(name for name, (required, _, _) in COLUMNS.items() if required)
#: Columns holding several values, and what separates them within a cell.
MULTI_VALUED = ("measures", "assistance_needs")
SEPARATOR = "|"
INTEGERS = ("cycle", "cluster")
#: The API's limit of answers per submission (api/review.py MAX_ANSWERS).
MAX_ROWS = 500

#: The template's one example row: an illustrative answer of the fictional State Aurelia (XAA).
EXAMPLE = {
    "id": "XAA-review-untoc-art-6", "country": "XAA", "cycle": "1", "cluster": "1", "provision": "untoc/art/6",
    "status": "partially-implemented", "measures": "XAA-penal-code#150",
    "practices": "[Illustrative] Replace this row with your own answers: laundering of proceeds is an offence.",
    "difficulties": "[Illustrative] Limited financial-investigation capacity.", "assistance_needs": "training",
    "date": "2024-05-01",
}


@dataclass(frozen=True)
class CsvProblem:
    """What is wrong where: ``row`` as a spreadsheet numbers it (None: the file as a whole),
    ``column`` the column's name (None: the row as a whole)."""

    row: int | None
    column: str | None
    message: str
    value: str | None = None
    letter: str | None = None

    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}" + (f" ({self.letter})" if self.letter else ""))
        return ", ".join(parts) or "the file"


class CsvRefused(Exception):
    """The file cannot be read as answers: every problem found, each with its row and column."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        super().__init__("; ".join(f"{p.where()}: {p.message}" for p in problems))
        self.problems = problems


@dataclass
class ParsedCsv:
    """The answers (the API's JSON objects), the spreadsheet row of each, and where each column is."""

    answers: list[dict[str, Any]]
    rows: list[int]
    letters: dict[str, str] = field(default_factory=dict)

    def row_of(self, index: int | None) -> int | None:
        """The spreadsheet row of answer ``index`` (0-based, as the API's report counts answers)."""
        return self.rows[index] if index is not None and 0 <= index < len(self.rows) else None


def letter(position: int) -> str:
    """The spreadsheet letter of column ``position`` (0 → A, 26 → AA)."""
    text = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def template() -> str:
    """The CSV template: the header row and one illustrative example row to replace."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(COLUMNS))
    writer.writerow([EXAMPLE.get(name, "") for name in COLUMNS])
    return buffer.getvalue()


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        row = before.count(b"\n") + 1
        raise CsvRefused([CsvProblem(row, None, f"the file is not UTF-8 text (byte {error.start + 1}, near line "
                                     f"{row}); save it from the spreadsheet as \"CSV UTF-8\"")]) from error


def parse(data: bytes) -> ParsedCsv:
    """The answers of a CSV file; :class:`CsvRefused` with every problem found if it cannot be read."""
    text = _text(data)
    if not text.strip():
        raise CsvRefused([CsvProblem(None, None, "the file is empty: it needs a header row and one row per answer")])
    first = text.splitlines()[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise CsvRefused([CsvProblem(None, None, f"the file is not well-formed CSV: {error} (a quote opened and "
                                     "never closed?)")]) from error
    header = [cell.strip().lower() for cell in records[0]]
    problems: list[CsvProblem] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(header):
        if not name:
            problems.append(CsvProblem(1, None, f"column {letter(position)} has no name in the header row",
                                       letter=letter(position)))
        elif name not in COLUMNS:
            problems.append(CsvProblem(1, name, f"unknown column; the columns are: {', '.join(COLUMNS)}",
                                       letter=letter(position)))
        elif name in seen:
            problems.append(CsvProblem(1, name, f"the column appears twice (also column {letter(seen[name])})",
                                       letter=letter(position)))
        else:
            seen[name] = position
    for name in REQUIRED:
        if name not in seen:
            problems.append(CsvProblem(1, name, "required column missing from the header row"))
    if problems:
        raise CsvRefused(problems)
    letters = {name: letter(position) for name, position in seen.items()}

    answers: list[dict[str, Any]] = []
    rows: list[int] = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            problems.append(CsvProblem(number, None, f"{len(cells)} cells, but the header names {len(header)} "
                                       "columns: is a text with a comma not quoted?"))
            continue
        answer: dict[str, Any] = {}
        for name, position in seen.items():
            value = cells[position].strip() if position < len(cells) else ""
            if not value:
                if name in REQUIRED:
                    problems.append(CsvProblem(number, name, f"empty, but required: {COLUMNS[name][1]}",
                                               letter=letters[name]))
                continue
            if name in MULTI_VALUED:
                answer[name] = [part.strip() for part in value.split(SEPARATOR) if part.strip()]
            elif name in INTEGERS and value.isdigit():
                answer[name] = int(value)
            else:
                answer[name] = value
        answers.append(answer)
        rows.append(number)
    if not answers and not problems:
        problems.append(CsvProblem(None, None, "the file holds a header row but no answer"))
    if len(answers) > MAX_ROWS:
        problems.append(CsvProblem(None, None, f"{len(answers)} answers: at most {MAX_ROWS} per file; "
                                   "send the rest in another file"))
    if problems:
        raise CsvRefused(problems)
    return ParsedCsv(answers, rows, letters)
