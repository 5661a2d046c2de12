"""``flask staff …``: accounts are created here (there is no self-registration)."""

import click
from flask.cli import AppGroup

from ..services import staff_accounts as accounts

staff = AppGroup("staff", help="Staff accounts.")

REASONS = {
    "too_short": "too short: use at least 12 characters (a sentence of several words is ideal)",
    "too_common": "too common or too easy to guess: try a sentence of several words",
}


def ask_password(generate: bool, email: str) -> tuple[str, bool]:
    if generate:
        return accounts.generate_password(), True
    while True:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            accounts.check_password_policy(password, email)
        except accounts.PasswordRejected as error:
            click.echo(f"Refused: {REASONS[error.reason]}.", err=True)
            continue
        return password, False


@staff.command("create")
@click.argument("email")
@click.option("--generate", is_flag=True, help="Print a one-time password instead of asking.")
@click.option("--locale", type=click.Choice(["fr", "en", "uk"]), default="fr", show_default=True)
@click.option(
    "--role",
    type=click.Choice(accounts.ROLES),
    default="administrator",
    show_default=True,
    help="The first account administers the others (in the dashboard).",
)
def create(email, generate, locale, role):
    """Create an account; the password is asked twice (or generated and printed once)."""
    password, generated = ask_password(generate, email)
    try:
        account = accounts.create_staff(email, password, locale=locale, role=role)
    except (accounts.AccountError, accounts.PasswordRejected) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created {account.email}")
    if generated:
        click.echo(f"one-time password (shown only now; change it after logging in): {password}")


@staff.command("disable")
@click.argument("email")
def disable(email):
    """Disable an account and end its sessions."""
    try:
        account = accounts.disable(email)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"disabled {account.email}")


@staff.command("reset-password")
@click.argument("email")
@click.option("--generate", is_flag=True, help="Print a one-time password instead of asking.")
def reset_password(email, generate):
    """Set a new password (asked twice, or generated), end the account's sessions and clear
    its two-step login (set up again at the next login): the way back for someone who lost
    their phone and their recovery codes."""
    account = accounts.find_staff(email)
    if account is None:
        raise click.ClickException(f"no account for {email}")
    password, generated = ask_password(generate, account.email)
    accounts.reset_password(account.id, actor="system", password=password)
    click.echo(f"password changed for {account.email}; two-step login to set up again")
    if generated:
        click.echo(f"one-time password (shown only now; change it after logging in): {password}")
