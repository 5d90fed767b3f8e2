"""Pages for the workspace's lists: members, focus areas/plans/projects, minutes, the progress
plan and the yearly cycle. One description per list; one set of list, add, edit and delete
pages for all of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from babel.dates import get_month_names
from flask import Blueprint, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import Schema
from sqlalchemy import select
from werkzeug.wrappers import Response

from services.registry.coordination import schemas, services
from services.registry.coordination.method import STEPS
from services.registry.coordination.models import (
    CoordinationGroup,
    CycleEvent,
    GroupMember,
    Initiative,
    Meeting,
    Milestone,
)
from services.registry.offers.models import Offer
from services.registry.ui.forms import Field, FormState
from services.registry.ui.pages import (
    attempt,
    done,
    organisation,
    read_posted,
    render_page,
    roles_here,
    signed_in,
)
from shared.errors import NotFound
from shared.i18n import current_language
from shared.web import db_session


@dataclass(frozen=True)
class Collection:
    key: str
    model: type
    schema: type[Schema]
    fields: tuple[Field, ...]
    title: Any
    add_title: Any
    intro: Any
    order: Callable[[], tuple[Any, ...]]
    heading: str = "title"


COLLECTIONS = {
    c.key: c
    for c in (
        Collection(
            "members",
            GroupMember,
            schemas.MemberSchema,
            (
                Field("name", _l("Name"), required=True),
                Field(
                    "group_role",
                    _l("Role in the group"),
                    kind="radio",
                    required=True,
                    vocabulary=schemas.GROUP_ROLES,
                ),
                Field("agency", _l("Agency represented"), kind="select", dynamic=True),
                Field(
                    "represents",
                    _l("Or outside body represented"),
                    hint=_l("For example the police, the church or a voluntary club."),
                ),
                Field("email", _l("E-mail"), kind="email"),
                Field("phone", _l("Phone"), kind="tel"),
            ),
            _l("Members of the coordination group"),
            _l("Add a member"),
            _l(
                "Three to ten people from the agencies that work with children and youth; one "
                "of them is the group's publisher."
            ),
            lambda: (GroupMember.name,),
            heading="name",
        ),
        Collection(
            "plans",
            Initiative,
            schemas.InitiativeSchema,
            (
                Field(
                    "kind",
                    _l("Kind"),
                    kind="radio",
                    required=True,
                    vocabulary=schemas.INITIATIVE_KINDS,
                ),
                Field("title", _l("Title"), required=True),
                Field("description", _l("Description"), kind="textarea"),
                Field("owner", _l("Owner"), hint=_l("The role or person answerable for it.")),
                Field(
                    "status",
                    _l("Status"),
                    kind="radio",
                    required=True,
                    vocabulary=schemas.INITIATIVE_STATUSES,
                ),
                Field("starts_on", _l("Starts"), kind="date"),
                Field("ends_on", _l("Ends"), kind="date"),
                Field(
                    "url",
                    _l("Link to the document"),
                    kind="url",
                    hint=_l("A full address starting with https://."),
                ),
                Field("offers", _l("Offers that belong to it"), kind="checkboxes", dynamic=True),
            ),
            _l("Focus areas, plans and projects"),
            _l("Add a focus area, plan or project"),
            _l(
                "The group keeps an overview of focus areas, plans and projects for children and "
                "youth, with a named owner and links to the documents and the offers."
            ),
            lambda: (Initiative.kind, Initiative.title),
        ),
        Collection(
            "minutes",
            Meeting,
            schemas.MeetingSchema,
            (
                Field("held_on", _l("Date of the meeting"), kind="date", required=True),
                Field("title", _l("Title"), required=True),
                Field("attendees", _l("Present"), kind="textarea"),
                Field("minutes", _l("Minutes"), kind="textarea", required=True),
                Field("decisions", _l("Decisions"), kind="textarea"),
            ),
            _l("Meeting minutes"),
            _l("Add minutes"),
            _l("Minutes document the work and are how the leadership is kept informed."),
            lambda: (Meeting.held_on.desc(),),
        ),
        Collection(
            "progress",
            Milestone,
            schemas.MilestoneSchema,
            (
                Field("title", _l("Milestone"), required=True),
                Field("step", _l("Step of the method"), kind="select", dynamic=True),
                Field("due_on", _l("Due"), kind="date", required=True),
                Field("owner", _l("Owner")),
                Field("done_on", _l("Done on"), kind="date"),
                Field("notes", _l("Notes"), kind="textarea"),
            ),
            _l("Progress plan"),
            _l("Add a milestone"),
            _l("A realistic progress plan: one task at a time, each with a date and an owner."),
            lambda: (Milestone.due_on,),
        ),
        Collection(
            "cycle",
            CycleEvent,
            schemas.CycleEventSchema,
            (
                Field("month", _l("Month"), kind="select", required=True, dynamic=True),
                Field("title", _l("What"), required=True),
                Field(
                    "kind", _l("Kind"), kind="radio", required=True, vocabulary=schemas.CYCLE_KINDS
                ),
                Field("owner", _l("Responsible")),
                Field("description", _l("Description"), kind="textarea"),
            ),
            _l("Yearly cycle (årshjul)"),
            _l("Add to the yearly cycle"),
            _l(
                "What comes back every year: meetings, reports to the leadership, plans and "
                "budgets, and the yearly review of the offers."
            ),
            lambda: (CycleEvent.month, CycleEvent.title),
        ),
    )
}


def month_names() -> dict[int, str]:
    names = get_month_names("wide", locale=current_language())
    return {number: str(names[number]).capitalize() for number in range(1, 13)}


def _choices() -> dict[str, list[tuple[str, str]]]:
    org, lang = organisation(), current_language()
    return {
        "agency": [(a.public_id, a.name) for a in org.agencies],
        "offers": _linkable_offers(),
        "step": [(str(s.number), f"{s.number}. {s.title.label(lang)}") for s in STEPS],
        "month": [(str(n), name) for n, name in month_names().items()],
    }


def _linkable_offers() -> list[tuple[str, str]]:
    query = (
        select(Offer.id, Offer.name)
        .where(Offer.organisation_id == organisation().id, Offer.status != "withdrawn")
        .order_by(Offer.name)
    )
    return [(offer_id, name) for offer_id, name in db_session().execute(query)]


def shown(item: Any, spec: Field) -> str:
    """An item's value as a person reads it, in the page's language."""
    if spec.name == "agency":
        return item.agency.name if item.agency else ""
    value = getattr(item, spec.name)
    if value is None:
        return ""
    if spec.name == "month":
        return month_names()[value]
    if spec.name == "step":
        return f"{value}. {STEPS[value - 1].title.label(current_language())}"
    if spec.vocabulary is not None and value in spec.vocabulary:
        return spec.vocabulary.get(value).label(current_language())
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _values(item: Any, collection: Collection) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in collection.fields:
        if spec.name == "agency":
            values["agency"] = item.agency.public_id if item.agency else None
        elif spec.name == "offers":
            values["offers"] = [o.id for o in item.offers]
        else:
            value = getattr(item, spec.name)
            values[spec.name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


Workspace = Callable[[], CoordinationGroup]


def register_item_pages(bp: Blueprint, workspace: Workspace) -> None:
    """The list, add, edit and delete pages of every collection, on ``bp``."""
    bp.add_url_rule("/workspace/<key>", "items", partial(_items, workspace), methods=["GET"])
    bp.add_url_rule("/workspace/<key>", "add", partial(_add, workspace), methods=["POST"])
    bp.add_url_rule(
        "/workspace/<key>/<int:item_id>", "edit", partial(_edit, workspace), methods=["GET", "POST"]
    )
    bp.add_url_rule(
        "/workspace/<key>/<int:item_id>/delete",
        "delete",
        partial(_delete, workspace),
        methods=["POST"],
    )


def _collection_of(key: str) -> Collection:
    if key not in COLLECTIONS:
        raise NotFound("page.not_found")
    return COLLECTIONS[key]


def _list_page(
    workspace: Workspace, collection: Collection, form: FormState, status: int = 200
) -> tuple[str, int]:
    group = workspace()
    form.choices = _choices()
    items: list[Any] = services.list_items(
        db_session(), signed_in(), group, collection.model, *collection.order()
    )
    return render_page(
        "workspace_items.html",
        status,
        group=group,
        collection=collection,
        items=items,
        form=form,
        months=month_names(),
        today=dt.date.today(),
        shown=shown,
        can_edit=bool(roles_here() & services.WORKERS),
    )


def _items(workspace: Workspace, key: str) -> tuple[str, int]:
    return _list_page(workspace, _collection_of(key), FormState())


def _add(workspace: Workspace, key: str) -> Response | tuple[str, int]:
    collection, group = _collection_of(key), workspace()
    form = FormState()
    data = read_posted(form, collection.fields, collection.schema())
    if data is not None:
        _item, form.errors = attempt(
            lambda: services.add_item(db_session(), signed_in(), group, collection.model, data)
        )
    if form.errors:
        return _list_page(workspace, collection, form, 422)
    return done(gettext("Added."), "workspace_pages.items", key=key)


def _edit(workspace: Workspace, key: str, item_id: int) -> Response | tuple[str, int]:
    collection, group = _collection_of(key), workspace()
    session, actor = db_session(), signed_in()
    item: Any = services.get_item(session, actor, group, collection.model, item_id)
    form = FormState(values=_values(item, collection), choices=_choices())
    if request.method == "POST":
        data = read_posted(form, collection.fields, collection.schema())
        if data is not None:
            _item, form.errors = attempt(
                lambda: services.update_item(session, actor, group, item, data)
            )
        if not form.errors:
            return done(gettext("Saved."), "workspace_pages.items", key=key)
    return render_page(
        "workspace_item_form.html",
        422 if form.errors else 200,
        group=group,
        collection=collection,
        item=item,
        form=form,
    )


def _delete(workspace: Workspace, key: str, item_id: int) -> Response:
    collection, group = _collection_of(key), workspace()
    session, actor = db_session(), signed_in()
    item: Any = services.get_item(session, actor, group, collection.model, item_id)
    services.delete_item(session, actor, group, item)
    return done(gettext("Removed."), "workspace_pages.items", key=key)
