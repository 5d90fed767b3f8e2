"""``/locations`` and ``/service_at_locations`` of the HSDS API, node and national alike.

Both are made from the published services as the source streams them (service-id order, in
batches): a service's places are its HSDS locations, one location per organisation and place
(shared by every offer of that organisation held there). ``/service_at_locations`` lists each
service at each of its places, in service-id order, then the service's own order of places,
and takes the ``/services`` filters and our ``near`` (latitude,longitude: nearest first, places
without a point last) and ``radius`` (km, with near: only the places within it); HSDS's
``proximity`` (metres from a postcode's centroid) is refused, as we hold no centroids. A source
that can rank places itself (:class:`~shared.hsds_api.source.PlacesNear`, the national index)
measures, orders and pages ``near`` in its database; a node's few thousand offers are ranked
here.
``/locations`` lists every location once, by name then id, each as a version with a point has
it. A look-up by id reads the services until it finds it.

A request reads every matching service once and keeps one page (or, for ``/locations``, one
small object per location): cheap for a node's few thousand offers. Nationally ``near`` is
the database's (above); the other listings grow with the federation; see docs/open-data.md.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Generator, Iterator, Mapping
from contextlib import closing
from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from shared import geo, hsds
from shared.errors import NotFound
from shared.hsds_api import lookups
from shared.hsds_api.api import (
    list_doc,
    no_query,
    paged_list,
    query_of,
    request_session,
    streamed,
)
from shared.hsds_api.paging import page, window
from shared.hsds_api.schemas import (
    LocationQuerySchema,
    ServiceAtLocationQuerySchema,
    hsds_schema,
)
from shared.hsds_api.source import HsdsSource, PlacesNear, ServiceFilter, SourceFactory

SERVICE_AT_LOCATION_LIST = "compiled/service_at_location_list.json"


def register(blp: Blueprint, source: SourceFactory) -> None:
    """Add the location endpoints to the ``/hsds`` blueprint ``blp``."""
    _service_at_locations(blp, source)
    _locations(blp, source)


def _service_at_locations(blp: Blueprint, source: SourceFactory) -> None:
    @blp.route("/service_at_locations")
    class ServiceAtLocations(MethodView):
        @query_of(blp, ServiceAtLocationQuerySchema)
        @list_doc(blp, SERVICE_AT_LOCATION_LIST, "/service_at_locations/{link_id}")
        def get(self, query: dict[str, Any]) -> Response:
            """Each published service at each of its places; the /services filters apply."""
            where = ServiceFilter.from_query(query)
            near = query.get("near")
            radius = query.get("radius")
            if query["format"] == "ndjson":
                return streamed(
                    source, lambda found: _links(found, where, query["full"], near, radius)
                )
            number, per_page = query["page"], query["per_page"]
            found = source(request_session())
            if near is not None and isinstance(found, PlacesNear):
                contents, total = _nearest_links(
                    found, found, where, query["full"], near, radius, number, per_page
                )
                return jsonify(page(contents, total, number, per_page))
            links: Iterator[dict[str, Any]] = _links(found, where, query["full"], near, radius)
            shown, counted = window(number, per_page), _Counted(links)
            if near is None:
                contents = list(itertools.islice(counted, shown.start, shown.stop))
            else:
                # Nearest first: only the links up to this page's end are kept while all are
                # ranked (by distance, then the usual order), never every link at once.
                ranked = (
                    (_distance(link, near), order, link) for order, link in enumerate(counted)
                )
                best = heapq.nsmallest(shown.stop, ranked, key=lambda item: item[:2])
                contents = [link for _, _, link in best[shown.start :]]
            counted.finish()
            return jsonify(page(contents, counted.total, number, per_page))

    @blp.route("/service_at_locations/<link_id>")
    class ServiceAtLocation(MethodView):
        @no_query(blp)
        @blp.response(200, hsds_schema("compiled/service_at_location.json"))
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, _query: dict[str, Any], link_id: str) -> Response:
            """One published service at one of its places, with the service and location."""
            wanted = lookups.as_uuid(link_id)
            found = _links(source(request_session()), ServiceFilter(), True)
            with closing(found):  # stopping at the match closes the source's reading
                for link in found if wanted else []:
                    if link["id"] == wanted:
                        return jsonify(link)
            raise NotFound("hsds.no_service_at_location", id=link_id)


def _nearest_links(
    found: HsdsSource,
    ranks: PlacesNear,
    where: ServiceFilter,
    full: bool,
    near: tuple[float, float],
    radius: float | None,
    number: int,
    per_page: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the links nearest first, measured and paged by the source's database
    (``ranks``, the source itself); a page past the places with a point goes on with those
    without, in the usual order."""
    shown = window(number, per_page)
    ranked, pointed, total = ranks.places_near(where, near, radius, shown.start, shown.stop)
    contents = []
    for document, position in ranked:
        place = document["locations"][position]
        # Of two places of one HSDS location, the link is the one hsds.places keeps.
        if any(kept is place for _, kept in hsds.places(document)):
            contents.append(hsds.service_at_location(document, place, full=full))
    if radius is None and shown.stop > pointed:
        without = (
            link for link in _links(found, where, full) if "latitude" not in link["location"]
        )
        with closing(without):
            contents += itertools.islice(
                without, max(0, shown.start - pointed), shown.stop - pointed
            )
    return contents, total


class _Counted(Iterator[dict[str, Any]]):
    """The links, counted as they are read; :meth:`finish` reads (and counts) the rest."""

    def __init__(self, links: Iterator[dict[str, Any]]) -> None:
        self._links = links
        self.total = 0

    def __next__(self) -> dict[str, Any]:
        link = next(self._links)
        self.total += 1
        return link

    def finish(self) -> None:
        for _ in self:
            pass


def _links(
    found: HsdsSource,
    where: ServiceFilter,
    full: bool,
    near: tuple[float, float] | None = None,
    radius: float | None = None,
) -> Generator[dict[str, Any]]:
    """Each service at each of its places; with ``near`` and ``radius`` (km) only the places
    with a point within that distance."""
    for document in found.stream_services(where):
        for _, place in hsds.places(document):
            link = hsds.service_at_location(document, place, full=full)
            if near is None or radius is None or _distance(link, near) <= radius:
                yield link


def _distance(link: Mapping[str, Any], near: tuple[float, float]) -> float:
    """The km from ``near`` to the link's location (infinite without a point)."""
    location = link["location"]
    if "latitude" not in location:
        return math.inf
    return geo.distance_km(near[0], near[1], location["latitude"], location["longitude"])


def _locations(blp: Blueprint, source: SourceFactory) -> None:
    @blp.route("/locations")
    class Locations(MethodView):
        @query_of(blp, LocationQuerySchema)
        @list_doc(blp, "location.json", "/locations/{location_id}")
        def get(self, query: dict[str, Any]) -> Response:
            """The places of published services, each once, by name; search matches the
            name and the address."""
            found = _every_location(source(request_session()))
            matching = [
                location
                for location in found.values()
                if lookups.words_match(query.get("search"), *_words(location))
            ]
            matching.sort(key=lambda location: lookups.sort_key(location["name"], location["id"]))
            return paged_list(query, matching, lambda location: location)

    @blp.route("/locations/<location_id>")
    class Location(MethodView):
        @no_query(blp)
        @blp.response(200, hsds_schema("location.json"))
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, _query: dict[str, Any], location_id: str) -> Response:
            """One place of published services."""
            wanted = lookups.as_uuid(location_id)
            location = _every_location(source(request_session())).get(wanted or "")
            if location is None:
                raise NotFound("hsds.no_location", id=location_id)
            return jsonify(location)


def _every_location(found: HsdsSource) -> dict[str, dict[str, Any]]:
    """Every location of the published services by id, each as its first service has it,
    unless a later one gives the place a point the first did not (the id leaves the point
    out, so one offer's place may have it and another's not)."""
    locations: dict[str, dict[str, Any]] = {}
    for document in found.stream_services(ServiceFilter()):
        orgnr = document["provider"]["organisation_number"]
        for location_id, place in hsds.places(document):
            known = locations.get(location_id)
            if known is None or ("latitude" not in known and place.get("latitude") is not None):
                locations[location_id] = hsds.location(orgnr, place)
    return locations


def _words(location: Mapping[str, Any]) -> list[str]:
    addresses = location.get("addresses", [])
    return [location["name"], *(f"{a['address_1']} {a['city']}" for a in addresses)]
