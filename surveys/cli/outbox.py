"""``flask outbox send`` (one pass, for cron) and ``flask outbox worker`` (long-running)."""

import signal
import time

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from .. import database
from ..extensions import db
from ..models import OutboxMessage
from ..services import outbox as outbox_service
from ..services import reminders

# Reminders are due from the start of a day: looking every five minutes is plenty, and
# spares the database a query on every pass.
REMINDER_INTERVAL = 300

outbox = AppGroup("outbox", help="Deliver the e-mails waiting in the outbox.")


@outbox.command("send")
@click.option("--limit", default=100, show_default=True, help="At most this many messages.")
def send(limit):
    """Queue the reminders that are due, deliver the messages that are due, once, and
    report (for cron, e.g. every minute)."""
    reminded = len(reminders.queue_due())
    report = outbox_service.deliver_due(limit=limit)
    click.echo(f"outbox: {report}" + (f"; {reminded} reminder(s) queued" if reminded else ""))


@outbox.command("worker")
# A second: with OUTBOX_AFTER_COMMIT=queue the worker writes every e-mail, so its interval is
# how long a person waits for their confirmation; an idle pass is three small reads.
@click.option("--interval", default=1.0, show_default=True, help="Seconds between passes.")
@click.option("--max-passes", type=int, default=None, help="Stop after this many passes.")
def worker(interval, max_passes):
    """Deliver due messages every INTERVAL seconds until stopped (SIGTERM or Ctrl-C finish the
    current pass first)."""
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    passes = 0
    reminders_checked = None  # monotonic time of the last look for due reminders
    click.echo(f"outbox worker: a pass every {interval:g} s")
    while not stopping and (max_passes is None or passes < max_passes):
        passes += 1
        try:
            now = time.monotonic()
            if reminders_checked is None or now - reminders_checked >= REMINDER_INTERVAL:
                reminders_checked = now
                reminded = len(reminders.queue_due())
                if reminded:
                    click.echo(f"outbox: {reminded} reminder(s) queued")
            report = outbox_service.deliver_due()
        except (*database.ERRORS, database.DatabaseUnavailable) as error:
            # The database went away (a restart, a failover): the worker waits for it, and
            # the next pass takes up whatever this one left.
            database.rollback()
            click.echo(
                f"outbox: the database failed during a pass ({error}); trying again", err=True
            )
        else:
            if report.sent or report.retried or report.failed or report.recovered:
                click.echo(f"outbox: {report}")
        db.session.remove()
        deadline = time.monotonic() + interval
        while (
            not stopping
            and time.monotonic() < deadline
            and (max_passes is None or passes < max_passes)
        ):
            time.sleep(min(0.2, interval))
    click.echo("outbox worker: stopped")


@outbox.command("status")
def status():
    """Count the messages by status."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    for name, count in sorted(rows):
        click.echo(f"{name}: {count}")
