"""Great-circle distance between WGS84 points, as the national search measures it in SQL
(services.search.index.distance): the haversine on a sphere of the Earth's mean radius."""

from __future__ import annotations

import math

# The IUGG mean radius of the Earth.
EARTH_RADIUS_KM = 6371.0088


def distance_km(latitude: float, longitude: float, other_lat: float, other_lon: float) -> float:
    """The distance in km between two points given in degrees."""
    half_lat = math.sin(math.radians(other_lat - latitude) / 2)
    half_lon = math.sin(math.radians(other_lon - longitude) / 2)
    term = half_lat**2 + math.cos(math.radians(latitude)) * math.cos(math.radians(other_lat)) * (
        half_lon**2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(term, 1.0)))
