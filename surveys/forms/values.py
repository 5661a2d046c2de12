"""Parsing and normalising what people type: e-mail addresses, phone numbers, web sites."""

import re
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# What must never reach an e-mail header: any character that ends a line somewhere (those
# str.splitlines() breaks on), and the markers of RFC 2047 encoded words ("=?utf-8?q?…?="),
# which mail software decodes, line breaks included.
LINE_BREAKS = re.compile(r"[\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]")
ENCODED_WORD_MARKS = re.compile(r"=\?|\?=")


class InvalidValue(ValueError):
    pass


def fits_in_header(text: str) -> bool:
    """Whether ``text`` can be put in an e-mail header as typed (one line, no encoded words)."""
    return not (LINE_BREAKS.search(text) or ENCODED_WORD_MARKS.search(text))


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


def readable_phone(stored: str, *, region: str = "BE") -> str:
    """A stored number as staff dial it from Belgium: ``0470 12 34 56`` for a Belgian one,
    ``+380 67 123 4567`` for others (the stored E.164 form stays for exports by code)."""
    try:
        number = phonenumbers.parse(stored, region)
    except phonenumbers.NumberParseException:
        return stored
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


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
