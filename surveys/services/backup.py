"""Backups of the database while the app keeps serving.

SQLite: the online backup API copies a consistent snapshot page by page (a plain file copy
during a write could be torn). PostgreSQL: ``pg_dump`` in its custom format, restored with
``pg_restore`` (see docs/deploy.md).
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ..extensions import db


class BackupError(RuntimeError):
    pass


def backup(target: Path) -> str:
    """Write a backup of the current database to ``target``; returns what was done."""
    url = db.engine.url
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        try:
            destination = sqlite3.connect(target)
            with destination:
                source.backup(destination)
            destination.close()
        finally:
            source.close()
        return f"SQLite online backup written to {target}"
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError(
                "pg_dump is not installed (Debian: apt-get install postgresql-client)"
            )
        plain = make_url(url).set(drivername="postgresql")
        result = subprocess.run(  # noqa: S603 (fixed program, URL from our own settings)
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                f"--file={target}",
                plain.render_as_string(hide_password=False),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(result.stderr.strip())
        return f"pg_dump (custom format) written to {target}"
    raise BackupError(f"no backup method for {url.get_backend_name()}")
