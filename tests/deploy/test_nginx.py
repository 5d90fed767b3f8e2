"""deploy/nginx/node.conf: TLS with HSTS, the publisher's feeds cached as its Cache-Control says,
the registry passed through, X-Forwarded-* for TRUSTED_PROXIES; and nginx's own check of it
where nginx is installed. (tests/deploy/test_servers.py runs it in front of a publisher.)"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from services.registry.config import CONFIG as REGISTRY_CONFIG
from shared.serve import PORTS
from tests.deploy.deployfiles import DEPLOY, Directive, read_nginx
from tests.deploy.tools import require

CONFIG_FILE = DEPLOY / "nginx" / "node.conf"
ROOT = read_nginx(CONFIG_FILE)
PUBLISHER_HOST = "node.example.no"
REGISTRY_HOST = "registry.node.example.no"


def _server(name: str) -> Directive:
    [server] = [s for s in ROOT.all("server") if name in s.one("server_name").args and _is_tls(s)]
    return server


def _is_tls(server: Directive) -> bool:
    return any("ssl" in listen.args for listen in server.all("listen"))


def _locations(server: Directive) -> dict[str, Directive]:
    return {" ".join(location.args): location for location in server.all("location")}


def _headers_sent(server: Directive) -> dict[str, str]:
    return {d.args[0]: d.args[1] for d in server.all("proxy_set_header")}


def test_upstreams_are_the_services_ports() -> None:
    upstreams = {u.args[0]: u.one("server").args[0] for u in ROOT.all("upstream")}
    assert upstreams == {
        "nettungen_publisher": f"127.0.0.1:{PORTS['publisher']}",
        "nettungen_registry": f"127.0.0.1:{PORTS['registry']}",
    }


@pytest.mark.parametrize("host", [PUBLISHER_HOST, REGISTRY_HOST])
def test_tls_servers(host: str) -> None:
    server = _server(host)
    assert {"443", "ssl"} <= set(server.all("listen")[0].args)
    assert server.one("ssl_protocols").args == ["TLSv1.2", "TLSv1.3"]
    headers = {d.args[0]: d.args[1:] for d in server.all("add_header")}
    hsts = headers["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts[0])
    assert int(hsts[0].split("=")[1].split(";")[0]) >= 31536000 and hsts[1] == "always"
    # The service's own HSTS (it sees https through X-Forwarded-Proto) is hidden: sent once.
    assert server.one("proxy_hide_header").args == ["Strict-Transport-Security"]
    assert _headers_sent(server) == {
        "Host": "$host",
        "X-Forwarded-For": "$proxy_add_x_forwarded_for",
        "X-Forwarded-Proto": "$scheme",
        "X-Forwarded-Host": "$host",
        "X-Request-ID": "$request_id",
    }
    # A location with add_header or proxy_set_header of its own would silently drop the
    # server's (nginx inherits neither into a location that sets any).
    for location in server.all("location"):
        assert not location.all("add_header") and not location.all("proxy_set_header")


def test_plain_http_only_redirects() -> None:
    [plain] = [s for s in ROOT.all("server") if not _is_tls(s)]
    assert set(plain.one("server_name").args) == {PUBLISHER_HOST, REGISTRY_HOST}
    assert _locations(plain)["/"].one("return").args == ["301", "https://$host$request_uri"]


def test_feeds_are_cached_as_the_publisher_says() -> None:
    server = _server(PUBLISHER_HOST)
    [cache_path] = ROOT.all("proxy_cache_path")
    zone = (
        next(a for a in cache_path.args if a.startswith("keys_zone=")).split("=")[1].split(":")[0]
    )
    assert server.one("proxy_cache").args == [zone]
    # One page, several representations by Accept: the key must tell them apart.
    assert "$http_accept" in server.one("proxy_cache_key").args[0]
    # Nothing may override the publisher's Cache-Control (immutable pages, short root).
    assert not server.all("proxy_ignore_headers")
    locations = _locations(server)
    for path in ("/ldes/pages/", "= /ldes", r"~ ^/offers/[^/]+/versions/[0-9]+$"):
        location = locations[path]
        assert location.one("proxy_pass").args == ["http://nettungen_publisher"]
        assert not location.all("proxy_cache")  # the server's cache, not off
        # Without a Cache-Control of its own a response is kept seconds, never longer.
        status, validity = location.one("proxy_cache_valid").args
        assert status == "200" and validity.endswith("s") and int(validity[:-1]) <= 10
    assert locations["= /healthz"].one("proxy_cache").args == ["off"]


@pytest.mark.parametrize("host", [PUBLISHER_HOST, REGISTRY_HOST])
def test_metrics_are_not_public(host: str) -> None:
    metrics = _locations(_server(host))["= /metrics"]
    assert metrics.all("deny")[-1].args == ["all"]


def test_registry_is_passed_through() -> None:
    server = _server(REGISTRY_HOST)
    assert server.one("proxy_cache").args == ["off"]
    assert _locations(server)["/"].one("proxy_pass").args == ["http://nettungen_registry"]
    [max_content] = [k for k in REGISTRY_CONFIG if k.name == "MAX_CONTENT_LENGTH"]
    limit = server.one("client_max_body_size").args[0]
    assert limit.endswith("m") and int(limit[:-1]) * 1024 * 1024 > max_content.default


def installable_config(
    directory: Path, http_port: int, https_port: int, upstreams: dict[str, int] | None = None
) -> Path:
    """node.conf as it would be installed, with its files under ``directory``: a self-signed
    certificate, the cache and the logs there, loopback ports instead of 80 and 443, and the
    upstreams' ports if given. Returns the main configuration file that includes it."""
    from tests.deploy.tls import self_signed_certificate

    certificate, key = self_signed_certificate(directory, [PUBLISHER_HOST, REGISTRY_HOST])
    text = CONFIG_FILE.read_text(encoding="utf-8")
    text = re.sub(r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(certificate), text)
    text = re.sub(r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(key), text)
    text = text.replace("/var/cache/nginx/nettungen", str(directory / "cache"))
    text = text.replace("/var/log/nginx/", f"{directory}/")
    text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    for service, port in (upstreams or {}).items():
        text = text.replace(f"server 127.0.0.1:{PORTS[service]};", f"server 127.0.0.1:{port};")
    (directory / "node.conf").write_text(text, encoding="utf-8")
    # As root, nginx's workers would switch to nobody, who cannot read a test's folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = directory / "nginx.conf"
    main.write_text(
        f"{user}pid {directory}/nginx.pid;\nerror_log {directory}/error.log;\n"
        f"events {{}}\nhttp {{\n  include {directory / 'node.conf'};\n}}\n",
        encoding="utf-8",
    )
    return main


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    nginx = require("nginx")
    main = installable_config(tmp_path, 18080, 18443)
    result = subprocess.run(  # noqa: S603 - nginx's own check of our file
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
