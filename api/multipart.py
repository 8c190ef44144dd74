"""Reading a multipart/form-data body (an upload form) with the standard library's MIME parser:
python-multipart is not a dependency. The body is already bounded by the server's request limit
(api/security.py)."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

from sherloc_kg.errors import UsageError


def form_fields(body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """The fields of a multipart/form-data body: name → (file name, bytes), the first of each name;
    UsageError if it is not one."""
    if content_type.split(";", 1)[0].strip().lower() != "multipart/form-data" or "boundary=" not in content_type:
        raise UsageError("send the form as multipart/form-data (the upload form of this page does)")
    message = BytesParser(policy=HTTP).parsebytes(
        b"MIME-Version: 1.0\r\nContent-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise UsageError("the form could not be read as multipart/form-data")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in fields:
            continue
        payload = part.get_payload(decode=True)
        fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields
