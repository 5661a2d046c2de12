"""Backups taken while the app runs, and the restore docs/deploy.md describes."""

import os
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, func, select, text

from surveys.models import Submission

from .support import SURVEY_ANSWERS, make_app, stored_submissions, submit


def count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(Submission)).scalar()
    engine.dispose()
    return total


def test_sqlite_online_backup_and_restore(sqlite_template, tmp_path):
    live_file = str(tmp_path / "surveys.sqlite3")
    shutil.copy(sqlite_template, live_file)
    app = make_app(f"sqlite:///{live_file}")
    runner = app.test_cli_runner()
    client = app.test_client()
    submit(client, "/fr/survey", SURVEY_ANSWERS)
    backup = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    submit(client, "/fr/survey", SURVEY_ANSWERS)  # after the backup: lost by the restore

    # Restore (docs/deploy.md): stop the app, put the backup in place of the database file.
    with app.app_context():
        from surveys.extensions import db

        db.engine.dispose()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(live_file + suffix):
            os.remove(live_file + suffix)
    shutil.copy(backup, live_file)
    restored = make_app(f"sqlite:///{live_file}")
    assert len(stored_submissions(restored, "survey")) == 1
    assert restored.test_client().get("/healthz").status_code == 200


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_postgresql_dump_and_restore(postgres_url, tmp_path):
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed")
    app = make_app(postgres_url)
    try:
        submit(app.test_client(), "/uk/survey", SURVEY_ANSWERS)
        dump = tmp_path / "surveys.dump"
        result = app.test_cli_runner().invoke(args=["backup", str(dump)])
        assert result.exit_code == 0, result.output

        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS surveys_restore_test"))
            connection.execute(text("CREATE DATABASE surveys_restore_test"))
        target = postgres_url.rsplit("/", 1)[0] + "/surveys_restore_test"
        plain = target.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(
            [shutil.which("pg_restore"), "--no-owner", f"--dbname={plain}", str(dump)],
            check=True,
            capture_output=True,
        )
        assert count(target) == 1
        restored = make_app(target)
        assert restored.test_client().get("/healthz").status_code == 200
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE surveys_restore_test WITH (FORCE)"))
        admin.dispose()
    finally:
        from .conftest import truncate_all

        truncate_all(app)
