"""``flask purge``: delete what is older than its retention period (run it daily)."""

import click
from flask.cli import with_appcontext

from ..services import privacy


@click.command("purge")
@with_appcontext
def purge():
    """Delete answers, registrations, e-mail traces and audit events past their retention."""
    report = privacy.purge()
    click.echo(f"purge: {report}")
