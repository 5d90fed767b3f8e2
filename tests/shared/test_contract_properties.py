"""Property: any valid offer version survives the contract's dump and load unchanged, and its
canonical JSON is a fixed point (dumping what was loaded gives the same text, byte for byte)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared import vocab
from shared.publication.schema import dump_offer_version, load_offer_version
from tests.properties import examples

# Plain text as people write it, Norwegian letters, dashes and emoji included; no surrogates,
# which no JSON text can carry.
TEXT = st.characters(blacklist_categories=("Cs",))
AREAS = ["3301", "3303", "33", "46", "0301", "NO", "bufetat-sor"]
PROVIDERS = [
    ("910000012", "municipality", "3301"),
    ("910000020", "county", "33"),
    ("910000039", "state", "NO"),
    ("910000047", "voluntary", "NO"),
]


def text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(TEXT, min_size=min_size, max_size=max_size)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def codes(vocabulary: vocab.Vocabulary, **kw: Any) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(vocabulary.codes), unique=True, max_size=4, **kw)


URL = st.from_regex(r"\Ahttps://[a-z]{1,12}\.example/[a-z0-9/-]{0,20}\Z")
EMAIL = st.from_regex(r"\A[a-z]{1,10}@[a-z]{1,10}\.example\Z")


TIME = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
ISO_DATE = st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)).map(dt.date.isoformat)
TIMETABLES = st.fixed_dictionaries(
    {
        "weekly": st.lists(
            st.fixed_dictionaries(
                {"day": st.sampled_from(vocab.WEEKDAYS.codes), "opens": TIME, "closes": TIME}
            ),
            max_size=3,
        ),
        "valid_from": st.none(),
        "valid_to": optional(ISO_DATE),
        "dates": st.lists(
            st.fixed_dictionaries({"date": ISO_DATE, "starts": TIME, "ends": TIME}), max_size=2
        ),
    }
)


@st.composite
def versions(draw: st.DrawFn) -> dict[str, Any]:
    orgnr, kind, home = draw(st.sampled_from(PROVIDERS))
    ages = sorted(draw(st.lists(st.integers(0, 25), min_size=2, max_size=2)))
    offer_id = str(draw(st.uuids()))
    version = {
        "schema_version": 1,
        "uri": f"https://node.example/offers/{offer_id}",
        "id": offer_id,
        "version": draw(st.integers(1, 2**31 - 1)),
        "status": draw(st.sampled_from(["published", "withdrawn"])),
        "published_at": draw(
            st.datetimes(
                min_value=dt.datetime(2000, 1, 1),
                max_value=dt.datetime(2100, 1, 1),
                timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=2))]),
            )
        ),
        "provider": {
            "organisation_number": orgnr,
            "name": draw(text(1, 40)),
            "kind": kind,
            "home_area": home,
        },
        "agency": {"id": draw(text(1, 36)), "name": draw(text(1, 40))},
        "name": draw(text(1, 200)),
        "description": draw(text(1, 300)),
        "contact": {
            "name": draw(optional(text(0, 40))),
            "email": draw(optional(EMAIL)),
            "phone": draw(optional(text(0, 40))),
            "url": draw(optional(URL)),
        },
        "responsible_role": draw(optional(text(0, 40))),
        "locations": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "name": text(1, 40),
                        "street_address": optional(text(0, 40)),
                        "postal_code": optional(st.from_regex(r"\A[0-9]{4}\Z")),
                        "postal_town": optional(text(0, 40)),
                        "municipality": optional(st.sampled_from(["3301", "3303", "0301"])),
                    }
                ),
                max_size=2,
            )
        ),
        "schedule": draw(optional(text(0, 60))),
        "timetable": draw(optional(TIMETABLES)),
        "no_contact_reason": draw(optional(st.sampled_from(vocab.NO_CONTACT_REASONS.codes))),
        "access": draw(st.sampled_from(vocab.ACCESS.codes)),
        "free_of_charge": draw(st.booleans()),
        "cost_description": draw(optional(text(0, 60))),
        "languages": draw(codes(vocab.OFFER_LANGUAGES)),
        "level": draw(st.integers(1, 3)),
        "category": draw(st.sampled_from(vocab.OFFER_CATEGORIES.codes)),
        "age_min": ages[0],
        "age_max": ages[1],
        "audiences": draw(codes(vocab.AUDIENCES)),
        "risk_groups": draw(codes(vocab.RISK_GROUPS)),
        "diagnosis_groups": draw(codes(vocab.DIAGNOSIS_GROUPS)),
        "statutory_duties": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "code": st.from_regex(r"\A[a-z0-9-]{1,20}\Z"),
                        "title": st.dictionaries(st.sampled_from(["nb", "nn", "en"]), text(1, 30)),
                        "law": text(0, 30),
                        "law_id": text(0, 30),
                        "section": text(0, 10),
                        "url": optional(URL),
                    }
                ),
                max_size=2,
            )
        ),
        "staff_fte": draw(optional(st.floats(0, 10000, allow_nan=False, allow_infinity=False))),
        "budget_nok": draw(optional(st.integers(0, 10**12))),
        "user_participation": draw(st.booleans()),
        "evaluated": draw(st.booleans()),
        "evaluation_description": draw(optional(text(0, 60))),
        "good_practice": draw(st.booleans()),
        "evidence_based": draw(st.booleans()),
        "measure_status": draw(st.sampled_from(vocab.MEASURE_STATUSES.codes)),
        "guides": draw(
            st.lists(st.fixed_dictionaries({"title": text(1, 30), "url": URL}), max_size=2)
        ),
        "coverage": draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=3, unique=True)),
        "review_interval_months": draw(st.integers(1, 60)),
        "last_reviewed": draw(optional(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))),
    }
    contact = version["contact"]
    if version["status"] == "published" and not (contact["phone"] or contact["email"]):
        contact["phone"] = "32 04 00 00"  # a published version needs a way to get in touch
    return version


@examples(40)
@given(versions())
def test_dump_then_load_gives_the_version_back(version):
    text = dump_offer_version(version)
    loaded = load_offer_version(text)
    assert loaded == version
    assert dump_offer_version(loaded) == text
    # Canonical: sorted keys, no white space between tokens, UTF-8 as itself.
    assert (
        json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        == text
    )
