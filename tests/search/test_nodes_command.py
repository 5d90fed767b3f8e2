"""``nettungen search nodes add`` takes https:// base URLs, and http:// only on this machine
with ``--allow-http-loopback``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from services.cli import main
from services.search import db as search_db
from shared.signing import VerificationKey, generate_private_key, key_id, public_bytes


def test_nodes_add_takes_https_and_http_only_on_loopback_with_the_flag(
    database_factory: Callable[[], str], tmp_path: Path
) -> None:
    url = database_factory()
    search_db.upgrade(url)
    public = public_bytes(generate_private_key())
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [VerificationKey(key_id(public), public).jwk()]}))
    env = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "BROKER_URL": "embedded:///x"}

    def add(node_id: str, base_url: str, *flags: str) -> tuple[int, str]:
        arguments = ["search", "nodes", "add", node_id, "--name", node_id, "--jwks", str(jwks)]
        result = CliRunner().invoke(main, [*arguments, "--base-url", base_url, *flags], env=env)
        return result.exit_code, result.output

    code, output = add("plain", "http://node.example.no")
    assert code != 0 and "https://" in output
    code, output = add("local", "http://127.0.0.1:8011")
    assert code != 0 and "https://" in output
    assert add("remote", "http://node.example.no", "--allow-http-loopback")[0] != 0
    assert add("local", "http://127.0.0.1:8011", "--allow-http-loopback")[0] == 0
    assert add("secure", "https://node.example.no")[0] == 0
