"""The default feed page limit is what a real page needs, far below the 32 MiB page that took
833 MB to parse; a larger page is refused unparsed."""

from __future__ import annotations

import httpx
import pytest

from shared.config import load_config
from shared.ingest import http
from shared.ingest.config import ingest_config
from shared.ingest.http import FetchError, Limits, get_json

JSON = {"Content-Type": "application/json"}


def test_the_default_page_limit_refuses_a_32_mib_page_unparsed(monkeypatch):
    """Refused by its Content-Length, or as it streams past the limit, never handed to the
    parser."""
    settings = load_config(ingest_config("q"), {"BROKER_URL": "embedded:///x"}, environ={})
    limits = Limits(max_bytes=settings["HARVEST_MAX_PAGE_BYTES"])
    assert limits.max_bytes <= 8 * 1024 * 1024 and Limits().max_bytes == limits.max_bytes

    def parse(body, what):
        raise AssertionError("parsed")

    monkeypatch.setattr(http, "parse_json", parse)
    page = b'{"events": ["' + b"x" * (32 * 1024 * 1024) + b'"]}'
    declared = httpx.Client(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, content=page, headers=JSON))
    )
    with pytest.raises(FetchError, match=f"{len(page)} bytes; the limit is {limits.max_bytes}"):
        get_json(declared, "https://n.test/ldes/pages/1", limits)
    chunks = (page[i : i + 65536] for i in range(0, len(page), 65536))
    streamed = httpx.Client(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, content=chunks, headers=JSON))
    )
    with pytest.raises(FetchError, match=f"larger than {limits.max_bytes} bytes"):
        get_json(streamed, "https://n.test/ldes/pages/1", limits)
