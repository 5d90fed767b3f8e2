"""An event's id is a UUID in its canonical form, and only that (checked without building a
UUID on every consumer's hot path)."""

from __future__ import annotations

import pytest

from shared.publication.events import _is_uuid

CANONICAL = "3f2c8a1e-9b7d-4c5e-8f01-23456789abcd"


def test_the_canonical_form_is_a_uuid() -> None:
    assert _is_uuid(CANONICAL)
    assert _is_uuid("00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize(
    "value",
    [
        "3F2C8A1E-9B7D-4C5E-8F01-23456789ABCD",  # upper case
        "3f2c8a1e9b7d4c5e8f0123456789abcd",  # no hyphens
        "{3f2c8a1e-9b7d-4c5e-8f01-23456789abcd}",  # braces
        "urn:uuid:3f2c8a1e-9b7d-4c5e-8f01-23456789abcd",  # a URN
        "3f2c8a1e-9b7d-4c5e-8f01-23456789abcd\n",  # a line's end
        " 3f2c8a1e-9b7d-4c5e-8f01-23456789abcd",  # a space
        "3f2c8a1e-9b7d-4c5e-8f01-23456789abc",  # a digit short
        "3f2c8a1e-9b7d-4c5e-8f01-23456789abcde",  # a digit over
        "3f2c8a1e9-b7d-4c5e-8f01-23456789abcd",  # a hyphen out of place
        "3f2c8a1g-9b7d-4c5e-8f01-23456789abcd",  # not hex
        "3f2c8a1e-9b7d-4c5e-8f01-23456789abc٣",  # an Arabic-Indic digit
        "",
    ],
)
def test_other_forms_are_not(value: str) -> None:
    assert not _is_uuid(value)
