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
between *kinds* of offers alike in all the test reads (level, category, ages, risk groups,
reach), within blocks of the same level, category and risk group, in order of age so a block
stops at the first kind too old; the total is counted from the kinds' sizes and only the pairs
listed are made. Near-identical texts are compared once per distinct set of terms, and only
where they share a term in the prefix of their rarest terms (prefix filtering, with PPJoin's
positional filter: :mod:`services.reporting.reports.similarity`), so most pairs are never
looked at.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
from services.reporting.reports.similarity import jaccard, similar_sets
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


@dataclass
class _Kind:
    """Offers alike in everything the overlap test reads but their agency: the same level,
    category, ages, risk groups and reach in the scope."""

    members: list[Candidate] = field(default_factory=list)  # in name order, once sorted
    keys: list[tuple[str, str]] = field(default_factory=list)
    agencies: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def first(self) -> Candidate:
        return self.members[0]

    def pairs_with(self, other: _Kind) -> int:
        """How many overlapping pairs one offer of each make (two of this one, for itself)."""
        same = sum(n * other.agencies[agency] for agency, n in self.agencies.items())
        if other is self:
            return (len(self.members) ** 2 - same) // 2
        return len(self.members) * len(other.members) - same


def _kinds(offers: Sequence[Candidate]) -> dict[tuple[int, str], list[_Kind]]:
    """The offers as kinds (:class:`_Kind`), by level and category."""
    kinds: dict[tuple[Any, ...], _Kind] = defaultdict(_Kind)
    for offer in offers:
        key = (
            offer.level,
            offer.category,
            offer.age_min,
            offer.age_max,
            offer.risk_groups,
            offer.reach,
        )
        kinds[key].members.append(offer)
    grouped: dict[tuple[int, str], list[_Kind]] = defaultdict(list)
    for (level, category, *_), kind in kinds.items():
        kind.members.sort(key=lambda c: c.sort_key)
        kind.keys = [c.sort_key for c in kind.members]
        kind.agencies = Counter((c.provider, c.agency) for c in kind.members)
        grouped[level, category].append(kind)
    return grouped


def _partners(kinds: list[_Kind]) -> dict[int, list[_Kind]]:
    """Each kind's overlapping kinds (itself too), compared as offers were: within blocks of a
    risk group (or none), in order of age so a block stops at the first kind too old."""
    blocks: dict[str, list[_Kind]] = defaultdict(list)
    for kind in kinds:
        for risk_group in kind.first.risk_groups or {""}:
            blocks[risk_group].append(kind)
    partners: dict[int, list[_Kind]] = {id(k): [] for k in kinds}
    seen: set[tuple[int, int]] = set()
    for members in blocks.values():
        members.sort(key=lambda k: k.first.age_min)
        for i, a in enumerate(members):
            for b in members[i:]:
                if b.first.age_min > a.first.age_max:
                    break  # every later one starts older still
                key = (min(id(a), id(b)), max(id(a), id(b)))
                if key in seen:
                    continue
                seen.add(key)
                if a.first.reach.isdisjoint(b.first.reach):
                    continue
                partners[id(a)].append(b)
                if b is not a:
                    partners[id(b)].append(a)
    return partners


def _listed(kinds: list[_Kind], partners: dict[int, list[_Kind]], limit: int) -> list[Pair]:
    """The first ``limit`` overlapping pairs of one level and category, in name order of the
    first offer and then the second, without making the others."""
    kind_of = {id(c): kind for kind in kinds for c in kind.members}
    offers = sorted((c for kind in kinds for c in kind.members), key=lambda c: c.sort_key)
    listed: list[Pair] = []
    for a in offers:
        if len(listed) >= limit:
            break
        own = kind_of[id(a)]
        agency = (a.provider, a.agency)
        tails = [
            map(b.members.__getitem__, range(bisect_right(b.keys, a.sort_key), len(b.members)))
            for b in partners[id(own)]
            if b.agencies[agency] < len(b.members)  # not all of the same agency
        ]
        later = (
            b
            for b in heapq.merge(*tails, key=lambda c: c.sort_key)
            if (b.provider, b.agency) != agency
        )
        for b in itertools.islice(later, limit - len(listed)):
            shared = tuple(sorted(a.risk_groups & b.risk_groups))
            listed.append(Pair(a, b, risk_groups=shared))
    return listed


def overlapping(offers: Sequence[Candidate], limit: int | None = None) -> tuple[list[Pair], int]:
    """The first ``limit`` overlapping pairs (all without one) in report order, and how many
    there are (see the module's docstring). Offers alike in all the test reads are compared
    once as a kind, so a municipality of thousands of alike offers costs its kinds, not the
    millions of pairs they make."""
    total = 0
    listed: list[Pair] = []
    for _, kinds in sorted(_kinds(offers).items()):
        partners = _partners(kinds)
        for kind in kinds:
            for other in partners[id(kind)]:
                if other is kind:
                    total += kind.pairs_with(kind)
                elif id(other) > id(kind):
                    total += kind.pairs_with(other)
        wanted = None if limit is None else limit - len(listed)
        if wanted is None or wanted > 0:
            listed += _listed(kinds, partners, sys.maxsize if wanted is None else wanted)
    return listed, total


def _similar_by(
    offers: Sequence[Candidate], terms: Callable[[Candidate], frozenset[str]], threshold: float
) -> set[tuple[int, int]]:
    """Pairs (by index, the earlier first) that share a municipality and whose ``terms`` have
    a Jaccard similarity of at least ``threshold``. Offers with the same terms are compared
    once, as their set of terms."""
    holders: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, offer in enumerate(offers):
        if terms(offer):
            holders[terms(offer)].append(i)
    frequency: Counter[str] = Counter()
    for held, indexes in holders.items():
        for term in held:
            frequency[term] += len(indexes)
    sets = list(holders)
    found: set[tuple[int, int]] = set()
    for y, x in similar_sets(sets, frequency, threshold):
        for a, b in (
            itertools.combinations(holders[sets[x]], 2)
            if x == y
            else itertools.product(holders[sets[y]], holders[sets[x]])
        ):
            if not offers[a].reach.isdisjoint(offers[b].reach):
                found.add((min(a, b), max(a, b)))
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
    both, overlapping_total = overlapping(offers, limit)
    alike = similar(offers)
    return Overlaps(len(offers), both, overlapping_total, alike[:limit], len(alike))
