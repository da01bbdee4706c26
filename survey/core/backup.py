"""Backups of the whole database and restores into an empty one.

SQLite: sqlite3's online backup API, which copies a consistent snapshot page by page while the
application keeps running (readers and writers are not stopped; a write during the copy makes it
start over on the pages it touched). PostgreSQL: ``pg_dump --format=custom`` of the configured
database (or of the one schema named by ``options=-csearch_path=...`` in the URL), restored with
``pg_restore``. Either way the file is written under a temporary name beside the target and
renamed into place only when complete, so a crash never leaves a half-written backup under the
real name.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import inspect, select, func, text
from sqlalchemy.engine import URL, make_url

from survey.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SCHEMA_RE = re.compile(r"search_path\s*=\s*([A-Za-z_][A-Za-z0-9_$]*)")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # "sqlite" or "postgresql"
    size: int


# --- URLs ---------------------------------------------------------------------------------------

def _url() -> URL:
    return make_url(str(db.engine.url.render_as_string(hide_password=False)))


def search_path_schema(url: URL) -> str | None:
    """The schema named by ``options=-csearch_path=NAME`` in the URL, if any."""
    options = url.query.get("options")
    if options is None:
        return None
    if isinstance(options, tuple):
        options = " ".join(options)
    match = SCHEMA_RE.search(options)
    return match.group(1) if match else None


def libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore/psql and the environment carrying the password.

    The password goes through PGPASSWORD, never on a command line that ``ps`` shows; the
    SQLAlchemy driver name (``postgresql+psycopg``) becomes plain ``postgresql``; of the query
    options only those libpq knows are kept.
    """
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    netloc = quote(url.username or "", safe="")
    if url.host:
        netloc = f"{netloc}@{url.host}" if netloc else url.host
        if url.port:
            netloc += f":{url.port}"
    keep = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "options")
    query = []
    for key in keep:
        value = url.query.get(key)
        if value is None:
            continue
        for item in value if isinstance(value, tuple) else (value,):
            query.append(f"{key}={quote(item, safe='')}")
    uri = f"postgresql://{netloc}/{quote(url.database or '', safe='')}"
    if query:
        uri += "?" + "&".join(query)
    return uri, env


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


# --- backup -------------------------------------------------------------------------------------

def _temporary_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    return Path(name)


def backup(out: str | os.PathLike) -> BackupResult:
    """Write a backup of the configured database to ``out`` (replaced atomically)."""
    target = Path(out)
    if target.is_dir():
        raise BackupError(f"{target} is a directory: name the backup file")
    url = _url()
    kind = url.get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {kind} databases are not supported")
    temporary = _temporary_beside(target)
    try:
        if kind == "sqlite":
            _sqlite_backup(_sqlite_file(url), temporary)
        else:
            _pg_dump(url, temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return BackupResult(target, kind, target.stat().st_size)


def _sqlite_backup(source: Path, destination: Path) -> None:
    if not source.exists():
        raise BackupError(f"the database file {source} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(destination)
    try:
        src.backup(dst, pages=1024)
        # One file on its own: not a WAL-mode database that needs a -wal file beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup failed: {error}") from error
    finally:
        dst.close()
        src.close()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client (postgresql-client)")
    return path


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        raise BackupError(f"{Path(args[0]).name} failed (exit {result.returncode}): {message}")
    return result


def _pg_dump(url: URL, destination: Path) -> None:
    uri, env = libpq_connection(url)
    args = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={destination}"]
    schema = search_path_schema(url)
    if schema:
        args.append(f"--schema={schema}")
    args.append(f"--dbname={uri}")
    _run(args, env)


# --- restore ------------------------------------------------------------------------------------

def file_kind(path: Path) -> str:
    with open(path, "rb") as stream:
        head = stream.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump custom-format file")


def database_rows() -> int:
    """Rows in the application's tables that exist in the configured database (0: empty)."""
    existing = set(inspect(db.engine).get_table_names())
    total = 0
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in existing:
                total += conn.execute(select(func.count()).select_from(table)).scalar_one()
    return total


def restore(source: str | os.PathLike, *, force: bool = False) -> str:
    """Replace the configured database by the backup in ``source``; returns the kind restored.

    Refuses a database that holds rows unless ``force``.
    """
    path = Path(source)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    kind = file_kind(path)
    url = _url()
    target_kind = url.get_backend_name()
    if kind != target_kind:
        raise BackupError(f"{path} is a {kind} backup but the configured database is {target_kind}")
    if not force:
        rows = database_rows()
        if rows:
            raise BackupError(f"the configured database is not empty ({rows} rows): restore with --force to replace it")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        _sqlite_restore(path, _sqlite_file(url))
    else:
        _pg_restore(path, url)
    db.engine.dispose()
    return kind


def _sqlite_restore(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} fails SQLite's integrity check")
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite restore failed: {error}") from error
    finally:
        src.close()


def dump_schemas(path: Path, env: dict[str, str]) -> tuple[set[str], set[str]]:
    """The schemas whose tables a custom-format dump holds, and those it creates (``pg_restore --list``)."""
    listing = _run([_tool("pg_restore"), "--list", str(path)], env).stdout
    tables, created = set(), set()
    for line in listing.splitlines():
        if line.startswith(";"):
            continue
        parts = line.split()
        # "215; 1259 16390 TABLE schema name owner" and "5; 2615 2200 SCHEMA - name owner"
        if len(parts) >= 6 and parts[3] == "TABLE" and parts[4] != "DATA":
            tables.add(parts[4])
        elif len(parts) >= 6 and parts[3] == "SCHEMA":
            created.add(parts[5])
    return tables, created


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_restore(path: Path, url: URL) -> None:
    uri, env = libpq_connection(url)
    target = search_path_schema(url) or "public"
    schemas, created = dump_schemas(path, env)
    if len(schemas) != 1:
        raise BackupError(f"{path} holds tables in {len(schemas)} schemas ({', '.join(sorted(schemas)) or 'none'}): "
                          "restore it with pg_restore by hand")
    (dumped,) = schemas
    with db.engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :n"), {"n": dumped}).first()
    if dumped != target and exists:
        raise BackupError(f"the backup holds schema {dumped!r}, which exists in this database beside the target "
                          f"{target!r}: drop or rename it first")
    # An empty target schema, then pg_restore recreates the dumped schema with everything in it.
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {_quote_ident(target)} CASCADE"))
        if dumped not in created:
            conn.execute(text(f"CREATE SCHEMA {_quote_ident(dumped)}"))
    db.engine.dispose()
    try:
        _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={_without_options(uri)}", str(path)], env)
    except BackupError:
        with db.engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {_quote_ident(target)}"))
        raise
    with db.engine.begin() as conn:
        if dumped != target:
            conn.execute(text(f"ALTER SCHEMA {_quote_ident(dumped)} RENAME TO {_quote_ident(target)}"))
    db.engine.dispose()


def _without_options(uri: str) -> str:
    """pg_restore sets its own search_path; a forced one would only confuse it."""
    base, _, query = uri.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("options=")]
    return base + ("?" + "&".join(kept) if kept else "")


__all__ = ["BackupError", "BackupResult", "backup", "restore", "search_path_schema", "libpq_connection", "file_kind",
           "database_rows"]
