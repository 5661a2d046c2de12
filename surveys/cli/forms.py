"""``flask forms …``: the forms shipped as seed files (surveys/forms/seeds/*.toml)."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..extensions import db
from ..forms import seed_files
from ..models import Form
from ..services import forms as form_service

forms = AppGroup("forms", help="Forms: load the seed files, list the forms.")

SAID = {
    "created": "created, version {version}",
    "unchanged": "unchanged (version {version})",
    "published": "published as version {version}",
    "differs": (
        "its seed file differs from version {version}, which staff published or are "
        "editing: left as it is; `flask forms load --publish {code}` publishes the file "
        "over their changes"
    ),
}


@forms.command("load")
@click.option(
    "--from",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=seed_files.SEEDS,
    show_default="the seed files shipped with the code",
    help="Read the seed files (*.toml) of this folder.",
)
@click.option(
    "--publish",
    "to_publish",
    multiple=True,
    metavar="CODE",
    help="Publish this form's seed file as its next version if it changed, even over "
    "what staff published (repeatable).",
)
def load(folder, to_publish):
    """Create the forms of the seed files that the database does not have yet, and publish
    a changed seed file over a form staff never changed. Safe to run at every deployment: a
    form staff published or are editing is changed only if --publish names it."""
    with force_locale("en"):  # what a refused file says, for whoever runs the command
        load_seeds(folder, to_publish)


def load_seeds(folder, to_publish):
    for seed in seed_files.seeds(folder):
        try:
            outcome = form_service.load_seed(seed, publish_changes=seed.code in to_publish)
        except form_service.InvalidDocument as error:
            details = "\n  ".join(error.reasons)
            raise click.ClickException(f"{seed.path.name} cannot be loaded:\n  {details}") from None
        click.echo(f"{seed.code}: " + SAID[outcome.result].format(**outcome.__dict__))


@forms.command("list")
def list_forms():
    """Every form, its address, version and state."""
    for form in db.session.scalars(db.select(Form).order_by(Form.id)):
        address = f"/<lang>/{form.slug}" if form.short_address else f"/<lang>/f/{form.slug}"
        state = "open" if form.is_open else "closed"
        version = form.current_version or "never published"
        click.echo(f"{form.code}\t{form.kind}\t{address}\tversion {version}\t{state}")
