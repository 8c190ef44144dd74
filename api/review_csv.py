"""What the explorer's upload form for self-assessment answers takes (``GET /explore/review/submit``),
as JSON: ``GET /api/review/submission-format``, the form's twin (api/explorer/twins.py). The CSV
columns (name, required or not, meaning, example, whether a cell holds several values), the
separator of those values, the most answers per file, the template to start from, where the form
posts and where a program sends the same answers as JSON (``POST /api/review/submissions``), and the
roles that may submit. The form (:mod:`api.explorer.review`) documents the same :class:`SubmissionFormat`.

It describes the form only: submitting is a POST (the form's, or the API's) with a token; nothing
here reads the store.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from . import review as api_review
from .explorer import submission_csv, twins

router = APIRouter(tags=["review"], dependencies=[Depends(twins.links_back)])

PAGE = "/explore/review/submit"
TEMPLATE = PAGE + "/template.csv"


class CsvColumn(BaseModel):
    name: str
    required: bool
    meaning: str
    example: str
    multi: bool = Field(description="The cell holds several values, separated by the separator.")


class SubmissionFormat(BaseModel):
    columns: list[CsvColumn] = Field(description="In the template's order.")
    separator: str = Field(description="What separates the values of a cell holding several.")
    max_rows: int = Field(description="The most answers per file (and per submission).")
    template: str = Field(description="The CSV template: the header and one illustrative row.")
    form: str = Field(description="Where the upload form posts (multipart/form-data: answers, token, report).")
    api: str = Field(description="Where a program posts the same answers as JSON.")
    roles: list[str] = Field(description="The roles whose token may submit.")


def submission_format() -> SubmissionFormat:
    return SubmissionFormat(
        columns=[CsvColumn(name=name, required=required, meaning=meaning, example=example,
                           multi=name in submission_csv.MULTI_VALUED)
                 for name, (required, meaning, example) in submission_csv.COLUMNS.items()],
        separator=submission_csv.SEPARATOR, max_rows=submission_csv.MAX_ROWS, template=TEMPLATE, form=PAGE,
        api="/api/review/submissions", roles=[role.value for role in api_review.SUBMIT_ROLES])


@router.get("/api/review/submission-format", response_model=SubmissionFormat,
            summary="The CSV file of self-assessment answers the upload form takes")
def submission_format_json() -> SubmissionFormat:
    """The columns, the separator of multi-valued cells, the most answers per file, and where to send them."""
    return submission_format()
