"""Distance from a point to offers' places: the great-circle (haversine) distance on a sphere
of the Earth's mean radius, the same SQL on SQLite and PostgreSQL, so both answer alike.

An offer's distance is that of its nearest place with a point. Within a radius, the database
first narrows the places by an index: on PostgreSQL the GiST index on ``ll_to_earth`` (the
``earthdistance`` extension's cube around the circle), on SQLite a bounding box on the
(latitude, longitude) index. The exact distance then decides.

Nearest first without a radius is made a radius search too, so that a page reads about a page
of places however many there are (:func:`reach_km`): on PostgreSQL the same GiST index hands
over the places nearest first (cube's ``<->``, the straight line through the Earth between two
``ll_to_earth`` points, which grows with the great-circle distance, so the order is the same),
and the distance of the n-th offer met bounds the n nearest. SQLite has no such index and
ranks every place, which is fine at the size of a node or a test.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, func, literal, select
from sqlalchemy.orm import Session

from services.search.index.models import IndexedOffer, OfferPlace
from shared.geo import EARTH_RADIUS_KM

KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
# earthdistance measures on a sphere of 6,378,168 m: its box for our radius, widened by that
# ratio and a little more, holds every point our distance puts inside.
_EARTH_BOX_MARGIN = 6378.168 / EARTH_RADIUS_KM * 1.001


def _least_one(session: Session, value: Any) -> Any:
    # Rounding may put the haversine term a hair above 1, outside asin's domain.
    if session.get_bind().dialect.name == "postgresql":
        return func.least(value, 1.0)
    return func.min(value, 1.0)


def distance_km(session: Session, latitude: float, longitude: float) -> ColumnElement[float]:
    """The distance in km from (``latitude``, ``longitude``) to an ``offer_places`` row."""
    half_lat = func.sin(func.radians(OfferPlace.latitude - latitude) / 2)
    half_lon = func.sin(func.radians(OfferPlace.longitude - longitude) / 2)
    term = (
        half_lat * half_lat
        + literal(math.cos(math.radians(latitude)))
        * func.cos(func.radians(OfferPlace.latitude))
        * half_lon
        * half_lon
    )
    return 2 * EARTH_RADIUS_KM * func.asin(func.sqrt(_least_one(session, term)))


def _near_enough(
    session: Session, latitude: float, longitude: float, radius_km: float
) -> ColumnElement[bool]:
    """What an index can check: the places in a box around the circle (a few outside it)."""
    if session.get_bind().dialect.name == "postgresql":
        centre = func.ll_to_earth(latitude, longitude)
        box = func.earth_box(centre, radius_km * 1000 * _EARTH_BOX_MARGIN)
        return box.op("@>")(func.ll_to_earth(OfferPlace.latitude, OfferPlace.longitude))
    span = radius_km / KM_PER_DEGREE
    conditions = [OfferPlace.latitude.between(latitude - span, latitude + span)]
    widest = min(abs(latitude) + span, 90.0)
    if widest < 89.0:
        lon_span = span / math.cos(math.radians(widest))
        if lon_span < 180 and -180 <= longitude - lon_span and longitude + lon_span <= 180:
            conditions.append(
                OfferPlace.longitude.between(longitude - lon_span, longitude + lon_span)
            )
    return and_(*conditions)


def nearest(
    session: Session, latitude: float, longitude: float, radius_km: float | None
) -> Select[int, float]:
    """(offer_pk, distance): each offer's nearest place, only those within ``radius_km``
    when it is given."""
    distance = distance_km(session, latitude, longitude)
    statement = select(OfferPlace.offer_pk, func.min(distance).label("distance"))
    if radius_km is not None:
        statement = statement.where(
            _near_enough(session, latitude, longitude, radius_km), distance <= radius_km
        )
    return statement.group_by(OfferPlace.offer_pk)


def place_within(
    session: Session, latitude: float, longitude: float, radius_km: float
) -> ColumnElement[bool]:
    """An ``offer_places`` row lies within ``radius_km`` of the point (index, then exact)."""
    distance = distance_km(session, latitude, longitude)
    return and_(_near_enough(session, latitude, longitude, radius_km), distance <= radius_km)


def within(session: Session, latitude: float, longitude: float, radius_km: float) -> Select[Any]:
    """The offers with a place within ``radius_km`` of the point (their ``offer_pk``)."""
    distance = distance_km(session, latitude, longitude)
    return select(OfferPlace.offer_pk).where(
        _near_enough(session, latitude, longitude, radius_km), distance <= radius_km
    )


def reach_km(
    session: Session,
    latitude: float,
    longitude: float,
    conditions: list[ColumnElement[bool]],
    wanted: int,
    *,
    links: bool = False,
) -> float | None:
    """A distance within which at least ``wanted`` offers that meet ``conditions`` have a
    place, read from the places nearest first (PostgreSQL's GiST index ordering), or None
    when fewer offers than that have a point (or on SQLite, which has no such ordering).

    Any ``wanted`` offers met give a bound: each lies at most as far as the place it was met
    by, so the ``wanted`` nearest offers all lie within the farthest of those places; the
    order of the index only keeps the bound tight. A search within it, ordered as ever, is
    then the same first ``wanted`` offers as ranking them all.

    With ``links``, it counts the places HSDS lists (``OfferPlace.linked``), not offers: a
    distance within which at least ``wanted`` of them lie.
    """
    if session.get_bind().dialect.name != "postgresql" or wanted < 1:
        return None
    centre = func.ll_to_earth(latitude, longitude)
    chord = func.ll_to_earth(OfferPlace.latitude, OfferPlace.longitude).op(
        "<->", return_type=Float()
    )(centre)
    statement = select(
        OfferPlace.offer_pk, OfferPlace.position, distance_km(session, latitude, longitude)
    )
    if links:
        statement = statement.where(OfferPlace.linked)
    if conditions:
        statement = statement.join(IndexedOffer, IndexedOffer.id == OfferPlace.offer_pk).where(
            *conditions
        )
    statement = statement.order_by(chord)
    limit = 2 * wanted + 8  # most offers have one or two places
    while True:
        rows = session.execute(statement.limit(limit)).all()
        met: dict[Any, float] = {}
        for offer_pk, position, km in rows:
            met.setdefault((offer_pk, position) if links else offer_pk, float(km))
            if len(met) == wanted:
                # A micrometre out: the parameter's round trip cannot lose the edge, and an
                # offer more within it only comes after the page's.
                return max(met.values()) + 1e-9
        if len(rows) < limit:
            return None
        limit *= 4
