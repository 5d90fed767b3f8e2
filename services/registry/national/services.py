"""What the national services say about this node and its area, read over HTTP.

* :func:`area_offers`: every offer national search holds for the organisation's area, so the
  internal app can show, beside the organisation's own, those of the other providers that
  cover it (the county, regions, the state, voluntary organisations, neighbours);
* :func:`offer_statuses` and :func:`node_status`: whether national search received the
  node's offers, or refused them and why (``/api/v1/status/...``).

National search is another service, run by someone else: it may be unset, slow or away. Every
read is bounded (the harvester's client: short timeouts, an overall deadline, no proxy from the
environment) and a failure is an answer (:class:`Unavailable`), never an error of the page.
Flask-free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.offers.models import Offer
from shared.areas import AreaKind, reference_data
from shared.ingest.http import FetchError, Limits, deadline, get_json, new_client

PER_PAGE = 100  # the most national search gives in one page
MAX_PAGES = 10  # an area's first 1,000 offers; the rest are left to national search's pages
STATUS_BATCH = 100  # offer URIs in one status question (the most national search takes)
# The longest request line a status question may make: gunicorn refuses one longer than
# 4,094 bytes (its ``limit_request_line``) with a 400, and a proxy may allow less.
MAX_REQUEST_LINE = 3500
STATUS_PATH = "/api/v1/status/offers"
REPORTS = ("pyramid", "coverage", "duties", "overlaps")


@dataclass(frozen=True)
class Unavailable:
    """Why the national picture cannot be shown: ``unset`` (no URL is configured),
    ``unreachable`` (with what happened), ``no_area`` (the whole country is not listed here)."""

    reason: str
    detail: str = ""


@dataclass(frozen=True)
class National:
    """Where national search and reporting are, and how they are read."""

    search_url: str
    reporting_url: str
    client: httpx.Client
    limits: Limits

    @classmethod
    def create(cls, search_url: str, reporting_url: str, timeout: float) -> National:
        limits = Limits(timeout=timeout, connect_timeout=min(timeout, 2.0), max_bytes=8 << 20)
        return cls(search_url, reporting_url, new_client(), limits)

    def read(self, path: str, query: Sequence[tuple[str, Any]] = ()) -> Any:
        """The JSON at ``path`` of national search (FetchError when it cannot be had)."""
        url = f"{self.search_url}{path}" + (f"?{urlencode(query)}" if query else "")
        return get_json(self.client, url, self.limits).document


@dataclass(frozen=True)
class AreaOffer:
    """An offer of another provider, as national search lists it."""

    id: str
    uri: str
    name: str
    provider: str
    provider_number: str
    kind: str
    kind_label: str
    agency: str
    level: int
    age_min: int
    age_max: int
    risk_groups: tuple[str, ...]
    page: str


@dataclass
class AreaPicture:
    """The other providers' offers that cover the area, and where to read more."""

    offers: list[AreaOffer] = field(default_factory=list)
    complete: bool = True  # False when the area had more than this reads
    search_page: str = ""
    reports: dict[str, str] = field(default_factory=dict)

    def by_kind(self) -> dict[str, list[AreaOffer]]:
        grouped: dict[str, list[AreaOffer]] = {}
        for offer in self.offers:
            grouped.setdefault(offer.kind, []).append(offer)
        return grouped

    def levels(self) -> dict[int, int]:
        counts = {1: 0, 2: 0, 3: 0}
        for offer in self.offers:
            counts[offer.level] = counts.get(offer.level, 0) + 1
        return counts


def _area_query(home_area: str) -> tuple[tuple[str, str], str] | None:
    """The search parameter that selects the area, and its page on the search site; None for
    the whole country (too much to list here)."""
    area = reference_data().get(home_area)
    if area.kind is AreaKind.MUNICIPALITY:
        return ("municipality", area.code), f"/kommune/{area.code}"
    if area.kind is AreaKind.COUNTY:
        return ("county", area.code), f"/fylke/{area.code}"
    if area.kind is AreaKind.REGION:  # the offers available somewhere in its counties
        return ("region", area.code), f"/region/{quote(area.code, safe='')}"
    return None


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return value if isinstance(value, str) else ""


def _area_offer(item: Any) -> AreaOffer | None:
    """An item of national search's list, or None for one not of the documented shape."""
    try:
        provider, level = item["provider"], item["level"]["code"]
        offer = AreaOffer(
            id=str(item["id"]),
            uri=str(item["uri"]),
            name=str(item["name"]),
            provider=str(provider["name"]),
            provider_number=str(provider["organisation_number"]),
            kind=str(provider["kind"]),
            kind_label=str(provider["kind_label"]),
            agency=_text(item, "agency"),
            level=int(level),
            age_min=int(item["age_min"]),
            age_max=int(item["age_max"]),
            risk_groups=tuple(str(code) for code in item.get("risk_groups") or ()),
            page=_text(item.get("links") or {}, "page"),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return offer if offer.level in (1, 2, 3) else None


def _pages(national: National, selector: tuple[str, str]) -> tuple[list[Any], bool]:
    """Every item national search lists for one area parameter, up to MAX_PAGES pages."""
    items: list[Any] = []
    for number in range(1, MAX_PAGES + 1):
        query = [selector, ("per_page", PER_PAGE), ("page", number), ("facets", "false")]
        document = national.read("/api/v1/offers", query)
        found = document.get("items") if isinstance(document, dict) else None
        if not isinstance(found, list):
            raise FetchError("national search answered without a list of offers")
        items += found
        pages = document.get("pages")
        if not isinstance(pages, int) or number >= pages:
            return items, True
    return items, False


def reports_for(national: National, home_area: str) -> dict[str, str]:
    """Links to the national reports for the area (none when reporting is not configured)."""
    if not national.reporting_url:
        return {}
    area = quote(home_area, safe="")
    return {kind: f"{national.reporting_url}/{kind}?area={area}" for kind in REPORTS}


def area_offers(
    national: National, home_area: str, organisation_number: str
) -> AreaPicture | Unavailable:
    """The offers of other providers than ``organisation_number`` that national search lists
    for ``home_area``, by provider kind and name; or why they cannot be shown."""
    if not national.search_url:
        return Unavailable("unset")
    chosen = _area_query(home_area)
    if chosen is None:
        return Unavailable("no_area")
    selector, page = chosen
    picture = AreaPicture(
        search_page=national.search_url + page, reports=reports_for(national, home_area)
    )
    seen: set[str] = set()  # an offer listed on two pages, the list having changed between
    try:
        with deadline(national.limits.timeout * 2):
            items, picture.complete = _pages(national, selector)
            for offer in filter(None, map(_area_offer, items)):
                if offer.provider_number != organisation_number and offer.uri not in seen:
                    seen.add(offer.uri)
                    picture.offers.append(offer)
    except FetchError as exc:
        return Unavailable("unreachable", str(exc))
    picture.offers.sort(key=lambda o: (o.kind, o.provider, o.name.casefold()))
    return picture


@dataclass(frozen=True)
class OfferStatus:
    """What national search did with an offer: the version it holds, or its open refusals."""

    received_version: int | None
    withdrawn: bool
    refusals: tuple[str, ...]


def _offer_status(item: Any) -> tuple[str, OfferStatus] | None:
    try:
        received = item["received"]
        reasons = tuple(str(r["reason"]) for r in item["refused"])
        version = int(received["version"]) if received else None
        status = OfferStatus(version, bool(received and received["withdrawn"]), reasons)
        return str(item["offer_uri"]), status
    except (KeyError, TypeError, ValueError):
        return None


def _request_line(search_url: str, query: str) -> int:
    """The length of the request line of a status question with ``query``."""
    path = urlsplit(f"{search_url}{STATUS_PATH}").path
    return len(f"GET {path}?{query} HTTP/1.1")


def status_batches(search_url: str, offer_uris: Iterable[str]) -> list[list[str]]:
    """The offer URIs (each once) in batches, each a status question whose request line
    stays within MAX_REQUEST_LINE and which asks at most STATUS_BATCH offers (a URI too long
    for any batch is asked alone)."""
    batches: list[list[str]] = []
    batch: list[str] = []
    length = _request_line(search_url, "")
    for uri in dict.fromkeys(offer_uris):
        more = len(urlencode([("uri", uri)])) + (1 if batch else 0)
        if batch and (length + more > MAX_REQUEST_LINE or len(batch) >= STATUS_BATCH):
            batches.append(batch)
            batch, length, more = [], _request_line(search_url, ""), more - 1
        batch.append(uri)
        length += more
    return batches + [batch] if batch else batches


def offer_statuses(
    national: National, offer_uris: Iterable[str]
) -> dict[str, OfferStatus] | Unavailable:
    """The national status of each offer (by URI); or why it cannot be had."""
    if not national.search_url:
        return Unavailable("unset")
    found: dict[str, OfferStatus] = {}
    try:
        with deadline(national.limits.timeout * 2):
            for batch in status_batches(national.search_url, offer_uris):
                document = national.read(STATUS_PATH, [("uri", uri) for uri in batch])
                items = document.get("offers") if isinstance(document, dict) else None
                found.update(filter(None, map(_offer_status, items or [])))
    except FetchError as exc:
        return Unavailable("unreachable", str(exc))
    return found


@dataclass(frozen=True)
class Refusal:
    offer_uri: str
    reason: str
    received_at: str


@dataclass(frozen=True)
class NodeStatus:
    """This node as national search knows it: not at all (``known`` False), or its id, the
    organisations it may publish for and its open refusals, newest first."""

    known: bool
    node_id: str = ""
    organisations: frozenset[str] = frozenset()
    refusals: tuple[Refusal, ...] = ()
    page: str = ""


def node_status(national: National, node_base_url: str) -> NodeStatus | Unavailable:
    """This node's status at national search (the node found by its base URL)."""
    if not national.search_url:
        return Unavailable("unset")
    try:
        with deadline(national.limits.timeout * 2):
            listed = national.read("/api/v1/status/nodes", [("base_url", node_base_url)])
            nodes = listed.get("nodes") if isinstance(listed, dict) else None
            if not nodes:
                return NodeStatus(known=False)
            node_id = str(nodes[0]["id"])
            document = national.read(f"/api/v1/status/nodes/{quote(node_id, safe='')}")
            return _node(national, node_id, document)
    except FetchError as exc:
        return Unavailable("unreachable", str(exc))
    except (KeyError, TypeError, ValueError, AttributeError):
        return Unavailable("unreachable", "national search answered in an unknown shape")


def _node(national: National, node_id: str, document: Any) -> NodeStatus:
    refusals = tuple(
        Refusal(str(r["offer_uri"] or ""), str(r["reason"]), str(r["received_at"] or ""))
        for r in document["refused"]
        if r["open"]
    )
    organisations = frozenset(str(o["organisation_number"]) for o in document["organisations"])
    page = f"{national.search_url}/status/nodes/{quote(node_id, safe='')}"
    return NodeStatus(True, node_id, organisations, refusals, page)


GRANT_SERVICES = ("search", "reporting")
UNKNOWN_NODE_ID = "<node-id>"


def grant_commands(node_id: str | None, organisation_number: str) -> list[str]:
    """The national operator's command lines that let the node publish for the organisation
    (``node_id`` as the national directory knows the node, when known)."""
    node = node_id or UNKNOWN_NODE_ID
    return [
        f"nettungen {service} nodes grant {node} {organisation_number}"
        for service in GRANT_SERVICES
    ]


def offers_by_uri(session: Session, organisation_id: int, uris: Iterable[str]) -> dict[str, Offer]:
    """The organisation's offers among ``uris``, by URI."""
    wanted = [uri for uri in uris if uri]
    if not wanted:
        return {}
    rows = session.scalars(
        select(Offer).where(Offer.organisation_id == organisation_id, Offer.uri.in_(wanted))
    )
    return {offer.uri: offer for offer in rows}


@dataclass(frozen=True)
class GrantAdvice:
    """What the national operators must run so the node may publish for an organisation:
    the command lines; the node's id there when national search knows the node (else the
    lines name ``<node-id>``); whether it is granted already (None when unknown)."""

    commands: list[str]
    node_id: str | None
    granted: bool | None


def grant_advice(national: National, node_base_url: str, organisation_number: str) -> GrantAdvice:
    node = node_status(national, node_base_url)
    if isinstance(node, NodeStatus) and node.known:
        granted = organisation_number in node.organisations
        return GrantAdvice(grant_commands(node.node_id, organisation_number), node.node_id, granted)
    return GrantAdvice(grant_commands(None, organisation_number), None, None)
