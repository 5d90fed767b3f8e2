"""The operator commands every ingesting service has: ``ingest`` and ``nodes ...``, and those
of a national service around them: ``config``, ``db upgrade``, ``db check`` and ``serve``.

A service adds them to its own command group with :func:`add_ingest_commands` (or all of them
with :func:`add_national_service_commands`), giving the sink that applies events to its
database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask

from shared.cli import PassContext, ServiceContext, add_db_commands, log_to_stdout, stop_on_signals
from shared.config import ConfigKey, describe
from shared.ingest import directory
from shared.ingest.apply import Sink
from shared.ingest.key_cli import keys_group, keys_of, refresh_keys_command
from shared.ingest.models import KEY_TRUSTED, TRANSPORTS, FederationNode
from shared.ingest.report_cli import (
    bus_only_command,
    name_organisations,
    rejected_command,
    split_orgs,
)
from shared.migrations import Migrations
from shared.serve import serve_options

if TYPE_CHECKING:
    from shared.ingest.consumer import BusIngest
    from shared.ingest.harvester import Harvester

log = logging.getLogger(__name__)


def add_ingest_commands(
    group: click.Group, pass_context: PassContext, sink: Callable[[], Sink]
) -> None:
    """Add ``ingest`` and the ``nodes`` group to ``group``."""
    group.add_command(_ingest_command(pass_context, sink))
    group.add_command(_nodes_group(pass_context))


def national_service_group(
    name: str,
    description: str,
    *,
    config: Sequence[ConfigKey],
    migrations: Migrations,
    create_app: Callable[[], Flask],
    sink: Callable[[], Sink],
) -> click.Group:
    """The command group ``nettungen <name>`` of a national service, with every command of
    :func:`add_national_service_commands`."""

    class Context(ServiceContext):
        def __init__(self) -> None:
            super().__init__(config, sqlite_begin="IMMEDIATE")

    @click.group(name, help=description)
    @click.pass_context
    def group(click_context: click.Context) -> None:
        context = click_context.ensure_object(Context)
        click_context.call_on_close(context.close)

    add_national_service_commands(
        group,
        click.make_pass_decorator(Context),
        name=name,
        config=config,
        migrations=migrations,
        create_app=create_app,
        sink=sink,
    )
    return group


def add_national_service_commands(
    group: click.Group,
    pass_context: PassContext,
    *,
    name: str,
    config: Sequence[ConfigKey],
    migrations: Migrations,
    create_app: Callable[[], Flask],
    sink: Callable[[], Sink],
) -> None:
    """Add ``config``, ``db upgrade``, ``db check``, ``serve``, ``ingest`` and ``nodes`` to the
    command group of the national service ``name`` (its app made by ``create_app``)."""

    @group.command("config")
    def show_config() -> None:
        """List every configuration key with its default and meaning."""
        click.echo(describe(config))

    def upgrade(ctx: ServiceContext) -> str:
        migrations.upgrade(ctx.settings["DATABASE_URL"])
        return f"The {name} database is at the newest revision."

    add_db_commands(
        group,
        pass_context,
        description=f"Create and upgrade the {name} database.",
        upgrade=upgrade,
        upgrade_help="Migrate the database to the newest revision.",
        check=migrations.check,
    )
    group.add_command(_serve_command(pass_context, name, create_app))
    add_ingest_commands(group, pass_context, sink)


def _serve_command(
    pass_context: PassContext, name: str, create_app: Callable[[], Flask]
) -> click.Command:
    @click.command("serve")
    @serve_options(name)
    @pass_context
    def serve(ctx: ServiceContext, host: str, port: int, workers: int) -> None:
        """Serve the service's pages and API with gunicorn."""
        from shared.serve import run_gunicorn

        ctx.settings  # noqa: B018 - fail on bad configuration before gunicorn starts
        run_gunicorn(create_app, f"{host}:{port}", workers)

    return serve


def _ingest_command(pass_context: PassContext, make_sink: Callable[[], Sink]) -> click.Command:
    @click.command("ingest")
    @click.option("--bus/--no-bus", default=True, show_default=True, help="Consume the bus.")
    @click.option("--feeds/--no-feeds", default=True, show_default=True, help="Harvest feeds.")
    @click.option("--once", is_flag=True, help="Drain the queue, harvest one round, stop.")
    @pass_context
    def ingest(ctx: ServiceContext, bus: bool, feeds: bool, once: bool) -> None:
        """Keep this service's copy up to date from the bus and the nodes' feeds."""
        from shared.ingest.config import build_client, build_consumer, build_harvester

        # The group this command belongs to names the service: search, reporting.
        parent = click.get_current_context().parent
        log_to_stdout(parent.info_name if parent and parent.info_name else "ingest")
        settings, sessions, sink = ctx.settings, ctx.sessions, make_sink()
        client = build_client(settings)
        consumer = build_consumer(settings, sessions, sink, client) if bus else None
        harvester = build_harvester(settings, sessions, sink, client) if feeds else None
        if once:
            _ingest_once(consumer, harvester)
        else:
            _ingest_until_stopped(consumer, harvester, settings["HARVEST_INTERVAL_SECONDS"])

    return ingest


def _ingest_once(consumer: BusIngest | None, harvester: Harvester | None) -> None:
    """Drain the queue, then harvest one round."""
    if harvester is not None:
        harvester.pool.start()  # forked before the bus connection and the harvest's threads
    try:
        if consumer is not None:
            consumer.bus.connect()
            consumer.drain(timeout=1.0)
            consumer.bus.close()
            log.info("bus: %s", consumer.stats)
        for report in harvester.harvest_all() if harvester else []:
            log.info("feed: %s", report)
    finally:
        if harvester is not None:
            harvester.close()


def _ingest_until_stopped(
    consumer: BusIngest | None, harvester: Harvester | None, interval: float
) -> None:
    """Consume and harvest, each in a thread of its own, until SIGTERM or SIGINT."""
    stop = stop_on_signals()
    workers = []
    if consumer is not None:
        workers.append(threading.Thread(target=consumer.run, args=(stop,), name="consumer"))
    if harvester is not None:
        workers.append(
            threading.Thread(target=harvester.run, args=(stop, interval), name="harvester")
        )
    if harvester is not None:
        harvester.pool.start()  # forked before the threads start
    for worker in workers:
        worker.start()
    log.info("ingesting until stopped (SIGTERM or Ctrl-C)")
    while any(worker.is_alive() for worker in workers):
        stop.wait(0.5)
    for worker in workers:
        worker.join()
    if harvester is not None:
        harvester.close()


def _nodes_group(pass_context: PassContext) -> click.Group:
    @click.group("nodes")
    def nodes() -> None:
        """The directory of trusted nodes; changes take effect within seconds, no restart."""

    for command in (
        _nodes_add,
        _nodes_list,
        _nodes_grant,
        _nodes_revoke,
        _nodes_set,
        refresh_keys_command,
        keys_group,
        _nodes_reharvest,
        _nodes_remove,
        rejected_command,
        bus_only_command,
    ):
        nodes.add_command(command(pass_context))
    return nodes


def _nodes_add(pass_context: PassContext) -> click.Command:
    @click.command("add")
    @click.argument("node_id")
    @click.option("--name", required=True, help="What people call the node.")
    @click.option("--base-url", required=True, help="The node's public base URL.")
    @click.option(
        "--org",
        "organisations",
        multiple=True,
        help="ORGNR or ORGNR:NAME:KIND (its canonical name and kind); repeatable.",
    )
    @click.option("--transport", type=click.Choice(TRANSPORTS), default="both", show_default=True)
    @click.option(
        "--jwks",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="The node's JWKS file; by default it is fetched from the node.",
    )
    @click.option(
        "--allow-http-loopback",
        is_flag=True,
        help="Accept an http:// base URL on this machine (the demo, tests); else https://.",
    )
    @pass_context
    def nodes_add(
        ctx: ServiceContext,
        node_id: str,
        name: str,
        base_url: str,
        organisations: tuple[str, ...],
        transport: str,
        jwks: Path | None,
        allow_http_loopback: bool,
    ) -> None:
        """Trust a node: its keys, and the organisations it may publish for. The keys its
        JWKS (or ``--jwks``) lists now are pinned: adding the node is their approval."""
        keys = keys_of(ctx, base_url, jwks)
        numbers, named = split_orgs(organisations)
        with ctx.transaction() as session:
            node = directory.add_node(
                session,
                node_id=node_id,
                name=name,
                url=base_url,
                keys=keys,
                organisations=numbers,
                transport=transport,
                allow_http_loopback=allow_http_loopback,
            )
            name_organisations(session, node_id, named)
            click.echo(
                f"Added node {node.id} at {node.base_url} with {len(keys)} key(s), "
                f"speaking for {len(node.organisations)} organisation(s)."
            )

    return nodes_add


def _nodes_list(pass_context: PassContext) -> click.Command:
    @click.command("list")
    @pass_context
    def nodes_list(ctx: ServiceContext) -> None:
        with ctx.transaction() as session:
            for node in directory.list_nodes(session):
                state = "enabled" if node.enabled else "DISABLED"
                orgs = ", ".join(o.organisation_number for o in node.organisations) or "none"
                click.echo(
                    f"{node.id}  {node.base_url}  {node.transport}  {state}  "
                    f"keys: {_key_summary(node)}  organisations: {orgs}"
                )

    return nodes_list


def _key_summary(node: FederationNode) -> str:
    trusted = sum(k.state == KEY_TRUSTED for k in node.keys)
    summary = f"{trusted} trusted"
    pending = len(node.keys) - trusted
    missing = sum(k.missing_since is not None for k in node.keys)
    if pending:
        summary += f", {pending} PENDING approval"
    if missing:
        summary += f", {missing} MISSING from the JWKS"
    return summary


def _nodes_grant(pass_context: PassContext) -> click.Command:
    @click.command("grant")
    @click.argument("node_id")
    @click.argument("organisations", nargs=-1, required=True)
    @pass_context
    def nodes_grant(ctx: ServiceContext, node_id: str, organisations: tuple[str, ...]) -> None:
        """Let a node publish for more organisations."""
        with ctx.transaction() as session:
            directory.grant(session, node_id, organisations)
        click.echo(f"Node {node_id} may now publish for {', '.join(organisations)}.")

    return nodes_grant


def _nodes_revoke(pass_context: PassContext) -> click.Command:
    @click.command("revoke")
    @click.argument("node_id")
    @click.argument("organisations", nargs=-1, required=True)
    @pass_context
    def nodes_revoke(ctx: ServiceContext, node_id: str, organisations: tuple[str, ...]) -> None:
        """Stop trusting a node for some organisations."""
        with ctx.transaction() as session:
            directory.revoke(session, node_id, organisations)
        click.echo(f"Node {node_id} may no longer publish for {', '.join(organisations)}.")

    return nodes_revoke


def _nodes_set(pass_context: PassContext) -> click.Command:
    @click.command("set")
    @click.argument("node_id")
    @click.option("--name")
    @click.option("--transport", type=click.Choice(TRANSPORTS))
    @click.option("--enabled/--disabled", default=None)
    @click.option("--org", "organisations", multiple=True, help="ORGNR:NAME:KIND; repeatable.")
    @pass_context
    def nodes_set(
        ctx: ServiceContext,
        node_id: str,
        name: str | None,
        transport: str | None,
        enabled: bool | None,
        organisations: tuple[str, ...],
    ) -> None:
        """Rename a node, change how it is reached, disable and enable it, or set the
        canonical name and kind of organisations it speaks for."""
        _, named = split_orgs(organisations)
        with ctx.transaction() as session:
            directory.update_node(session, node_id, name=name, transport=transport, enabled=enabled)
            name_organisations(session, node_id, named)
        click.echo(f"Node {node_id} updated.")

    return nodes_set


def _nodes_reharvest(pass_context: PassContext) -> click.Command:
    @click.command("reharvest")
    @click.argument("node_id")
    @pass_context
    def nodes_reharvest(ctx: ServiceContext, node_id: str) -> None:
        """Read a node's feed again from the start (what is here already is left alone)."""
        with ctx.transaction() as session:
            directory.reharvest(session, node_id)
        click.echo(f"Node {node_id} will be read from its first event in the next round.")

    return nodes_reharvest


def _nodes_remove(pass_context: PassContext) -> click.Command:
    @click.command("remove")
    @click.argument("node_id")
    @pass_context
    def nodes_remove(ctx: ServiceContext, node_id: str) -> None:
        """Forget a node from which nothing has been applied."""
        with ctx.transaction() as session:
            directory.remove_node(session, node_id)
        click.echo(f"Removed node {node_id}.")

    return nodes_remove
