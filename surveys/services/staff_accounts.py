"""Staff accounts, passwords, logins with throttling, and server-side sessions."""

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

from ..extensions import begin_serialized, db
from ..forms.values import InvalidValue, normalise_email
from ..models import LoginThrottle, StaffRole, StaffSession, StaffUser, utcnow
from . import audit, tokens, two_factor

MIN_PASSWORD_LENGTH = 12
# Failures before the delay starts, and its ceiling: a growing delay, never a lockout.
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 15 * 60
# Compared against when the account does not exist, so both paths take as long.
DUMMY_HASH = generate_password_hash("not a real password, only for timing")


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


class PasswordRejected(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "too_short" or "too_common"


def normalise_password(password: str) -> str:
    """The same passphrase typed on two keyboards (composed or decomposed accents) matches."""
    return unicodedata.normalize("NFKC", password)


def check_password_policy(password: str, email: str = "") -> None:
    """At least 12 characters (any Unicode, long passphrases welcome), and not one of the
    most common passwords nor something guessed in a few thousand tries."""
    password = normalise_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected("too_short")
    common = RANKED_DICTIONARIES["passwords"]
    if password.lower() in common or password.lower().replace(" ", "") in common:
        raise PasswordRejected("too_common")
    hints = [part for part in email.replace("@", " ").replace(".", " ").split() if part]
    if zxcvbn(password[:100], user_inputs=hints)["score"] < 3:
        raise PasswordRejected("too_common")


def generate_password() -> str:
    """A one-time password for a new account or a reset: shown once, never stored."""
    return secrets.token_urlsafe(15)


def find_staff(email: str) -> StaffUser | None:
    try:
        email = normalise_email(email)
    except InvalidValue:
        return None
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


ROLES = tuple(role.value for role in StaffRole)


def create_staff(
    email: str,
    password: str,
    locale: str = "fr",
    *,
    role: str = "administrator",
    actor: str = "system",
) -> StaffUser:
    """A new account, with its audit entry, in one transaction. The first account (from the
    command line) is an administrator; administrators create the others in the dashboard."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    try:
        email = normalise_email(email)
    except InvalidValue as error:
        raise AccountError(f"not a valid e-mail address: {error}") from None
    begin_serialized()
    if find_staff(email) is not None:
        db.session.rollback()
        raise AccountError(f"an account for {email} already exists")
    try:
        check_password_policy(password, email)
    except PasswordRejected:
        db.session.rollback()
        raise
    staff = StaffUser(
        email=email,
        password_hash=generate_password_hash(normalise_password(password)),
        locale=locale,
        role=role,
    )
    db.session.add(staff)
    audit.record(actor, "staff.create", account=email, role=role)
    db.session.commit()
    return staff


def get_staff(staff_id: int) -> StaffUser | None:
    return db.session.get(StaffUser, staff_id)


def all_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def keeps_an_administrator(staff: StaffUser, *, role: str, active: bool) -> bool:
    """Whether the dashboard still has an active administrator once ``staff`` has ``role``
    and ``active``: nobody could manage the accounts otherwise."""
    if role == "administrator" and active:
        return True
    others = db.session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(
            StaffUser.id != staff.id,
            StaffUser.role == "administrator",
            StaffUser.is_active.is_(True),
        )
    )
    return others > 0


def set_role(staff_id: int, role: str, *, actor: str) -> StaffUser:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    begin_serialized()
    staff = db.session.get(StaffUser, staff_id)
    if staff is None or not keeps_an_administrator(staff, role=role, active=staff.is_active):
        db.session.rollback()
        raise AccountError("the last administrator keeps the role")
    staff.role = role
    # Sessions end: the next login starts with the new rights everywhere.
    db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    audit.record(actor, "staff.role", account=staff.email, role=role)
    db.session.commit()
    return staff


def set_active(staff_id: int, active: bool, *, actor: str) -> StaffUser:
    begin_serialized()
    staff = db.session.get(StaffUser, staff_id)
    if staff is None or not keeps_an_administrator(staff, role=staff.role, active=active):
        db.session.rollback()
        raise AccountError("the last administrator stays active")
    staff.is_active = active
    if not active:
        db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    audit.record(actor, "staff.enable" if active else "staff.disable", account=staff.email)
    db.session.commit()
    return staff


def reset_password(
    staff_id: int, *, actor: str, password: str | None = None
) -> tuple[StaffUser, str]:
    """A new one-time password (returned, shown once, never stored), the account's sessions
    ended, and its two-step login cleared: someone who lost their password often lost their
    phone too, and sets it up again at the next login (required for an administrator)."""
    staff = db.session.get(StaffUser, staff_id)
    if staff is None:
        raise AccountError(f"no account {staff_id}")
    password = password or generate_password()
    check_password_policy(password, staff.email)
    password_hash = generate_password_hash(normalise_password(password))
    begin_serialized()
    staff = db.session.get(StaffUser, staff_id, populate_existing=True)
    staff.password_hash = password_hash
    two_factor.clear(staff)
    db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    audit.record(actor, "staff.reset", account=staff.email)
    db.session.commit()
    return staff, password


def check_current_password(staff: StaffUser, password: str) -> bool:
    return check_password_hash(staff.password_hash, normalise_password(password))


def set_password(staff: StaffUser, password: str, *, actor: str) -> None:
    """Change the password and end every session of the account."""
    check_password_policy(password, staff.email)
    password_hash = generate_password_hash(normalise_password(password))
    begin_serialized()
    staff.password_hash = password_hash
    db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    audit.record(actor, "staff.password", account=staff.email)
    db.session.commit()


def disable(email: str) -> StaffUser:
    begin_serialized()
    staff = find_staff(email)
    if staff is None:
        db.session.rollback()
        raise AccountError(f"no account for {email}")
    staff.is_active = False
    db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    audit.record("system", "staff.disable", account=staff.email)
    db.session.commit()
    return staff


def address_key(address: str | None) -> str:
    """An HMAC of the client address: enough to slow one address down, useless to anyone
    reading the database."""
    secret = (
        current_app.secret_key.encode()
        if isinstance(current_app.secret_key, str)
        else (current_app.secret_key)
    )
    return hmac.new(secret, (address or "?").encode(), hashlib.sha256).hexdigest()


def delay_after(failures: int) -> int:
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


@dataclass(frozen=True)
class LoginResult:
    staff: StaffUser | None = None
    session_token: str | None = None
    # The password was right and the account asks for its code (two-step login) next.
    needs_code: bool = False

    @property
    def ok(self) -> bool:
        return self.session_token is not None


def throttles_for(email: str, address: str | None) -> list[LoginThrottle]:
    keys = [
        ("account", hashlib.sha256(email.strip().lower().encode()).hexdigest()),
        ("address", address_key(address)),
    ]
    found = []
    for scope, key in keys:
        row = db.session.scalar(
            select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
        )
        found.append(row or LoginThrottle(scope=scope, key=key, failures=0))
    return found


def attempt_login(email: str, password: str, address: str | None) -> LoginResult:
    """Check a login. While an account or an address is being slowed down, attempts are
    refused without looking at the password; every failure looks the same to the caller.

    The password hash (slow on purpose) is checked outside any transaction; what the result
    changes is written in a transaction that takes SQLite's write lock before it reads the
    throttles again (a read snapshot upgraded to a write fails at once, busy timeout or not,
    when another login wrote meanwhile)."""
    now = utcnow()
    blocked = any(t.blocked_until and t.blocked_until > now for t in throttles_for(email, address))
    staff = find_staff(email)
    db.session.rollback()  # the reads above end here
    if blocked:
        begin_serialized()
        audit.record(staff.email if staff else "unknown", "login.throttled")
        db.session.commit()
        return LoginResult()

    candidate = normalise_password(password)
    if staff is not None:
        valid = check_password_hash(staff.password_hash, candidate) and staff.is_active
    else:
        check_password_hash(DUMMY_HASH, candidate)
        valid = False

    begin_serialized()
    throttles = throttles_for(email, address)
    if not valid:
        count_failure(throttles, now)
        audit.record(staff.email if staff else "unknown", "login.failure")
        db.session.commit()
        return LoginResult()

    if staff.totp_secret is not None:
        # The second step decides (complete_login); the throttles stay as they are.
        db.session.commit()
        return LoginResult(staff=staff, needs_code=True)
    token = open_session(staff, throttles, now)
    db.session.commit()
    return LoginResult(staff=staff, session_token=token)


def count_failure(throttles: list[LoginThrottle], now: datetime) -> None:
    for throttle in throttles:
        throttle.failures = (throttle.failures or 0) + 1
        throttle.last_failure_at = now
        wait = delay_after(throttle.failures)
        throttle.blocked_until = now + timedelta(seconds=wait) if wait else None
        db.session.add(throttle)


def open_session(staff: StaffUser, throttles: list[LoginThrottle], now: datetime) -> str:
    """A successful login, in the caller's transaction: the throttles are cleared and a
    server-side session is made; returns its token (the cookie's)."""
    for throttle in throttles:
        if throttle.id is not None:
            db.session.delete(throttle)
    token = tokens.new_token()
    db.session.add(
        StaffSession(
            token_hash=tokens.token_hash(token), staff_id=staff.id, created_at=now, last_seen_at=now
        )
    )
    staff.last_login_at = now
    audit.record(staff.email, "login.success")
    return token


def complete_login(staff_id: int, code: str, address: str | None) -> LoginResult:
    """The second step of a login: the code from the app, or a recovery code. Failures are
    slowed down like wrong passwords, on the same counters."""
    now = utcnow()
    staff = db.session.get(StaffUser, staff_id)
    if staff is None or not staff.is_active or staff.totp_secret is None:
        db.session.rollback()
        return LoginResult()
    email = staff.email
    blocked = any(t.blocked_until and t.blocked_until > now for t in throttles_for(email, address))
    db.session.rollback()
    begin_serialized()
    if blocked:
        audit.record(email, "login.throttled")
        db.session.commit()
        return LoginResult()
    staff = db.session.get(StaffUser, staff_id, populate_existing=True)
    throttles = throttles_for(email, address)
    if not two_factor.check(staff, code):
        count_failure(throttles, now)
        audit.record(email, "login.code_failure")
        db.session.commit()
        return LoginResult()
    token = open_session(staff, throttles, now)
    db.session.commit()
    return LoginResult(staff=staff, session_token=token)


def session_expired(session: StaffSession, now: datetime) -> bool:
    config = current_app.config
    idle = timedelta(minutes=config["STAFF_IDLE_MINUTES"])
    absolute = timedelta(hours=config["STAFF_SESSION_HOURS"])
    return now - session.last_seen_at > idle or now - session.created_at > absolute


def find_session(token: str) -> StaffSession | None:
    return db.session.scalar(
        select(StaffSession).where(StaffSession.token_hash == tokens.token_hash(token))
    )


def load_session(token: str) -> StaffUser | None:
    """The staff member of a live session, or None (unknown, expired or disabled).

    Most requests only read; an expired session is deleted, and a live one's last-seen time
    written at most once a minute, in a transaction that takes the write lock first and so
    reads the session again."""
    session = find_session(token)
    if session is None:
        return None
    now = utcnow()
    expired = session_expired(session, now) or not session.staff.is_active
    if not expired and now - session.last_seen_at <= timedelta(seconds=60):
        return session.staff
    begin_serialized()
    session = find_session(token)
    if session is None:
        db.session.rollback()
        return None
    if expired:
        db.session.delete(session)
        db.session.commit()
        return None
    session.last_seen_at = now
    staff = session.staff
    db.session.commit()
    return staff


def end_session(token: str) -> None:
    begin_serialized()
    db.session.execute(
        delete(StaffSession).where(StaffSession.token_hash == tokens.token_hash(token))
    )
    db.session.commit()


def set_locale(staff_id: int, locale: str) -> None:
    begin_serialized()
    staff = db.session.get(StaffUser, staff_id)
    if staff is not None:
        staff.locale = locale
    db.session.commit()
