"""``flask`` commands, one module per group."""

from flask import Flask

from .backup import backup
from .demo import demo
from .forms import forms
from .outbox import outbox
from .purge import purge
from .staff import staff
from .trainings import trainings
from .translate import translate


def init_app(app: Flask) -> None:
    for group in (translate, forms, demo, outbox, trainings, staff, purge, backup):
        app.cli.add_command(group)
