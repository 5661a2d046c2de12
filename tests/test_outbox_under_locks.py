"""Recording what the SMTP server answered survives a busy SQLite database: a message the
server accepted is marked sent, once, and never sent again."""

import sqlite3
import threading
import time

import pytest

from surveys.models import OutboxStatus
from surveys.services import outbox

from .support import make_training, outbox_messages, sign_up


def hold_write_lock(path: str, seconds: float, started: threading.Event) -> None:
    """Another process's long write transaction, on the same real file."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    started.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def test_a_delivery_recorded_while_another_writer_holds_the_lock_is_sent_once(
    mail_app, smtp_server, database_url
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer")
    slug = make_training(mail_app)
    assert sign_up(mail_app.test_client(), slug).status_code == 303
    path = database_url.removeprefix("sqlite:///")
    started = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(path, 1.5, started))
    with mail_app.app_context():
        holder.start()
        started.wait(5)
        report = outbox.deliver_due()
        holder.join()
        again = outbox.deliver_due()
    assert len(report.sent) == 1
    assert again.sent == [] and again.recovered == 0
    assert len(smtp_server.handler.messages) == 1
    assert [m.status for m in outbox_messages(mail_app)] == [OutboxStatus.SENT]
