"""An offer's age range in words, the same on every page that shows one (the search site, the
reports, the registry).

Ages are whole years, and 0 is "from pregnancy and birth" (the mapping form's hint): an offer
for ages 0 to 0 is for expecting parents and babies in their first year, which a reader should
not see as "0 to 0 years".
"""

from __future__ import annotations

_TEXTS = {
    "nb": {
        "first_year": "Svangerskap og første leveår",
        "one": "%(age)s år",
        "range": "%(min)s–%(max)s år",
    },
    "nn": {
        "first_year": "Svangerskap og første leveåret",
        "one": "%(age)s år",
        "range": "%(min)s–%(max)s år",
    },
    "en": {
        "first_year": "Pregnancy and the first year of life",
        "one": "Age %(age)s",
        "range": "Ages %(min)s–%(max)s",
    },
}


def age_range(age_min: int, age_max: int, lang: str) -> str:
    """``age_min``–``age_max`` in words in ``lang`` (nb, nn or en; bokmål for any other)."""
    texts = _TEXTS.get(lang, _TEXTS["nb"])
    if age_max == 0:
        return texts["first_year"]
    if age_min == age_max:
        return texts["one"] % {"age": age_min}
    return texts["range"] % {"min": age_min, "max": age_max}
