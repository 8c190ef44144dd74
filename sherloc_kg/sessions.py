"""Sessions of people signed in to the explorer with their token.

A browser cannot send ``Authorization: Bearer`` on a link or a form, so an official, submitter,
editor or admin signs in once with their token (api/sign_in.py) and gets a session: a random id in
a cookie, and beside it a CSRF token that every form they send must carry. What a session may do
is what its token may do, for as long as the token is live: a revoked token ends its sessions at
their next request.

Kept in SQLite beside the token file (``tokens.json`` → ``tokens.sessions.sqlite``), so that every
worker process of ``sherloc-kg serve --workers N`` sees a sign-in or a sign-out at once. Only the
SHA-256 of a session id is stored: the file gives no one a session. A session lasts
:data:`LIFETIME` from sign-in, then the person signs in again; sign-out ends it for good.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .access import PUBLIC, Caller, Role, Tokens

#: How long a session lasts from sign-in.
LIFETIME = timedelta(hours=8)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS session (
    id_hash TEXT PRIMARY KEY,   -- SHA-256 of the session id the cookie holds
    csrf TEXT NOT NULL,         -- the token every form of this session carries
    token_id TEXT NOT NULL,     -- the API token signed in with (tokens.json)
    role TEXT NOT NULL, country TEXT, name TEXT, agent TEXT,
    created TEXT NOT NULL, expires TEXT NOT NULL, ended TEXT
)
"""


@dataclass(frozen=True)
class Session:
    """A live session: who it is (the caller its token stands for) and its CSRF token."""

    caller: Caller
    csrf: str
    expires: datetime


def sessions_path(tokens: Path) -> Path:
    """Where the sessions of a token file are kept: beside it."""
    return tokens.with_name(tokens.stem + ".sessions.sqlite")


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class Sessions:
    """The sessions of one token file (see the module docstring)."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.path = sessions_path(tokens.path)
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)
        return connection

    def start(self, caller: Caller, now: datetime | None = None) -> tuple[str, Session]:
        """A new session for ``caller`` (a checked token's): its id (for the cookie) and itself."""
        if caller.role is Role.PUBLIC or caller.token_id is None:
            raise ValueError("only a token's holder signs in")
        now = now or datetime.now(timezone.utc)
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + LIFETIME
        with self._lock, self._connect() as connection:
            connection.execute(
                "INSERT INTO session (id_hash, csrf, token_id, role, country, name, agent, created, expires) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_digest(session_id), csrf, caller.token_id, caller.role.value, caller.country, caller.name,
                 caller.agent, now.isoformat(timespec="seconds"), expires.isoformat(timespec="seconds")))
        return session_id, Session(replace(caller, state_graphs=()), csrf, expires)

    def find(self, session_id: str, now: datetime | None = None) -> Session | None:
        """The live session of ``session_id``: None if it is unknown, ended, expired, or its token
        was revoked since."""
        now = now or datetime.now(timezone.utc)
        with self._lock, self._connect() as connection:
            row = connection.execute(
                "SELECT csrf, token_id, role, country, name, agent, expires FROM session "
                "WHERE id_hash = ? AND ended IS NULL", (_digest(session_id),)).fetchone()
        if row is None:
            return None
        csrf, token_id, role, country, name, agent, expires = row
        ends = datetime.fromisoformat(expires)
        if ends <= now or not self._token_live(token_id):
            return None
        return Session(Caller(role=Role(role), country=country, name=name, token_id=token_id, agent=agent),
                       csrf, ends)

    def end(self, session_id: str, now: datetime | None = None) -> None:
        """Sign-out: the session is over, whoever presents its id again."""
        now = now or datetime.now(timezone.utc)
        with self._lock, self._connect() as connection:
            connection.execute("UPDATE session SET ended = ? WHERE id_hash = ? AND ended IS NULL",
                               (now.isoformat(timespec="seconds"), _digest(session_id)))

    def _token_live(self, token_id: str) -> bool:
        return any(entry.id == token_id and not entry.revoked for entry in self.tokens.list())

    @staticmethod
    def csrf_matches(session: Session, presented: str | None) -> bool:
        """Whether a form's CSRF token is its session's (compared in constant time)."""
        return presented is not None and hmac.compare_digest(session.csrf.encode(), presented.encode())


__all__ = ["LIFETIME", "PUBLIC", "Session", "Sessions", "sessions_path"]
