"""Which certificates the harvester trusts, on real TLS sockets (shared.ingest.http).

As docs/operations.md says: nodes are reached over HTTPS with verified certificates, against the
public certificate authorities, and those of the federation's own authority when its PEM file
is named (``HARVEST_CA_FILE``, handed to :func:`new_client` as ``ca_file``). Nothing else: not a
certificate authority the host's environment names (``SSL_CERT_FILE``), not a certificate for
another host, an expired or a self-signed one. The node is a WSGI server on loopback answering
with a feed root written here; the certificates are made by a test CA at test time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from shared.ingest.http import Fetched, FetchError, Limits, get_json, new_client
from tests.shared.hostile_nodes import ServedApp, TestCA, closing_all

LIMITS = Limits(timeout=5.0, connect_timeout=5.0)
ROOT = Fetched(200, {"page_size": 2, "last_sequence": 10}, None)


@pytest.fixture
def ca(tmp_path) -> TestCA:
    return TestCA(tmp_path)


def served(ca: TestCA, **certificate: Any) -> tuple[ServedApp, list[str]]:
    """A node on loopback over TLS answering every path with the feed root; the paths asked."""
    paths: list[str] = []

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        paths.append(environ["PATH_INFO"])
        start("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(ROOT.document).encode()]

    node = ServedApp(tls=ca.server_context("node", **certificate))
    node.app = app
    return node, paths


def test_a_node_certified_by_the_federations_ca_is_read_when_its_file_is_named(ca):
    node, paths = served(ca)
    with closing_all(node):
        with new_client(ca_file=str(ca.ca_file)) as client:
            assert get_json(client, f"{node.url}/ldes", LIMITS) == ROOT
        with new_client() as client, pytest.raises(FetchError) as refused:
            get_json(client, f"{node.url}/ldes", LIMITS)
    assert "certificate verify failed: unable to get local issuer certificate" in str(refused.value)
    assert paths == ["/ldes"], "nothing is asked of a node whose certificate is refused"


def test_a_ca_named_by_the_hosts_environment_is_not_trusted(ca, monkeypatch):
    # OpenSSL reads SSL_CERT_FILE for its default store; the harvester trusts the public CAs
    # (certifi's) and HARVEST_CA_FILE, never the host's store.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    node, paths = served(ca)
    with closing_all(node), new_client() as client:
        with pytest.raises(FetchError, match="certificate verify failed"):
            get_json(client, f"{node.url}/ldes", LIMITS)
        assert paths == []


@pytest.mark.parametrize(
    ("certificate", "reason"),
    [
        ({"host": "elsewhere.test"}, "IP address mismatch"),
        ({"days": (-10, -1)}, "certificate has expired"),
        ({"self_signed": True}, "self-signed certificate"),
    ],
    ids=["another-host", "expired", "self-signed"],
)
def test_a_certificate_the_federations_ca_would_not_vouch_for_is_refused(ca, certificate, reason):
    node, paths = served(ca, **certificate)
    with closing_all(node), new_client(ca_file=str(ca.ca_file)) as client:
        with pytest.raises(FetchError, match=f"certificate verify failed: {reason}"):
            get_json(client, f"{node.url}/ldes", LIMITS)
        assert paths == []
