"""``flask trainings …``: manage trainings and their sessions without touching the database."""

import click
from flask.cli import AppGroup

from ..i18n import LANGUAGES
from ..services import training_admin as admin
from ..services.training_admin import SessionSpec, TrainingError

trainings = AppGroup("trainings", help="Create, edit, duplicate, open and close trainings.")


def parse_session(text: str) -> SessionSpec:
    try:
        return admin.parse_session_line(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: expected 'YYYY-MM-DD HH:MM-HH:MM place', e.g. "
            "'2026-09-04 09:30-16:30 Namur, rue de Bruxelles 20'"
        ) from None


def parse_capacity(text: str | None):
    if text is None:
        return admin.UNSET
    if text.lower() in ("none", "unlimited"):
        return None
    try:
        return int(text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: a number, or 'none' for no limit") from None


def text_options(function):
    """--title-fr, --title-en, --title-uk, --description-…, --audience-…"""
    for name in reversed(admin.TEXT_FIELDS):
        for lang in reversed(LANGUAGES):
            function = click.option(
                f"--{name}-{lang}", default=None, help=f"{name.capitalize()} in {lang}."
            )(function)
    return function


def collect_texts(options: dict) -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for name in admin.TEXT_FIELDS:
        for lang in LANGUAGES:
            value = options.pop(f"{name}_{lang}", None)
            if value is not None:
                texts.setdefault(name, {})[lang] = value
    return texts


def common_options(function):
    function = click.option("--trainer", default=None)(function)
    function = click.option(
        "--capacity", default=None, help="Number of seats, or 'none' for no limit."
    )(function)
    function = click.option(
        "--deadline",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Last day of registration (YYYY-MM-DD).",
    )(function)
    function = click.option(
        "--every-date/--any-date",
        "every_date_required",
        default=None,
        help="Whether people must attend every session.",
    )(function)
    return text_options(function)


def fail(error: TrainingError):
    raise click.ClickException(str(error))


@trainings.command("list")
def list_trainings():
    """One line per training: state, seats, dates."""
    for training, seats in admin.all_trainings():
        state = ("open" if training.is_open else "closed") + (
            "" if training.is_published else ", draft"
        )
        capacity = "unlimited" if seats.capacity is None else seats.capacity
        dates = ", ".join(s.date.isoformat() for s in training.sessions) or "no dates"
        click.echo(
            f"{training.slug}  [{state}]  {seats.confirmed}/{capacity} confirmed, "
            f"{seats.waitlisted} waiting  ({dates})"
        )


@trainings.command("create")
@click.argument("slug")
@common_options
@click.option(
    "--session",
    "sessions",
    multiple=True,
    help="'YYYY-MM-DD HH:MM-HH:MM place', repeat for each date.",
)
@click.option("--publish/--draft", default=False, show_default=True)
def create(slug, sessions, publish, trainer, capacity, deadline, every_date_required, **texts):
    """Create a training (as a draft unless --publish)."""
    capacity = parse_capacity(capacity)
    try:
        admin.create_training(
            slug,
            **collect_texts(texts),
            trainer=trainer or "",
            capacity=None if capacity is admin.UNSET else capacity,
            registration_deadline=deadline.date() if deadline else None,
            every_date_required=bool(every_date_required),
            is_published=publish,
            sessions=[parse_session(s) for s in sessions],
        )
    except TrainingError as error:
        fail(error)
    click.echo(f"created {slug}")


@trainings.command("edit")
@click.argument("slug")
@common_options
@click.option("--no-deadline", is_flag=True, help="Remove the registration deadline.")
def edit(slug, trainer, capacity, deadline, every_date_required, no_deadline, **texts):
    """Change only the given fields; an empty text (--title-en '') removes that language."""
    fields = {}
    if trainer is not None:
        fields["trainer"] = trainer
    if deadline is not None or no_deadline:
        fields["registration_deadline"] = None if no_deadline else deadline.date()
    if every_date_required is not None:
        fields["every_date_required"] = every_date_required
    try:
        promoted = admin.update_training(
            slug, texts=collect_texts(texts), capacity=parse_capacity(capacity), **fields
        )
    except TrainingError as error:
        fail(error)
    click.echo(
        f"updated {slug}"
        + (f"; {len(promoted)} promoted from the waiting list" if promoted else "")
    )


@trainings.command("add-session")
@click.argument("slug")
@click.argument("session")
def add_session(slug, session):
    """Add a date: SESSION is 'YYYY-MM-DD HH:MM-HH:MM place'."""
    try:
        admin.add_session(slug, parse_session(session))
    except TrainingError as error:
        fail(error)
    click.echo(f"session added to {slug}")


@trainings.command("remove-session")
@click.argument("slug")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
def remove_session(slug, day):
    """Remove the session(s) on DAY (YYYY-MM-DD)."""
    try:
        count = admin.remove_session(slug, day.date())
    except TrainingError as error:
        fail(error)
    click.echo(f"{count} session(s) removed from {slug}")


@trainings.command("duplicate")
@click.argument("slug")
@click.argument("new_slug")
@click.option(
    "--session",
    "sessions",
    multiple=True,
    help="Dates of the copy (default: the same as the original).",
)
def duplicate(slug, new_slug, sessions):
    """Copy a training without its registrations, as a draft (e.g. the same workshop in
    another place)."""
    try:
        admin.duplicate_training(slug, new_slug, sessions=[parse_session(s) for s in sessions])
    except TrainingError as error:
        fail(error)
    click.echo(f"created {new_slug} (draft) from {slug}")


def state_command(name: str, help_text: str, **fields):
    @trainings.command(name, help=help_text)
    @click.argument("slug")
    def command(slug):
        try:
            admin.update_training(slug, **fields)
        except TrainingError as error:
            fail(error)
        click.echo(f"{slug}: {name}")

    return command


state_command("open", "Accept registrations again.", is_open=True)
state_command("close", "Stop registrations (the page stays visible).", is_open=False)
state_command("publish", "Show the training on the public site.", is_published=True)
state_command("unpublish", "Hide the training from the public site.", is_published=False)


@trainings.command("registrations")
@click.argument("slug")
def registrations(slug):
    """Registrations of a training, by status (waiting list in its order)."""
    try:
        rows = admin.registrations_of(slug)
    except TrainingError as error:
        fail(error)
    for registration in rows:
        when = registration.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{registration.status:<10} {registration.full_name} <{registration.email}> "
            f"[{registration.locale}] {when}"
        )


@trainings.command("cancel-registration")
@click.argument("slug")
@click.argument("email")
def cancel_registration(slug, email):
    """Cancel a registration; the freed seat goes to the waiting list (with e-mails)."""
    try:
        outcome = admin.cancel_registration(slug, email)
    except TrainingError as error:
        fail(error)
    if not outcome.cancelled:
        click.echo("already cancelled")
    else:
        click.echo(f"cancelled; {outcome.promoted} promoted from the waiting list")
