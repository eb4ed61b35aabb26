"""`flask tsunagari backup DIR` and `flask tsunagari restore DIR --yes`.

A backup is a folder:
- `database.sqlite3` (SQLite's online backup API: consistent while the site keeps running) or
  `database.dump` (PostgreSQL: `pg_dump -Fc`, taken in the same snapshot as the row counts);
- `uploads/`: a copy of UPLOAD_DIR (photos), copied after the database snapshot. Photo files are
  never changed in place (each upload gets a new name), so the only gap is a photo deleted between
  the snapshot and the copy; restore reports any photo whose file is missing;
- `manifest.json`: row counts per table, the migration revision, when and from what.

Restore replaces the database and the uploads with the backup (stop the web processes first),
checks the row counts against the manifest, runs the restore hooks (search rebuilds its index)
and writes an audit entry. The search index is never backed up: it is rebuilt from the database.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from community.core.cli import tsunagari_cli
from community.core.database import utcnow
from community.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
UPLOADS = "uploads"

RestoreHook = Callable[[], None]


class BackupError(Exception):
    pass


def register_restore_hook(app: Flask, hook: RestoreHook) -> None:
    """Run after a restore (e.g. search rebuilds its index from the restored database)."""
    app.extensions.setdefault("tsunagari.restore_hooks", []).append(hook)


@dataclass
class RestoreReport:
    counts: dict[str, int]
    expected: dict[str, int]
    missing_files: list[str] = field(default_factory=list)

    @property
    def mismatched(self) -> dict[str, tuple[int, int | None]]:
        return {t: (n, self.counts.get(t)) for t, n in self.expected.items() if self.counts.get(t) != n}


# -- helpers -------------------------------------------------------------------------------------


def _counts(connection) -> dict[str, int]:
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _revision(connection) -> str | None:
    try:
        with connection.begin_nested():
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a database made by create_all has no alembic_version
        return None


def _libpq(url) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore, with the password in the environment, not on argv."""
    url = make_url(url) if isinstance(url, str) else url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found; install the PostgreSQL client tools (postgresql-client).")
    return path


def _copy_uploads(source: Path, target: Path) -> int:
    count = 0
    if not source.exists():
        target.mkdir(parents=True, exist_ok=True)
        return 0
    for root, dirs, files in os.walk(source):
        rel = Path(root).relative_to(source)
        dirs[:] = [d for d in dirs if not d.startswith(".restor")]
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            if name.startswith(".upload-"):  # a write in progress (or abandoned): not a photo yet
                continue
            shutil.copy2(Path(root) / name, target / rel / name)
            count += 1
    return count


# -- backup --------------------------------------------------------------------------------------


def backup(destination: str | os.PathLike) -> dict:
    """Write a backup folder (it must not exist yet, or be empty); returns the manifest."""
    dest = Path(destination)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty; choose a new folder for each backup.")
    dest.mkdir(parents=True, exist_ok=True)
    engine = db.engine
    dialect = engine.dialect.name
    with engine.connect() as connection:
        if dialect == "sqlite":
            raw = connection.connection.dbapi_connection
            target = sqlite3.connect(dest / SQLITE_FILE)
            try:
                raw.backup(target)  # page by page, consistent, while writers continue
            finally:
                target.close()
            copy_engine = create_engine(f"sqlite:///{dest / SQLITE_FILE}")
            try:
                with copy_engine.connect() as copy:
                    counts = _counts(copy)
                    revision = _revision(copy)
            finally:
                copy_engine.dispose()
        elif dialect == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                counts = _counts(connection)
                revision = _revision(connection)
                schema = connection.execute(text("SELECT current_schema()")).scalar_one()
                uri, env = _libpq(engine.url)
                args = [_pg_tool("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(dest / PG_FILE)]
                if schema != "public":  # a deployment (or a test run) living in its own schema
                    args.append(f"--schema={schema}")
                result = subprocess.run([*args, uri], env=env, capture_output=True, text=True)  # noqa: S603 - no shell
                if result.returncode != 0:
                    raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise BackupError(f"backups of {dialect} databases are not supported")
    files = _copy_uploads(Path(current_app.config["UPLOAD_DIR"]), dest / UPLOADS)
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "dialect": dialect,
        "revision": revision,
        "counts": counts,
        "files": files,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


# -- restore -------------------------------------------------------------------------------------


def read_manifest(source: str | os.PathLike) -> dict:
    path = Path(source) / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} is not a Tsunagari backup (no {MANIFEST}).")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _restore_sqlite(source: Path) -> None:
    path = db.engine.url.database
    if not path or path == ":memory:":
        raise BackupError("the configured SQLite database is not a file")
    backup_file = sqlite3.connect(source / SQLITE_FILE)
    live = sqlite3.connect(path, timeout=30)
    try:
        backup_file.backup(live)  # replaces every page of the live file, under SQLite's own locks
    finally:
        live.close()
        backup_file.close()


def _restore_postgresql(source: Path) -> None:
    uri, env = _libpq(db.engine.url)
    # One transaction: a restore that fails half-way leaves the database as it was.
    args = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction",
            "-d", uri, str(source / PG_FILE)]
    result = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603 - no shell
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_uploads(source: Path, upload_dir: Path) -> None:
    """Swap each top-level folder, so the uploads are never half old and half new for long, and
    UPLOAD_DIR itself may be a mount point (shared storage)."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restoring-", dir=upload_dir))
    try:
        _copy_uploads(source, staging)
        incoming = {p.name for p in staging.iterdir()}
        for old in list(upload_dir.iterdir()):
            if old.name.startswith(".restoring-"):
                continue
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
        for name in incoming:
            os.replace(staging / name, upload_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _missing_photo_files() -> list[str]:
    from community.media import storage
    from community.media.models import SIZES, Photo

    missing = []
    for photo in db.session.scalars(select(Photo)):
        for size in SIZES:
            name = photo.filename(size)
            if not storage.path_for(name).exists():
                missing.append(name)
    return missing


def restore(source: str | os.PathLike) -> RestoreReport:
    source = Path(source)
    manifest = read_manifest(source)
    dialect = db.engine.dialect.name
    if manifest["dialect"] != dialect:
        raise BackupError(
            f"this backup is of a {manifest['dialect']} database, but the site uses {dialect}; "
            "see docs/deploy.md for moving between databases"
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep the old state (or a lock) open
    if dialect == "sqlite":
        _restore_sqlite(source)
    else:
        _restore_postgresql(source)
    db.engine.dispose()
    _restore_uploads(source / UPLOADS, Path(current_app.config["UPLOAD_DIR"]))
    with db.engine.connect() as connection:
        counts = _counts(connection)
    report = RestoreReport(counts=counts, expected=manifest["counts"], missing_files=_missing_photo_files())
    for hook in current_app.extensions.get("tsunagari.restore_hooks", []):
        hook()
    from community.audit import record

    record("site.restore", target_type="site", backup=str(source), backup_created_at=manifest["created_at"],
           rows=sum(counts.values()), mismatched=sorted(report.mismatched), missing_files=len(report.missing_files))
    db.session.commit()
    return report


# -- commands ------------------------------------------------------------------------------------


@tsunagari_cli.command("backup")
@click.argument("destination", type=click.Path(file_okay=False))
def backup_command(destination: str) -> None:
    """Back up the database and the uploaded files into a new folder (safe while the site runs)."""
    try:
        manifest = backup(destination)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    from community.audit import record

    record("site.backup", target_type="site", backup=str(destination), rows=sum(manifest["counts"].values()))
    db.session.commit()
    click.echo(f"Backed up {sum(manifest['counts'].values())} rows in {len(manifest['counts'])} tables "
               f"and {manifest['files']} files to {destination}.")


@tsunagari_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Confirm: the current database and uploads are replaced.")
def restore_command(source: str, yes: bool) -> None:
    """Replace the database and uploads with a backup, check it, rebuild the search index.

    Stop every web and worker process first."""
    try:
        manifest = read_manifest(source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    if not yes:
        raise click.ClickException(
            f"This replaces the current database and uploads with the backup of {manifest['created_at']}. "
            "Stop the web processes, then run again with --yes."
        )
    try:
        report = restore(source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {sum(report.counts.values())} rows from the backup of {manifest['created_at']}.")
    if report.missing_files:
        click.echo(f"{len(report.missing_files)} photo files are missing from the backup (deleted while it ran?).")
    if report.mismatched:
        for table, (want, got) in sorted(report.mismatched.items()):
            click.echo(f"  {table}: backup {want}, restored {got}")
        raise click.ClickException("the restored row counts do not match the backup")
    click.echo("Row counts match the backup.")
