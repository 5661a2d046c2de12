"""``flask`` commands, one module per group."""

from flask import Flask

from .demo import demo
from .outbox import outbox
from .trainings import trainings
from .translate import translate


def init_app(app: Flask) -> None:
    for group in (translate, demo, outbox, trainings):
        app.cli.add_command(group)
