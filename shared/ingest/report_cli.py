"""``nodes rejected`` and ``nodes bus-only`` (what the operator reviews), and the parsing of
``--org ORGNR:NAME:KIND`` for ``nodes add`` and ``nodes set``."""

from __future__ import annotations

from collections.abc import Iterable

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cli import PassContext, ServiceContext
from shared.ingest import directory
from shared.ingest.bus_only import absent_from_feed
from shared.ingest.models import RejectedEvent

Named = list[tuple[str, str, str]]


def split_orgs(values: Iterable[str]) -> tuple[list[str], Named]:
    """The organisation numbers of ``--org`` values, and (number, name, kind) of those that
    give a canonical name and kind (``ORGNR:NAME:KIND``; the name may hold colons)."""
    numbers, named = [], []
    for value in values:
        number, sep, rest = value.partition(":")
        numbers.append(number)
        if sep:
            name, sep, kind = rest.rpartition(":")
            if not sep:
                raise click.BadParameter(
                    f"{value!r}: give ORGNR or ORGNR:NAME:KIND", param_hint="--org"
                )
            named.append((number, name, kind))
    return numbers, named


def name_organisations(session: Session, node_id: str, named: Named) -> None:
    for number, name, kind in named:
        directory.name_organisation(session, node_id, number, name, kind)


def rejected_command(pass_context: PassContext) -> click.Command:
    @click.command("rejected")
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
    @pass_context
    def nodes_rejected(ctx: ServiceContext, limit: int) -> None:
        """The most recently refused events, and why."""
        with ctx.transaction() as session:
            rows = session.scalars(
                select(RejectedEvent).order_by(RejectedEvent.id.desc()).limit(limit)
            ).all()
            for row in rows:
                click.echo(
                    f"{row.received_at:%Y-%m-%d %H:%M:%S}Z  {row.via:<4}  {row.node_id or '-'}  "
                    f"{row.event_id or '-'}  {row.reason}"
                )

    return nodes_rejected


def bus_only_command(pass_context: PassContext) -> click.Command:
    @click.command("bus-only")
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
    @pass_context
    def nodes_bus_only(ctx: ServiceContext, limit: int) -> None:
        """Versions applied from the bus that the node's feed does not hold (read past them)."""
        with ctx.transaction() as session:
            for row in absent_from_feed(session, limit):
                click.echo(
                    f"{row.received_at:%Y-%m-%d %H:%M:%S}Z  {row.node_id}  sequence "
                    f"{row.sequence}  {row.offer_uri} version {row.version}  event {row.event_id}"
                )

    return nodes_bus_only
