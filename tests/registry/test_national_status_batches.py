"""The dashboard asks national search for its offers' status in request lines a gunicorn
behind national search accepts (its ``limit_request_line`` is 4,094 bytes)."""

from __future__ import annotations

import uuid

import httpx

from services.registry.national.services import National, OfferStatus, offer_statuses
from shared.ingest.http import Limits, new_client

SEARCH = "https://sok.tilbud.example.no/nasjonal"
NODE = "https://tilbud.nordre-follo.kommune.no"
GUNICORN_LIMIT = 4094


def _uris(count: int) -> list[str]:
    return [f"{NODE}/offers/{uuid.UUID(int=n + 1)}" for n in range(count)]


def _asking(uris: list[str]) -> tuple[dict[str, OfferStatus], list[httpx.Request]]:
    asked: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        offers = [
            {"offer_uri": uri, "received": None, "refused": []}
            for uri in request.url.params.get_list("uri")
        ]
        return httpx.Response(200, json={"offers": offers})

    client = new_client(httpx.MockTransport(answer))
    national = National(SEARCH, "", client, Limits(timeout=5.0, connect_timeout=1.0))
    found = offer_statuses(national, uris)
    assert isinstance(found, dict)
    return found, asked


def _request_line(request: httpx.Request) -> str:
    return f"GET {request.url.raw_path.decode('ascii')} HTTP/1.1"


def test_fifty_offers_are_asked_in_request_lines_gunicorn_accepts():
    uris = _uris(50)
    found, asked = _asking(uris + uris[:5])  # a URI twice is asked once
    assert len(asked) > 1
    for request in asked:
        assert request.url.path == "/nasjonal/api/v1/status/offers"
        assert len(_request_line(request)) <= 3500 < GUNICORN_LIMIT
    in_requests = [uri for request in asked for uri in request.url.params.get_list("uri")]
    assert in_requests == uris
    assert set(found) == set(uris)


def test_a_few_offers_are_asked_at_once():
    found, asked = _asking(_uris(3))
    assert len(asked) == 1
    assert len(found) == 3
    assert found[_uris(1)[0]] == OfferStatus(None, False, ())


def test_many_short_uris_are_asked_at_most_a_hundred_at_a_time():
    uris = [f"urn:o:{n}" for n in range(150)]
    _, asked = _asking(uris)
    counts = [len(request.url.params.get_list("uri")) for request in asked]
    assert counts == [100, 50]
