"""Parsing and normalising what people type: e-mail addresses, phone numbers, web sites."""

from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class InvalidValue(ValueError):
    pass


def normalise_email(value: str, *, check_deliverability: bool = False) -> str:
    """The address as email-validator normalises it, lower-cased so that ``Anna@X.be`` and
    ``anna@x.be `` are one person (no provider we meet treats the local part as case-sensitive)."""
    try:
        result = validate_email(value.strip(), check_deliverability=check_deliverability)
    except EmailNotValidError as error:
        raise InvalidValue(str(error)) from error
    return result.normalized.lower()


def normalise_phone(value: str, *, region: str = "BE") -> str:
    """E.164 form (``+32470123456``): Belgian numbers may be typed nationally (``0470 12 34 56``),
    others need their country code (``+380 …`` or ``00380 …``)."""
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidValue(str(error)) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_url(value: str) -> str:
    """A web address with its scheme; ``www.example.be`` becomes ``https://www.example.be``."""
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host or " " in text:
        raise InvalidValue("not a web address")
    return text
