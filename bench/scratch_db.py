"""A benchmark's own PostgreSQL database: created, labelled with the script's mark and a token
unique to the run, checked before use, and dropped only while it still carries that label.
Shared by bench/minutes_bench.py and bench/load/load_test.py, each with its own mark."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"


class Refused(SystemExit):
    pass


@dataclass
class Server:
    host: str
    port: int
    user: str
    password: str

    def connect(self, dbname: str, timeout: int = 10) -> Any:
        import psycopg2

        conn = psycopg2.connect(
            host=self.host or None,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=dbname,
            connect_timeout=timeout,
        )
        conn.autocommit = True
        return conn

    def url(self, dbname: str) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"postgres://{auth}@{self.host}:{self.port}/{dbname}"


def server_from_env() -> Server:
    """The server named by DATABASE_URL (its database is never touched), loopback only."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL
    parsed = dj_database_url.parse(url)
    if "postgresql" not in parsed["ENGINE"]:
        raise Refused(f"DATABASE_URL must be PostgreSQL, not {parsed['ENGINE']}")
    host = str(parsed.get("HOST") or "127.0.0.1")
    if host not in LOOPBACK_HOSTS:
        raise Refused(f"Loopback only: DATABASE_URL's host is {host!r}, not 127.0.0.1")
    return Server(
        host=host,
        port=int(parsed.get("PORT") or 5432),
        user=str(parsed.get("USER") or "postgres"),
        password=str(parsed.get("PASSWORD") or ""),
    )


def database_comment(cursor: Any, name: str) -> str | None:
    """The database's comment, '' for none, None if it does not exist."""
    cursor.execute(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
        "FROM pg_database WHERE datname = %s",
        [name],
    )
    row = cursor.fetchone()
    return None if row is None else str(row[0])


def scratch_create(server: Server, name: str, *, mark: str) -> str:
    """Drops this script's previous scratch database of this name, creates it anew and
    labels it. Refuses a database of that name that this script did not create."""
    token = f"{mark} {secrets.token_hex(8)}"
    conn = server.connect("postgres")
    try:
        with conn.cursor() as cursor:
            comment = database_comment(cursor, name)
            if comment is not None:
                if not comment.startswith(mark):
                    raise Refused(
                        f"Database {name!r} exists and was not created by this script "
                        f"(comment {comment!r}): refusing to touch it. Use --db-name."
                    )
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
            cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [token])
    finally:
        conn.close()
    return token


def scratch_drop(server: Server, name: str, token: str) -> bool:
    conn = server.connect("postgres")
    try:
        with conn.cursor() as cursor:
            if database_comment(cursor, name) == token:
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                return True
            print(f"NOT dropping {name}: it no longer carries this run's label", file=sys.stderr)
            return False
    finally:
        conn.close()


def require_scratch(name: str, token: str) -> None:
    """Django's connection must be to the database this run created and labelled."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (current,) = cursor.fetchone()
        if current != name or database_comment(cursor, name) != token:
            raise Refused(f"Django is connected to {current!r}, not this run's scratch {name!r}")
