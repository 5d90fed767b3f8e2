"""Edges of the publication contract that mutation testing found untested (docs/testing.md)."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from marshmallow import ValidationError

from shared.publication.schema import canonical_json, load_offer_version


class _Values(list):  # type: ignore[type-arg]
    """A list of another class than ``list``, as some libraries hand out."""


def test_canonical_json_writes_whole_floats_inside_dict_and_list_subclasses():
    # marshmallow's ordered dumps and other libraries hand out dict and list subclasses; their
    # members are written exactly as a plain dict's and list's would be (RFC 8785 numbers).
    document = OrderedDict([("staff_fte", 2.0), ("ages", _Values([6.0, 12.5]))])
    assert canonical_json(document) == '{"ages":[6,12.5],"staff_fte":2}'
    assert canonical_json(_Values([OrderedDict(a=1.0)])) == '[{"a":1}]'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "{nope",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            b"\xff",
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
    ],
)
def test_a_document_that_is_not_json_is_refused_with_the_parsers_reason(text, reason):
    # The reason is what a node's operator reads in the rejection log to find the broken byte.
    with pytest.raises(ValidationError) as refused:
        load_offer_version(text)
    (message,) = refused.value.messages
    assert message.code == "document.not_json"
    assert message.params == {"reason": reason}
    assert message == f"Not JSON: {reason}"
