"""``nettungen <service> nodes keys ...`` and ``nodes refresh-keys``: the national operator's
view of the nodes' keys, and their approval (see :mod:`shared.ingest.node_keys`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from shared.cli import PassContext, ServiceContext
from shared.ingest import directory, node_keys
from shared.ingest.http import FetchError, Limits, fetch_keys
from shared.ingest.models import KEY_STATES
from shared.signing import VerificationKey


def keys_of(ctx: ServiceContext, base_url: str, jwks: Path | None) -> list[VerificationKey]:
    """The keys of the node's JWKS, from the file ``jwks`` or else fetched from the node."""
    from shared.ingest.config import build_client

    try:
        if jwks is None:
            with build_client(ctx.settings) as client:
                return fetch_keys(client, base_url.rstrip("/"), Limits(timeout=10.0))
        document = json.loads(jwks.read_text(encoding="utf-8"))
        return [VerificationKey.from_jwk(k) for k in document["keys"]]
    except (FetchError, ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"Could not read the node's keys: {exc}") from None


def refresh_keys_command(pass_context: PassContext) -> click.Command:
    @click.command("refresh-keys")
    @click.argument("node_id")
    @click.option("--jwks", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @pass_context
    def nodes_refresh_keys(ctx: ServiceContext, node_id: str, jwks: Path | None) -> None:
        """Read the node's JWKS again: a new key it lists becomes pending (approve it with
        ``nodes keys approve``), a key it gives a last sequence number is retired, a key it no
        longer lists is reported missing."""
        with ctx.transaction() as session:
            node = directory.get_node(session, node_id)
            keys = keys_of(ctx, node.base_url, jwks)
            changes = node_keys.observe_keys(session, node_id, keys)
        for change in changes:
            click.echo(str(change))
        click.echo(f"Node {node_id}: {len(changes)} key change(s).")

    return nodes_refresh_keys


def keys_group(pass_context: PassContext) -> click.Group:
    @click.group("keys")
    def keys() -> None:
        """The nodes' keys: which are trusted, which wait for approval, which went missing."""

    @keys.command("list")
    @click.argument("node_id", required=False)
    @click.option("--state", type=click.Choice(KEY_STATES), help="Only keys in this state.")
    @pass_context
    def keys_list(ctx: ServiceContext, node_id: str | None, state: str | None) -> None:
        """Every key of every node (or of NODE_ID); ``--state pending`` lists those to review."""
        with ctx.transaction() as session:
            for row in node_keys.list_keys(session, node_id, state):
                click.echo(node_keys.describe(row))

    @keys.command("approve")
    @click.argument("node_id")
    @click.argument("key_id")
    @pass_context
    def keys_approve(ctx: ServiceContext, node_id: str, key_id: str) -> None:
        """Trust a pending key once the node's operator has confirmed its id to you."""
        with ctx.transaction() as session:
            change = node_keys.approve_key(session, node_id, key_id)
        click.echo(f"{change}: it verifies the node's events from now on.")

    return keys
