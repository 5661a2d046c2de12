"""``flask purge``: delete what is older than its retention period (run it daily)."""

import click

from ..services import privacy


@click.command("purge")
def purge():
    """Delete answers, registrations, e-mail traces and audit events past their retention."""
    report = privacy.purge()
    click.echo(f"purge: {report}")
