"""A synthetic national federation: every municipality and county, the regions, state bodies
and voluntary organisations, and as many offers as asked (500,000 by default), by seed.

:func:`generate` draws the providers and their offers (what a registrar would type into the
mapping form, :class:`OfferSpec`); :func:`published_events` turns them into the
``shared.publication`` events a node's log would carry (the version document exactly as the
registry's ``dump_offer_version`` writes it); :mod:`bench.bulk` writes those events into a
search index and a reporting history directly, through the sinks' own row-building code.
tests/bench/test_national.py proves that the same offers published through the registry,
served by the publisher and harvested by ingest give the identical state.

Distributions: municipalities get offers by a rough population (the largest by hand, the rest
drawn), so Oslo has many hundred times Utsira's; most offers are municipal, universal and on
level 1, fewer targeted (levels 2 and 3, with risk and diagnosis groups, by referral); counties,
regions and the state cover their areas; voluntary organisations are national or local.

    python -m bench.national --offers 500000   # prints the distribution it drew
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from shared import orgnr, vocab
from shared.areas import NATIONAL, AreaKind, reference_data
from shared.publication import EVENT_PUBLISHED
from shared.publication.events import unsigned_event
from shared.publication.schema import SCHEMA_VERSION, STATUS_PUBLISHED
from shared.publication.uris import offer_uri

DEFAULT_OFFERS = 500_000
DEFAULT_SEED = 8
NAMESPACE = uuid.UUID("5d7e6a52-8c1d-4a57-9c0e-6f1b2f0c8e08")
# Offers published over these years before the day the federation is generated for.
HISTORY_DAYS = 3 * 365
EPOCH = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)

# Rough populations (2024) of the largest municipalities and the smallest; the rest are drawn.
POPULATION = {
    "0301": 717_000,
    "4601": 291_000,
    "5001": 214_000,
    "1103": 149_000,
    "3201": 131_000,
    "4204": 116_000,
    "3301": 103_000,
    "3203": 97_000,
    "3205": 93_000,
    "3107": 85_000,
    "1108": 83_000,
    "5501": 79_000,
    "1151": 200,
}
# Shares of all offers by the kind of provider.
KIND_SHARES = {
    "municipality": 0.70,
    "county": 0.07,
    "region": 0.04,
    "state": 0.04,
    "voluntary": 0.15,
}
LEVELS = {
    "municipality": (0.65, 0.25, 0.10),
    "county": (0.40, 0.35, 0.25),
    "region": (0.20, 0.40, 0.40),
    "state": (0.30, 0.35, 0.35),
    "voluntary": (0.60, 0.30, 0.10),
}
CATEGORIES = {
    "municipality": {"public": 55, "parent_support": 15, "group": 15, "guidance": 15},
    "voluntary": {
        "voluntary_club": 45,
        "voluntary_association": 35,
        "group": 10,
        "parent_support": 10,
    },
    "other": {"public": 50, "guidance": 30, "group": 10, "parent_support": 10},
}
RISK_WEIGHTS = {
    "bullying": 14, "school_absence": 12, "parental_breakup": 12, "peer_difficulties": 10,
    "learning_difficulties": 9, "parent_mental_illness": 8, "child_welfare": 8,
    "parent_substance_abuse": 6, "violent_milieu": 5, "trauma": 5, "parent_chronic_illness": 4,
    "under_assessment": 3, "parent_violent_milieu": 3, "parent_in_prison": 1,
}  # fmt: skip
# (age_min, age_max, audiences, weight)
AGE_GROUPS = (
    (0, 0, ("expectant_parents", "parents"), 5),
    (0, 5, ("parents", "families"), 20),
    (6, 12, ("children", "parents"), 25),
    (13, 17, ("youth",), 22),
    (13, 20, ("youth",), 10),
    (16, 25, ("youth",), 8),
    (0, 18, ("children", "youth", "families"), 10),
)
SUBJECTS = {
    "public": ("Helsestasjon", "Skolehelsetjeneste", "Åpen barnehage", "Fritidsklubb",
               "Ungdomskontakt"),
    "parent_support": ("Foreldreveiledning", "Foreldrekurs", "Familieråd", "Foreldregruppe"),
    "group": ("Samtalegruppe", "Mestringskurs", "Aktivitetsgruppe", "Jentegruppe", "Guttegruppe"),
    "guidance": ("Oppfølgingstjeneste", "Losordning", "Familieveiledning", "Rådgivning"),
    "voluntary_club": ("Idrettslag", "Leksehjelp", "Ferieaktiviteter", "Kulturskole for alle"),
    "voluntary_association": ("Besøkshjem", "Mentorordning", "Natteravner", "Fritidskontakt"),
}  # fmt: skip
WORDS = (
    "barn unge foreldre familier trygghet mestring skole fritid samtale veiledning kurs gruppe "
    "aktivitet venner helse søvn mat psykisk språk lek natur idrett musikk kunst digital mobbing "
    "sorg skilsmisse rus vold traume lekser nettverk frivillig fellesskap inkludering tilhørighet"
).split()
VOLUNTARY = ("Røde Kors", "Redd Barna", "Kirkens Bymisjon", "Norsk Folkehjelp", "Blå Kors",
             "Voksne for Barn", "Barnas Stasjon", "MOT", "Home-Start Familiekontakt",
             "Leger Uten Grenser", "Speidern", "4H Norge", "KFUK-KFUM", "Frelsesarmeen",
             "Kirkens SOS", "Foreningen for barnepsykiatri", "Landsforeningen for barnevernsbarn",
             "Unge funksjonshemmede", "Kors på halsen", "Mental Helse Ungdom")  # fmt: skip
STATE = (
    ("Barne-, ungdoms- og familiedirektoratet", ("Fagavdelingen", "Kommunikasjon")),
    ("Helsedirektoratet", ("Folkehelse", "Rus og psykisk helse")),
    ("Integrerings- og mangfoldsdirektoratet", ("Kvalifisering",)),
    ("Statens barnehus", ("Barnehusene",)),
    ("Statped", ("Læringsressurser", "Veiledning")),
)
MUNICIPAL_AGENCIES = ("Helse og omsorg", "Oppvekst", "Kultur og fritid", "Barnevern", "NAV")


@dataclass(frozen=True)
class Provider:
    """An organisation of the federation, the node it publishes on and its agencies."""

    key: str
    organisation_number: str
    name: str
    kind: str
    home_area: str
    node: str
    agencies: tuple[str, ...]
    weight: float

    def agency_id(self, index: int) -> str:
        return str(uuid.uuid5(NAMESPACE, f"agency/{self.key}/{index}"))


@dataclass(frozen=True)
class OfferSpec:
    """One offer as its registrar would enter it (the registry's OfferInputSchema fields,
    statutory duties by code), the provider by key and the agency by index."""

    number: int
    provider: str
    agency: int
    content: dict[str, Any]


@dataclass
class NationalFederation:
    """The providers, and the offers drawn one by one when asked for (half a million offers
    held at once would take gigabytes): offer ``n`` is drawn from its own generator, seeded
    by the federation's seed and ``n``, so it is the same whenever and however often drawn."""

    providers: dict[str, Provider]
    size: int
    seed: int
    _keys: list[str] = field(default_factory=list)
    _cumulative: list[float] = field(default_factory=list)

    def offers(self) -> Iterator[OfferSpec]:
        for number in range(1, self.size + 1):
            rng = random.Random(f"{self.seed}/{number}")  # noqa: S311 - test data, not secrets
            provider = self.providers[rng.choices(self._keys, cum_weights=self._cumulative)[0]]
            agency = rng.randrange(len(provider.agencies))
            yield OfferSpec(number, provider.key, agency, _content(rng, provider, number))

    def nodes(self) -> dict[str, list[Provider]]:
        by_node: dict[str, list[Provider]] = {}
        for provider in self.providers.values():
            by_node.setdefault(provider.node, []).append(provider)
        return by_node


def _organisation_numbers() -> Iterator[str]:
    """Fictional organisation numbers with valid check digits, from 930 000 000 on."""
    base = 93_000_000
    while True:
        base += 1
        digit = orgnr.check_digit(str(base))
        if digit is not None:
            yield f"{base}{digit}"


def _providers(rng: random.Random) -> dict[str, Provider]:
    areas = reference_data()
    numbers = _organisation_numbers()
    providers: dict[str, Provider] = {}

    def add(key: str, name: str, kind: str, home: str, node: str, agencies: Any, w: float) -> None:
        providers[key] = Provider(key, next(numbers), name, kind, home, node, tuple(agencies), w)

    for m in sorted(areas.of_kind(AreaKind.MUNICIPALITY), key=lambda a: a.code):
        people = POPULATION.get(m.code) or min(60_000, max(400, rng.lognormvariate(8.5, 1.0)))
        agencies = MUNICIPAL_AGENCIES[: 2 + min(3, int(math.log10(people)) - 2)]
        add(f"m{m.code}", f"{m.name} kommune", "municipality", m.code, f"c{m.county_code}",
            agencies, people)  # fmt: skip
    for c in sorted(areas.of_kind(AreaKind.COUNTY), key=lambda a: a.code):
        add(f"c{c.code}", f"{c.name} fylkeskommune", "county", c.code, f"c{c.code}",
            ("Opplæring", "Tannhelse", "Folkehelse"), len(c.municipalities))  # fmt: skip
    for r in sorted(areas.of_kind(AreaKind.REGION), key=lambda a: a.code):
        add(f"r{r.code}", r.label("nb"), "region", r.code, "state", ("Regionkontoret",),
            len(r.municipalities))  # fmt: skip
    for i, (name, agencies) in enumerate(STATE):
        add(f"s{i}", name, "state", NATIONAL, "state", agencies, 1.0)
    counties = [c.code for c in areas.of_kind(AreaKind.COUNTY)]
    for i, name in enumerate(VOLUNTARY):
        add(f"v{i}", name, "voluntary", NATIONAL, "voluntary", ("Sentralt",), 2.0)
        for county in rng.sample(counties, 3):  # and local chapters
            add(f"v{i}-{county}", f"{name} {areas.get(county).name}", "voluntary", county,
                "voluntary", ("Lokallaget",), 1.0)  # fmt: skip
    return providers


def _choice(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _coverage(rng: random.Random, provider: Provider) -> list[str]:
    areas = reference_data()
    if provider.kind == "municipality":
        county = areas.get(provider.home_area).county_code or ""
        if rng.random() < 0.05:  # shared with a neighbour (an inter-municipal service)
            neighbour = rng.choice(sorted(areas.get(county).municipalities))
            return sorted({provider.home_area, neighbour})
        return [provider.home_area]
    if provider.kind == "county" and rng.random() < 0.2:
        return sorted(rng.sample(sorted(areas.get(provider.home_area).municipalities), 1))
    if provider.kind == "state" and rng.random() < 0.3:
        return [rng.choice([r.code for r in areas.of_kind(AreaKind.REGION)])]
    return [provider.home_area]


@lru_cache(maxsize=8)
def _fitting_duties(kind: str) -> tuple[str, ...]:
    return tuple(code for code, entry in _catalogue().items() if kind in entry["applies_to"])


def _duties(rng: random.Random, kind: str, level: int) -> list[str]:
    fitting = _fitting_duties(kind)
    if not fitting or rng.random() > (0.3 if level == 1 else 0.15):
        return []
    return [rng.choice(fitting)]


def _content(rng: random.Random, provider: Provider, number: int) -> dict[str, Any]:
    kind = provider.kind
    level = rng.choices((1, 2, 3), LEVELS[kind])[0]
    category = _choice(rng, CATEGORIES.get(kind, CATEGORIES["other"]))
    age_min, age_max, audiences, _ = rng.choices(AGE_GROUPS, [g[3] for g in AGE_GROUPS])[0]
    risks = [] if level == 1 and rng.random() < 0.8 else rng.sample(
        list(RISK_WEIGHTS), rng.randint(1, level)
    )  # fmt: skip
    diagnoses = rng.sample(vocab.DIAGNOSIS_GROUPS.codes, 1) if rng.random() < 0.15 * level else []
    access = rng.choices(("open", "self_referral", "referral"), ((7, 3, 0), (15, 60, 25), (0, 3, 7))[level - 1])[0]  # fmt: skip # noqa: E501
    free = rng.random() < 0.9
    home = reference_data().get(provider.home_area)
    subject = rng.choice(SUBJECTS[category])
    words = " ".join(rng.choices(WORDS, k=rng.randint(12, 40)))
    reviewed = rng.random() < 0.6
    languages = ["nob", *(["eng"] if rng.random() < 0.2 else []), *(["sme"] if home.code in ("55", "56") or (home.county_code in ("55", "56") and rng.random() < 0.3) else [])]  # fmt: skip # noqa: E501
    return {
        "name": f"{subject} {home.label('nb')} {number}",
        "description": f"{subject} for {'barn og unge' if age_max > 12 else 'barn'} {age_min}–"
        f"{age_max} år. {words.capitalize()}.",
        "contact": {
            "name": subject,
            "email": f"post{number}@example.org",
            "phone": f"{rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} 00",
            "url": f"https://www.example.org/tilbud/{number}",
        },
        "responsible_role": "Leder",
        "locations": [
            {
                "name": f"{provider.agencies[0]}, {home.label('nb')}",
                "street_address": f"Storgata {rng.randint(1, 120)}",
                "postal_code": f"{rng.randint(1000, 9990)}",
                "postal_town": home.label("nb")[:100],
                "municipality": provider.home_area if kind == "municipality" else None,
                **_point(provider.home_area, number),
            }
        ],
        "schedule": rng.choice(("Hverdager 8–15.", "Tirsdager 17–19.", None)),
        "access": access,
        "free_of_charge": free,
        "cost_description": None if free else "Egenandel etter sats.",
        "languages": languages,
        "level": level,
        "category": category,
        "age_min": age_min,
        "age_max": age_max,
        "audiences": list(audiences),
        "risk_groups": risks,
        "diagnosis_groups": diagnoses,
        "staff_fte": rng.choice((None, 0.5, 1.0, 2.5)),
        "budget_nok": rng.choice((None, 50_000, 400_000)),
        "user_participation": rng.random() < 0.4,
        "evaluated": rng.random() < 0.15 + 0.1 * level,
        "evaluation_description": None,
        "good_practice": rng.random() < 0.2,
        "evidence_based": rng.random() < 0.05 + 0.1 * level,
        "measure_status": rng.choices(("permanent", "project", "pilot"), (80, 12, 8))[0],
        "guides": [],
        "coverage": _coverage(rng, provider),
        "review_interval_months": rng.choice((12, 12, 12, 24, 6)),
        "last_reviewed": (
            (EPOCH.date() - dt.timedelta(days=rng.randint(1, 700))).isoformat()
            if reviewed
            else None
        ),
        "statutory_duties": _duties(rng, kind, level),
    }


def _point(home_area: str, number: int) -> dict[str, float]:
    """A point near a made-up centre of the provider's home area, somewhere in Norway's
    latitudes and longitudes (drawn from generators of their own, so the offers' other
    fields are those of a dataset without points)."""
    centre = random.Random(f"centre/{home_area}")  # noqa: S311 - test data, not secrets
    jitter = random.Random(f"point/{number}")  # noqa: S311 - test data, not secrets
    return {
        "latitude": round(centre.uniform(58.0, 69.5) + jitter.uniform(-0.05, 0.05), 5),
        "longitude": round(centre.uniform(5.5, 25.0) + jitter.uniform(-0.1, 0.1), 5),
    }


def generate(offers: int = DEFAULT_OFFERS, seed: int = DEFAULT_SEED) -> NationalFederation:
    """The providers and ``offers`` offers, the same for the same ``seed``."""
    providers = _providers(random.Random(seed))  # noqa: S311 - test data, not secrets
    by_kind: dict[str, list[Provider]] = {}
    for provider in providers.values():
        by_kind.setdefault(provider.kind, []).append(provider)
    # Every provider's share: its kind's share, split by weight within the kind.
    keys, cumulative, total = [], [], 0.0
    for kind, share in KIND_SHARES.items():
        kind_weight = sum(p.weight for p in by_kind[kind])
        for provider in by_kind[kind]:
            total += share * provider.weight / kind_weight
            keys.append(provider.key)
            cumulative.append(total)
    return NationalFederation(providers, offers, seed, keys, cumulative)


def _catalogue() -> dict[str, dict[str, Any]]:
    global _CATALOGUE
    if _CATALOGUE is None:
        from services.registry.duties.services import load_catalogue_file

        _CATALOGUE = {entry["code"]: entry for entry in load_catalogue_file()}
    return _CATALOGUE


_CATALOGUE: dict[str, dict[str, Any]] | None = None


def duty_reference(code: str) -> dict[str, Any]:
    """A duty as a version document carries it (the registry's ``duty_reference``)."""
    entry = _catalogue()[code]
    return {
        "code": code,
        "title": entry["title"],
        "law": entry["law_short"],
        "law_id": entry["law_id"],
        "section": entry["section"],
        "url": entry["section_url"] or entry["law_url"],
    }


def node_url(node: str) -> str:
    return f"https://{node}.nasjonal.test"


def offer_id(spec: OfferSpec) -> str:
    return str(uuid.uuid5(NAMESPACE, f"offer/{spec.number}"))


def version_data(
    federation: NationalFederation,
    spec: OfferSpec,
    *,
    uri: str,
    id: str,  # noqa: A002 - the document's field
    agency: tuple[str, str],
    published_at: dt.datetime,
) -> dict[str, Any]:
    """The version document as JSON (what ``dump_offer_version`` makes of the registry's
    ``version_document``), version 1, published."""
    provider = federation.providers[spec.provider]
    content = {k: v for k, v in spec.content.items() if k != "statutory_duties"}
    return {
        **content,
        "schema_version": SCHEMA_VERSION,
        "uri": uri,
        "id": id,
        "version": 1,
        "status": STATUS_PUBLISHED,
        "published_at": published_at.isoformat(),
        "provider": {
            "organisation_number": provider.organisation_number,
            "name": provider.name,
            "kind": provider.kind,
            "home_area": provider.home_area,
        },
        "agency": {"id": agency[0], "name": agency[1]},
        "statutory_duties": [duty_reference(c) for c in spec.content["statutory_duties"]],
    }


def loaded(data: dict[str, Any]) -> dict[str, Any]:
    """The document as the contract's schema loads it (``load_offer_version``), without
    running the schema over every one of half a million documents."""
    document = dict(data)
    document["published_at"] = dt.datetime.fromisoformat(document["published_at"])
    if document["last_reviewed"] is not None:
        document["last_reviewed"] = dt.date.fromisoformat(document["last_reviewed"])
    return document


@dataclass(frozen=True)
class Publication:
    """One published version: the event a node's log carries, the document as loaded."""

    node: str
    event: dict[str, Any]
    document: dict[str, Any]


def published_events(
    federation: NationalFederation, specs: Iterable[OfferSpec] | None = None
) -> Iterator[Publication]:
    """Every offer published once, in order of publication, each node's log numbered from 1;
    or ``specs`` (such as :func:`homogeneous_offers`), each published a minute after the last
    on a node of their own."""
    sequences: Counter[str] = Counter()
    step = dt.timedelta(days=HISTORY_DAYS) / max(1, federation.size)
    start = EPOCH - dt.timedelta(days=HISTORY_DAYS)
    for index, spec in enumerate(federation.offers() if specs is None else specs):
        provider = federation.providers[spec.provider]
        node = provider.node if specs is None else f"{provider.node}-block"
        sequences[node] += 1
        at = start + step * spec.number if specs is None else start + dt.timedelta(minutes=index)
        identifier = offer_id(spec)
        uri = offer_uri(node_url(node), identifier)
        agency = (provider.agency_id(spec.agency), provider.agencies[spec.agency])
        data = version_data(
            federation, spec, uri=uri, id=identifier, agency=agency, published_at=at
        )
        event = unsigned_event(
            event_id=str(uuid.uuid5(NAMESPACE, f"event/{spec.number}")),
            event_type=EVENT_PUBLISHED,
            subject=uri,
            sequence=sequences[node],
            time=at,
            snapshot="{}",
            key_id="bench",
        )
        event["data"] = data
        yield Publication(node, event, loaded(data))


# A large municipality's real shape, for the overlaps report: many offers of one provider on one
# level, in one category, for one age range and no risk group, named from a few subjects and
# districts (so many names are alike) and described in the same few words.
DISTRICTS = ("sentrum", "nord", "sør", "øst", "vest", "Fjell", "Strømsø", "Bragernes", "Gulskogen",
             "Åssiden", "Konnerud", "Tangen", "Danvik", "Skoger", "Svelvik")  # fmt: skip
HOMOGENEOUS_SUBJECTS = ("Leksehjelp", "Fritidsklubb", "Åpen hall", "Ferieaktiviteter",
                        "Kulturskole for alle", "Møteplass", "Aktivitetsgruppe",
                        "Mentorordning", "Besøkshjem", "Ungdomskontakt")  # fmt: skip
HOMOGENEOUS_FIRST = 100_000_000  # offer numbers of the block, past any national size


def homogeneous_offers(
    federation: NationalFederation, count: int, municipality: str = "3301"
) -> Iterator[OfferSpec]:
    """``count`` offers of ``municipality``'s own provider, all on level 2 in the category
    ``voluntary_association`` for ages 6–12 with no risk group (no national offer is alike:
    the drawn offers above level 1 all name a risk group), spread over its agencies in turn."""
    provider = federation.providers[f"m{municipality}"]
    home = reference_data().get(municipality).label("nb")
    for i in range(count):
        rng = random.Random(f"homogeneous/{federation.seed}/{i}")  # noqa: S311 - test data
        number = HOMOGENEOUS_FIRST + i
        content = _content(rng, provider, number)
        subject = HOMOGENEOUS_SUBJECTS[i % len(HOMOGENEOUS_SUBJECTS)]
        district = DISTRICTS[(i // len(HOMOGENEOUS_SUBJECTS)) % len(DISTRICTS)]
        words = " ".join(rng.choices(WORDS[:12], k=8))
        content.update(
            name=f"{subject} {home} {district}",
            description=f"{subject} for barn 6–12 år i {district}. {words.capitalize()}.",
            level=2,
            category="voluntary_association",
            age_min=6,
            age_max=12,
            audiences=["children", "parents"],
            risk_groups=[],
            diagnosis_groups=[],
            coverage=[municipality],
            statutory_duties=[],
        )
        yield OfferSpec(number, provider.key, i % len(provider.agencies), content)


def describe(federation: NationalFederation) -> dict[str, Counter[Any]]:
    """The distributions drawn, for a reader to judge them."""
    kinds: Counter[Any] = Counter()
    levels: Counter[Any] = Counter()
    municipalities: Counter[Any] = Counter()
    for spec in federation.offers():
        provider = federation.providers[spec.provider]
        kinds[provider.kind] += 1
        levels[spec.content["level"]] += 1
        if provider.kind == "municipality":
            municipalities[provider.home_area] += 1
    return {"kinds": kinds, "levels": levels, "municipalities": municipalities}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=DEFAULT_OFFERS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    federation = generate(args.offers, args.seed)
    seen = describe(federation)
    print(f"{len(federation.providers)} providers on {len(federation.nodes())} nodes")
    print("offers by kind:", dict(seen["kinds"].most_common()))
    print("offers by level:", dict(sorted(seen["levels"].items())))
    municipalities = seen["municipalities"]
    print("largest municipalities:", municipalities.most_common(5))
    print("Utsira (1151):", municipalities["1151"], "- municipalities without offers:",
          357 - len(municipalities))  # fmt: skip


if __name__ == "__main__":
    main()
