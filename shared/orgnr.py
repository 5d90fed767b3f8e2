"""Norwegian organisation numbers (organisasjonsnummer) from the Central Coordinating Register.

Nine digits; the ninth is a modulus-11 check digit over the first eight with the weights
3, 2, 7, 6, 5, 4, 3, 2. A remainder that would give check digit 10 means the number was never
issued. Numbers are issued from 8xx xxx xxx and 9xx xxx xxx.
"""

from __future__ import annotations

import re

from shared.messages import Message

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_SEPARATORS = re.compile(r"[\s.\u00a0-]")


class InvalidOrganisationNumber(ValueError):
    """The value is not a valid Norwegian organisation number; ``reason`` says why."""

    def __init__(self, code: str) -> None:
        self.reason = Message(code)
        super().__init__(self.reason)


def check_digit(first_eight: str) -> int | None:
    """The modulus-11 check digit for eight digits, or None where no valid number exists."""
    remainder = sum(int(d) * w for d, w in zip(first_eight, WEIGHTS, strict=True)) % 11
    digit = (11 - remainder) % 11
    return None if digit == 10 else digit


def normalise(value: str) -> str:
    """Strip the spaces, dots and hyphens people write inside the number ("974 760 673")."""
    return _SEPARATORS.sub("", value)


def validate(value: str) -> str:
    """Return the normalised number, or raise :class:`InvalidOrganisationNumber` saying why."""
    number = normalise(value)
    if not number.isascii() or not number.isdigit() or len(number) != 9:
        raise InvalidOrganisationNumber("orgnr.not_nine_digits")
    if number[0] not in "89":
        raise InvalidOrganisationNumber("orgnr.bad_first_digit")
    if check_digit(number[:8]) != int(number[8]):
        raise InvalidOrganisationNumber("orgnr.bad_check_digit")
    return number


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidOrganisationNumber:
        return False
    return True
