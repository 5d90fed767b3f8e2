"""The mapping form (*kartleggingsskjema*) as a person fills it in, section by section.

One description serves the offer form, the review diff, the history and the XLSX template's
column headers. Field names are the keys of ``OfferInputSchema``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from services.registry.ui.forms import Field, Section, all_fields
from shared import vocab
from shared.publication.schema import MAX_DATED, MAX_WEEKLY_PERIODS

LOCATION = (
    Field("name", _l("Name of the place"), required=True),
    Field("street_address", _l("Street address"), autocomplete="street-address"),
    Field("postal_code", _l("Postcode"), hint=_l("Four digits."), autocomplete="postal-code"),
    Field("postal_town", _l("Town"), autocomplete="address-level2"),
    Field("municipality", _l("Municipality number"), hint=_l("Four digits, e.g. 3301.")),
    Field(
        "latitude",
        _l("Latitude"),
        kind="decimal",
        hint=_l("Degrees north (WGS84), e.g. 59,7441. Filled in by the address search."),
    ),
    Field(
        "longitude",
        _l("Longitude"),
        kind="decimal",
        hint=_l("Degrees east (WGS84), e.g. 10,2045. Filled in by the address search."),
    ),
)
WEEKLY_PERIOD = (
    Field("day", _l("Day"), kind="select", vocabulary=vocab.WEEKDAYS),
    Field("opens", _l("Opens"), kind="time", hint=_l("As 18:00.")),
    Field(
        "closes",
        _l("Closes"),
        kind="time",
        hint=_l("As 20:00. A time before the opening time is the next day (22:00 to 02:00)."),
    ),
)
DATED_OCCURRENCE = (
    Field("date", _l("Date"), kind="date"),
    Field("starts", _l("Starts"), kind="time", hint=_l("As 18:00.")),
    Field("ends", _l("Ends"), kind="time", hint=_l("As 20:00.")),
)
GUIDE = (
    Field("title", _l("Title"), required=True),
    Field("url", _l("Web address"), kind="url", required=True),
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "about",
        _l("About the offer"),
        (
            Field("agency", _l("Agency (etat)"), kind="select", required=True, dynamic=True),
            Field("name", _l("Name of the offer"), required=True),
            Field(
                "description",
                _l("Description"),
                kind="textarea",
                required=True,
                hint=_l("What the offer is and what happens there, in plain words."),
            ),
            Field(
                "category",
                _l("Category"),
                kind="radio",
                required=True,
                vocabulary=vocab.OFFER_CATEGORIES,
            ),
            Field(
                "level",
                _l("Level in the pyramid"),
                kind="radio",
                required=True,
                vocabulary=vocab.PYRAMID_LEVELS,
            ),
            Field(
                "measure_status",
                _l("Status of the measure"),
                kind="radio",
                vocabulary=vocab.MEASURE_STATUSES,
            ),
        ),
    ),
    Section(
        "target",
        _l("Who the offer is for"),
        (
            Field(
                "audiences",
                _l("Target group"),
                kind="checkboxes",
                required=True,
                vocabulary=vocab.AUDIENCES,
            ),
            Field(
                "age_min",
                _l("Lowest age"),
                kind="integer",
                required=True,
                hint=_l("In years; 0 from pregnancy and birth."),
            ),
            Field(
                "age_max",
                _l("Highest age"),
                kind="integer",
                required=True,
                hint=_l("In years; up to 23 for young adults."),
            ),
            Field(
                "risk_groups",
                _l("Risk groups"),
                kind="checkboxes",
                vocabulary=vocab.RISK_GROUPS,
                hint=_l("Tick the groups the offer is meant for, if any."),
            ),
            Field(
                "diagnosis_groups",
                _l("Diagnosis groups"),
                kind="checkboxes",
                vocabulary=vocab.DIAGNOSIS_GROUPS,
            ),
        ),
    ),
    Section(
        "access",
        _l("How to get the offer"),
        (
            Field(
                "access", _l("How to get it"), kind="radio", required=True, vocabulary=vocab.ACCESS
            ),
            Field("free_of_charge", _l("Free of charge"), kind="checkbox"),
            Field("cost_description", _l("About the cost"), kind="textarea"),
            Field(
                "timetable.weekly",
                _l("Opening hours each week"),
                kind="group",
                subfields=WEEKLY_PERIOD,
                blank_rows=2,
                addable=True,
                max_rows=MAX_WEEKLY_PERIODS,
            ),
            Field(
                "timetable.valid_from",
                _l("Opening hours apply from"),
                kind="date",
                hint=_l("Empty: from now on."),
            ),
            Field(
                "timetable.valid_to",
                _l("Opening hours apply until"),
                kind="date",
                hint=_l("The last day, e.g. the end of the term. Empty: until further notice."),
            ),
            Field(
                "timetable.dates",
                _l("Dates"),
                kind="group",
                subfields=DATED_OCCURRENCE,
                blank_rows=1,
                addable=True,
                max_rows=MAX_DATED,
            ),
            Field(
                "schedule",
                _l("When, in words"),
                kind="textarea",
                hint=_l("Exceptions and what the hours and dates above cannot say, e.g. holidays."),
            ),
            Field(
                "locations",
                _l("Where"),
                kind="group",
                subfields=LOCATION,
                address_search=True,
                hint=_l(
                    "Type the street address and town, then search for the address: the "
                    "postcode, municipality and point are filled in. Without the search, "
                    "type them yourself."
                ),
            ),
            Field(
                "coverage",
                _l("Geographic coverage"),
                kind="areas",
                hint=_l(
                    "Tick the whole country, regions, whole counties or municipalities. "
                    "Empty: the organisation's own area."
                ),
            ),
            Field(
                "languages", _l("Languages"), kind="checkboxes", vocabulary=vocab.OFFER_LANGUAGES
            ),
        ),
    ),
    Section(
        "contact",
        _l("Contact and responsibility"),
        (
            # The contact is a desk's or a function's, published openly: never the person's own
            # (docs/privacy.md). So no autocomplete token: "name", "tel" and "email" would fill
            # in the person filling the form, and WCAG 1.3.5 asks for them only on fields about
            # that person.
            Field(
                "contact.name",
                _l("Contact name or desk"),
                hint=_l("A desk or function, e.g. Child health centre, duty phone. Not a person."),
                autocomplete="off",
            ),
            Field(
                "contact.phone",
                _l("Phone"),
                kind="tel",
                hint=_l("The desk's or the duty phone's number, not a person's own mobile."),
                autocomplete="off",
            ),
            Field(
                "contact.email",
                _l("E-mail"),
                kind="email",
                hint=_l("A shared mailbox such as post@ or helsestasjon@, not a person's own."),
                autocomplete="off",
            ),
            Field(
                "contact.url",
                _l("Web page"),
                kind="url",
                hint=_l("A full address starting with https://."),
            ),
            Field(
                "no_contact_reason",
                _l("Why there is no way to get in touch"),
                kind="select",
                vocabulary=vocab.NO_CONTACT_REASONS,
                hint=_l(
                    "Only when the offer has no phone, e-mail, web page or place with opening "
                    "hours: choose the reason that fits."
                ),
            ),
            Field(
                "responsible_role",
                _l("Role that keeps the offer up to date"),
                hint=_l("A role, not a person, e.g. Head of the child health centre."),
            ),
            Field(
                "review_interval_months",
                _l("Review every (months)"),
                kind="integer",
                hint=_l("From 1 to 60 months; 12 if empty."),
            ),
            Field("last_reviewed", _l("Last reviewed"), kind="date"),
        ),
        intro=_l(
            "The contact is published openly and copied by the national search and others. "
            "Give a desk, a function or a shared mailbox that stays when people change jobs, "
            "such as the service desk's phone and e-mail, not a person's own name, e-mail or "
            "mobile. A published offer needs at least one way to get in touch: a phone, an "
            "e-mail, a web page, or a place with opening hours."
        ),
    ),
    Section(
        "duties",
        _l("Statutory basis"),
        (
            Field(
                "statutory_duties",
                _l("Statutory duties the offer fulfils"),
                kind="checkboxes",
                dynamic=True,
                hint=_l("Duties in law for organisations of your kind."),
            ),
        ),
    ),
    Section(
        "resources",
        _l("Resources"),
        (
            Field(
                "staff_fte",
                _l("Staff (full-time equivalents)"),
                kind="decimal",
                hint=_l("For example 2,5."),
            ),
            Field("budget_nok", _l("Yearly budget (NOK)"), kind="integer"),
        ),
    ),
    Section(
        "quality",
        _l("Quality and evidence"),
        (
            Field(
                "user_participation", _l("Users take part in shaping the offer"), kind="checkbox"
            ),
            Field("evaluated", _l("The offer has been evaluated"), kind="checkbox"),
            Field("evaluation_description", _l("About the evaluation"), kind="textarea"),
            Field("good_practice", _l("Recognised as good practice"), kind="checkbox"),
            Field("evidence_based", _l("Evidence-based"), kind="checkbox"),
            Field(
                "guides",
                _l("Guides and procedures (handlingsveiledere)"),
                kind="group",
                subfields=GUIDE,
            ),
        ),
    ),
)

FIELDS = all_fields(SECTIONS)
BY_NAME = {f.name: f for f in FIELDS}
ADDABLE = frozenset(f.name for f in FIELDS if f.addable)
