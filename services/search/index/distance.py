"""Distance from a point to offers' places: the great-circle (haversine) distance on a sphere
of the Earth's mean radius, the same SQL on SQLite and PostgreSQL, so both answer alike.

An offer's distance is that of its nearest place with a point. Within a radius, the database
first narrows the places by an index: on PostgreSQL the GiST index on ``ll_to_earth`` (the
``earthdistance`` extension's cube around the circle), on SQLite a bounding box on the
(latitude, longitude) index. The exact distance then decides.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, select
from sqlalchemy.orm import Session

from services.search.index.models import OfferPlace
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


def within(session: Session, latitude: float, longitude: float, radius_km: float) -> Select[Any]:
    """The offers with a place within ``radius_km`` of the point (their ``offer_pk``)."""
    distance = distance_km(session, latitude, longitude)
    return select(OfferPlace.offer_pk).where(
        _near_enough(session, latitude, longitude, radius_km), distance <= radius_km
    )
