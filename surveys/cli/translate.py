"""``flask translate …``: the gettext workflow (extract, update, init, compile)."""

import subprocess
import sys

import click
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

from ..config import ROOT

translate = AppGroup("translate", help="Extract, update and compile the gettext catalogs.")

CATALOG_DIR = ROOT / "translations"
TEMPLATE = CATALOG_DIR / "messages.pot"


def pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:  # noqa: S603
        raise click.ClickException("pybabel " + " ".join(args) + " failed")


def extract(output=TEMPLATE) -> None:
    """Collect the messages of surveys/**.py and templates/ (see babel.cfg) into ``output``."""
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--project",
        "surveys",
        "--msgid-bugs-address",
        "-",
        "-o",
        str(output),
        ".",
    )


@translate.command("update")
def translate_update():
    """Extract messages from code and templates and merge them into every catalog."""
    extract()
    pybabel(
        "update",
        "-i",
        str(TEMPLATE),
        "-d",
        str(CATALOG_DIR),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )
    fill_source_catalog()


def fill_source_catalog() -> None:
    """The msgids are English, so the English catalog starts as a copy of them; a msgstr that
    was reworded by hand is kept."""
    path = CATALOG_DIR / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalog = read_po(file, locale="en")
    for message in catalog:
        if message.id and not (all(message.string) if message.pluralizable else message.string):
            message.string = tuple(message.id) if message.pluralizable else message.id
    with path.open("wb") as file:
        write_po(file, catalog, width=100)


@translate.command("init")
@click.argument("language")
def translate_init(language):
    """Start a catalog for a new LANGUAGE (see README, "Adding a language")."""
    extract()
    pybabel("init", "-i", str(TEMPLATE), "-d", str(CATALOG_DIR), "-l", language)


@translate.command("compile")
def translate_compile():
    """Compile the catalogs to .mo files (needed before the app shows translations)."""
    pybabel("compile", "-d", str(CATALOG_DIR), "--statistics")
