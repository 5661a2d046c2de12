"""``flask backup FILE``: a consistent backup while the app keeps running."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import backup as backup_service


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(target):
    """Back up the database to TARGET (SQLite online backup, or pg_dump for PostgreSQL)."""
    try:
        click.echo(backup_service.backup(target))
    except backup_service.BackupError as error:
        raise click.ClickException(str(error)) from None
