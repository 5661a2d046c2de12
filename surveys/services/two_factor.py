"""Two-step login with a time-based code (TOTP, RFC 6238, through pyotp): the secret is
stored with the account, a code is accepted once (its time step must come after the last
one used: a code seen over a shoulder cannot be replayed), and ten recovery codes, shown
once, are stored as hashes and each works once. Required for administrators, optional for
the other roles."""

import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete

from ..extensions import begin_serialized, db
from ..models import StaffSession, StaffUser
from . import audit, tokens

STEP_SECONDS = 30
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The enrolment QR code as inline SVG (drawn here: no request to another host)."""
    svg = segno.make(uri, error="m", micro=False).svg_inline(scale=4, border=2)
    return Markup(svg)  # noqa: S704 -- segno's output from our own URI


def step_of(code: str, secret: str, now: float) -> int | None:
    """The time step (now, or one before or after for a slow clock) that ``code`` belongs
    to, or None."""
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def normalised(code: str) -> str:
    return "".join(c for c in (code or "") if c.isalnum()).lower()


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """Ten codes as shown ("4f2a9-c01e7") and their hashes, as stored."""
    shown = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        shown.append(f"{raw[:5]}-{raw[5:]}")
    return shown, [tokens.token_hash(normalised(code)) for code in shown]


def check(staff: StaffUser, code: str, now: float | None = None) -> bool:
    """Accept a time-based code (once) or a recovery code (once), in the caller's transaction
    (which holds the write lock). False for anything else."""
    now = time.time() if now is None else now
    candidate = normalised(code)
    if staff.totp_secret is None:
        return False
    if candidate.isdigit() and len(candidate) == 6:
        step = step_of(candidate, staff.totp_secret, now)
        if step is not None and step > (staff.totp_last_step or -1):
            staff.totp_last_step = step
            return True
        return False
    hashed = tokens.token_hash(candidate)
    remaining = list(staff.recovery_code_hashes or [])
    if hashed in remaining:
        remaining.remove(hashed)
        staff.recovery_code_hashes = remaining
        audit.record(staff.email, "staff.two_factor.recovery_code", left=len(remaining))
        return True
    return False


class WrongCode(ValueError):
    pass


def enable(staff_id: int, secret: str, code: str, *, now: float | None = None) -> list[str]:
    """Turn two-step login on once the person typed a code from their app (proof that the
    app holds the secret); returns the recovery codes to show once."""
    now = time.time() if now is None else now
    step = step_of(normalised(code), secret, now)
    if step is None:
        raise WrongCode(code)
    begin_serialized()
    staff = db.session.get(StaffUser, staff_id)
    shown, hashes = new_recovery_codes()
    staff.totp_secret = secret
    staff.totp_last_step = step
    staff.recovery_code_hashes = hashes
    audit.record(staff.email, "staff.two_factor.enable")
    db.session.commit()
    return shown


def renew_recovery_codes(staff_id: int) -> list[str]:
    begin_serialized()
    staff = db.session.get(StaffUser, staff_id)
    shown, hashes = new_recovery_codes()
    staff.recovery_code_hashes = hashes
    audit.record(staff.email, "staff.two_factor.recovery_codes")
    db.session.commit()
    return shown


def clear(staff: StaffUser) -> None:
    """Two-step login off for ``staff``, in the caller's transaction."""
    staff.totp_secret = None
    staff.totp_last_step = None
    staff.recovery_code_hashes = []


def disable(staff_id: int, *, actor: str) -> None:
    """Turn it off (not for an administrator: required) and end the account's sessions."""
    begin_serialized()
    staff = db.session.get(StaffUser, staff_id)
    if staff.role == "administrator":
        db.session.rollback()
        raise ValueError("required for administrators")
    clear(staff)
    db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    audit.record(actor, "staff.two_factor.disable", account=staff.email)
    db.session.commit()
