"""Overlaps: offers that could be coordinated or merged (step 5 of the method: *vurdering*).

Two offers of a scope **overlap** when they are available in at least one common municipality
of the scope, are on the same level and in the same category, their age ranges overlap, they
share a risk group (or neither names one: both are for everyone), and they come from different
agencies or providers. They are **near-identical** when they share a municipality and the
token-set Jaccard similarity of their names is at least :data:`NAME_THRESHOLD`, or of their
descriptions at least :data:`DESCRIPTION_THRESHOLD`, the tokens being the distinct analysed
terms of :mod:`shared.text` (stems without stop words, so "Helsestasjon for ungdom" and
"helsestasjonen for ungdommen" are the same name).

The cost is bounded. Only the scope's offers are compared, at most :data:`MAX_OFFERS` of them
(a larger scope is refused: choose a smaller area or an organisation). Overlaps are compared
only within blocks of the same level, category and risk group, in order of age so a block stops
at the first offer too old; near-identical texts only where they share a term in the prefix of
their rarest terms (prefix filtering: a pair below the threshold cannot pass, one above it
cannot be missed), so most pairs are never looked at.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.history.models import (
    RISK_GROUP,
    OfferVersion,
    VersionCoverage,
    VersionTerm,
)
from services.reporting.reports.scope import Scope, scoped
from shared import text
from shared.areas import reference_data
from shared.errors import InvalidInput
from shared.messages import Message

NAME_THRESHOLD = 0.8
DESCRIPTION_THRESHOLD = 0.7
MAX_OFFERS = 20_000
DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class Candidate:
    """What the comparison needs of an offer."""

    id: int
    offer_uri: str
    name: str
    provider: str
    provider_name: str
    agency: str
    agency_name: str
    level: int
    category: str
    age_min: int
    age_max: int
    name_terms: frozenset[str]
    description_terms: frozenset[str]
    risk_groups: frozenset[str]
    reach: frozenset[str]  # the scope's municipalities where it is available

    @cached_property
    def sort_key(self) -> tuple[str, str]:
        """The order of offers in a pair and of pairs in a list: by name, then URI."""
        return text.sort_key(self.name), self.offer_uri


@dataclass(frozen=True)
class Pair:
    first: Candidate
    second: Candidate
    risk_groups: tuple[str, ...] = ()
    name_similarity: float = 0.0
    description_similarity: float = 0.0


@dataclass
class Overlaps:
    offers: int
    overlapping: list[Pair]
    overlapping_total: int
    similar: list[Pair]
    similar_total: int


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; two empty sets are not alike (0)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _pair(
    a: Candidate,
    b: Candidate,
    risk_groups: tuple[str, ...] = (),
    name_similarity: float = 0.0,
    description_similarity: float = 0.0,
) -> Pair:
    """The pair in name order, so reports list it the same way whichever came first."""
    first, second = sorted((a, b), key=lambda c: c.sort_key)
    return Pair(first, second, risk_groups, name_similarity, description_similarity)


def candidates(session: Session, scope: Scope) -> list[Candidate]:
    """The scope's offers with their risk groups and reach; refused above MAX_OFFERS."""
    rows = _offer_rows(session, scope)
    risks, coverage = _risks_and_coverage(session, [row.id for row in rows])
    reach = _reach_in(scope)
    return [
        Candidate(
            id=row.id,
            offer_uri=row.offer_uri,
            name=row.name,
            provider=row.provider_orgnr,
            provider_name=row.provider_name,
            agency=row.agency_id,
            agency_name=row.agency_name,
            level=row.level,
            category=row.category,
            age_min=row.age_min,
            age_max=row.age_max,
            name_terms=frozenset(row.name_terms.split()),
            description_terms=frozenset(row.description_terms.split()),
            risk_groups=frozenset(risks[row.id]),
            reach=reach(frozenset(coverage[row.id])),
        )
        for row in rows
    ]


def _offer_rows(session: Session, scope: Scope) -> Sequence[Any]:
    rows = session.execute(
        select(
            OfferVersion.id,
            OfferVersion.offer_uri,
            OfferVersion.name,
            OfferVersion.provider_orgnr,
            OfferVersion.provider_name,
            OfferVersion.agency_id,
            OfferVersion.agency_name,
            OfferVersion.level,
            OfferVersion.category,
            OfferVersion.age_min,
            OfferVersion.age_max,
            OfferVersion.name_terms,
            OfferVersion.description_terms,
        )
        .where(*scoped(scope))
        .limit(MAX_OFFERS + 1)
    ).all()
    if len(rows) > MAX_OFFERS:
        raise InvalidInput(
            "report.too_many_offers",
            {"area": [Message("report.too_many_to_compare")]},
            limit=MAX_OFFERS,
        )
    return rows


def _risks_and_coverage(
    session: Session, ids: list[int]
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """The risk groups and the covered areas of each version, by its row id."""
    risks: dict[int, set[str]] = defaultdict(set)
    coverage: dict[int, set[str]] = defaultdict(set)
    for chunk in (ids[i : i + 5000] for i in range(0, len(ids), 5000)):
        for pk, code in session.execute(
            select(VersionTerm.version_pk, VersionTerm.code).where(
                VersionTerm.facet == RISK_GROUP, VersionTerm.version_pk.in_(chunk)
            )
        ):
            risks[pk].add(code)
        for pk, area in session.execute(
            select(VersionCoverage.version_pk, VersionCoverage.area).where(
                VersionCoverage.version_pk.in_(chunk)
            )
        ):
            coverage[pk].add(area)
    return risks, coverage


def _reach_in(scope: Scope) -> Callable[[frozenset[str]], frozenset[str]]:
    """The municipalities of the scope where an offer covering ``codes`` is available; the
    same coverage is expanded once, however many offers share it."""
    areas = reference_data()
    inside = scope.municipalities if scope.area is not None else None
    reaches: dict[frozenset[str], frozenset[str]] = {}

    def reach(codes: frozenset[str]) -> frozenset[str]:
        if codes not in reaches:
            municipalities = areas.expand(codes)
            reaches[codes] = municipalities & inside if inside is not None else municipalities
        return reaches[codes]

    return reach


def overlapping(offers: Sequence[Candidate]) -> list[Pair]:
    """Every overlapping pair (see the module's docstring)."""
    blocks: dict[tuple[int, str, str], list[Candidate]] = defaultdict(list)
    for offer in offers:
        for risk_group in offer.risk_groups or {""}:
            blocks[(offer.level, offer.category, risk_group)].append(offer)
    found: dict[tuple[int, int], Pair] = {}
    for members in blocks.values():
        members.sort(key=lambda c: (c.age_min, c.id))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if b.age_min > a.age_max:
                    break  # every later one starts older still
                key = (min(a.id, b.id), max(a.id, b.id))
                if key in found or (a.provider, a.agency) == (b.provider, b.agency):
                    continue
                if a.reach.isdisjoint(b.reach):
                    continue
                shared = tuple(sorted(a.risk_groups & b.risk_groups))
                found[key] = _pair(a, b, risk_groups=shared)
    return sorted(
        found.values(),
        key=lambda p: (p.first.level, p.first.category, p.first.sort_key, p.second.sort_key),
    )


def _similar_by(
    offers: Sequence[Candidate], terms: Callable[[Candidate], frozenset[str]], threshold: float
) -> set[tuple[int, int]]:
    """Pairs (by index) that share a municipality and whose ``terms`` have a Jaccard
    similarity of at least ``threshold``, found by prefix filtering."""
    frequency = Counter(term for offer in offers for term in terms(offer))
    index: dict[str, list[int]] = defaultdict(list)
    found: set[tuple[int, int]] = set()
    for i, offer in enumerate(offers):
        tokens = sorted(terms(offer), key=lambda t: (frequency[t], t))
        if not tokens:
            continue
        prefix = tokens[: len(tokens) - math.ceil(threshold * len(tokens)) + 1]
        seen: set[int] = set()
        for token in prefix:
            for j in index[token]:
                if j in seen:
                    continue
                seen.add(j)
                other = offers[j]
                if other.reach.isdisjoint(offer.reach):
                    continue
                if jaccard(terms(other), terms(offer)) >= threshold:
                    found.add((j, i))
            index[token].append(i)
    return found


def similar(offers: Sequence[Candidate]) -> list[Pair]:
    """Every pair of near-identical offers that share a municipality."""
    keys = _similar_by(offers, lambda c: c.name_terms, NAME_THRESHOLD) | _similar_by(
        offers, lambda c: c.description_terms, DESCRIPTION_THRESHOLD
    )
    pairs = [
        _pair(
            offers[i],
            offers[j],
            name_similarity=round(jaccard(offers[i].name_terms, offers[j].name_terms), 2),
            description_similarity=round(
                jaccard(offers[i].description_terms, offers[j].description_terms), 2
            ),
        )
        for i, j in keys
    ]
    return sorted(
        pairs,
        key=lambda p: (
            -max(p.name_similarity, p.description_similarity),
            p.first.sort_key,
            p.second.sort_key,
        ),
    )


def overlaps(session: Session, scope: Scope, limit: int = DEFAULT_LIMIT) -> Overlaps:
    """The scope's overlapping and near-identical pairs; at most ``limit`` of each listed."""
    offers = candidates(session, scope)
    both = overlapping(offers)
    alike = similar(offers)
    return Overlaps(len(offers), both[:limit], len(both), alike[:limit], len(alike))
