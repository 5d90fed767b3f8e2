"""Pages of the coordination group's workspace: the overview, the mandate checklist, the six
steps and the assessment (step 5); the lists are in
:mod:`services.registry.coordination.pages.items`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from services.registry.coordination import services
from services.registry.coordination.assessment import Assessment, assess
from services.registry.coordination.method import ASSESSMENT, MANDATE, STEPS, mandate_texts
from services.registry.coordination.models import (
    CoordinationGroup,
    CycleEvent,
    MandateItem,
    MethodStep,
    Milestone,
)
from services.registry.coordination.pages.items import month_names, register_item_pages
from services.registry.coordination.resources import resources_of
from services.registry.coordination.schemas import (
    STEP_STATUSES,
    GroupSchema,
    MandateItemSchema,
    StepSchema,
)
from services.registry.coordination.whole_picture import whole_picture
from services.registry.national import pages as national_pages
from services.registry.national.services import AreaPicture
from services.registry.ui.forms import Field, FormState
from services.registry.ui.pages import (
    done,
    organisation,
    page_blueprint,
    read_posted,
    render_page,
    require_any_role,
    roles_here,
    signed_in,
    validate,
)
from shared.errors import NotFound
from shared.web import db_session

bp = page_blueprint("workspace_pages", __name__)

GROUP_FIELDS = (
    Field("name", _l("Name of the group"), required=True),
    Field(
        "mandate",
        _l("Our mandate in our own words"),
        kind="textarea",
        hint=_l("Concrete: what the group is responsible for and may decide."),
    ),
    Field("established_on", _l("Established"), kind="date"),
)
STEP_FIELDS = (
    Field("status", _l("Status"), kind="radio", required=True, vocabulary=STEP_STATUSES),
    Field("started_on", _l("Started"), kind="date"),
    Field("completed_on", _l("Completed"), kind="date"),
    Field("next_review_on", _l("Next review"), kind="date"),
    Field("notes", _l("Notes"), kind="textarea"),
)


def workspace() -> CoordinationGroup:
    """This organisation's workspace; before it is started, its overview offers to start it."""
    return services.get_workspace(db_session(), signed_in(), organisation())


register_item_pages(bp, workspace)


@bp.before_request
def _only_workers_post() -> None:
    # Refuse a reader's post before its form is read: a refusal is a 403 whatever was sent,
    # never a page of field messages about a change the reader may not make.
    if request.method == "POST":
        require_any_role(services.WORKERS)


def can_edit() -> bool:
    return bool(roles_here() & services.WORKERS)


@bp.get("/workspace/")
def overview() -> tuple[str, int]:
    session, actor, org = db_session(), signed_in(), organisation()
    group = services.find_workspace(session, actor, org)
    if group is None:
        return render_page("workspace_start.html", can_edit=can_edit(), mandate=MANDATE)
    today = dt.date.today()
    milestones = services.list_items(session, actor, group, Milestone, Milestone.due_on)
    cycle = services.list_items(session, actor, group, CycleEvent, CycleEvent.month)
    months = {today.month, today.month % 12 + 1}
    return render_page(
        "workspace_overview.html",
        group=group,
        steps=services.steps(session, actor, group),
        method_steps={s.number: s for s in STEPS},
        members=services.members(session, actor, group),
        open_milestones=[m for m in milestones if m.done_on is None][:5],
        cycle_now=[c for c in cycle if c.month in months],
        months=month_names(),
        today=today,
        can_edit=can_edit(),
        form=FormState(values=_group_values(group)),
        fields=GROUP_FIELDS,
    )


def _group_values(group: CoordinationGroup) -> dict[str, object]:
    established = group.established_on.isoformat() if group.established_on else None
    return {"name": group.name, "mandate": group.mandate, "established_on": established}


@bp.post("/workspace/start")
def start() -> Response:
    org = organisation()
    name = gettext("Coordination group for children and youth, %(name)s", name=org.name)
    services.start_workspace(db_session(), signed_in(), org, name[:200])
    return done(gettext("The workspace is ready."), "workspace_pages.overview")


@bp.route("/workspace/settings", methods=["GET", "POST"])
def settings() -> Response | tuple[str, int]:
    group = workspace()
    form = FormState(values=_group_values(group))
    if request.method == "POST":
        data = read_posted(form, GROUP_FIELDS, GroupSchema())
        if data is not None:
            services.update_workspace(db_session(), signed_in(), group, data)
            return done(gettext("Saved."), "workspace_pages.overview")
    return render_page(
        "workspace_settings.html",
        422 if form.errors else 200,
        group=group,
        form=form,
        fields=GROUP_FIELDS,
        mandate=MANDATE,
    )


# --- the mandate checklist ---------------------------------------------------------------------


def _mandate_page(form: FormState, status: int = 200) -> tuple[str, int]:
    group = workspace()
    items = services.list_items(db_session(), signed_in(), group, MandateItem, MandateItem.position)

    def kind(prefix: str | None) -> list[MandateItem]:
        if prefix is None:
            return [i for i in items if i.method_key is None]
        return [i for i in items if (i.method_key or "").startswith(prefix)]

    sections = [
        (gettext("The coordination group shall"), kind("duty.")),
        (gettext("Checklist for the mandate"), kind("checklist.")),
        (gettext("Our own points"), kind(None)),
    ]
    return render_page(
        "workspace_mandate.html",
        status,
        group=group,
        items=items,
        texts=mandate_texts(),
        sections=sections,
        mandate=MANDATE,
        form=form,
        can_edit=can_edit(),
        new_item=Field("text", _l("A point of your own"), kind="textarea", required=True),
    )


@bp.get("/workspace/mandate")
def mandate() -> tuple[str, int]:
    return _mandate_page(FormState())


@bp.post("/workspace/mandate")
def save_mandate() -> Response:
    group = workspace()
    items = services.list_items(db_session(), signed_in(), group, MandateItem)
    states = {
        item.id: (
            f"done-{item.id}" in request.form,
            (request.form.get(f"note-{item.id}") or "").strip()[:2000] or None,
        )
        for item in items
    }
    services.save_mandate(db_session(), signed_in(), group, states)
    return done(gettext("The checklist is saved."), "workspace_pages.mandate")


@bp.post("/workspace/mandate/add")
def add_mandate_item() -> Response | tuple[str, int]:
    group = workspace()
    form = FormState(values={"text": (request.form.get("text") or "").strip() or None})
    data, form.errors = validate(MandateItemSchema(), {k: v for k, v in form.values.items() if v})
    if form.errors:
        return _mandate_page(form, 422)
    services.add_mandate_item(db_session(), signed_in(), group, data["text"])
    return done(gettext("Added."), "workspace_pages.mandate")


@bp.post("/workspace/mandate/<int:item_id>/delete")
def delete_mandate_item(item_id: int) -> Response:
    group = workspace()
    session, actor = db_session(), signed_in()
    item = services.get_item(session, actor, group, MandateItem, item_id)
    services.delete_mandate_item(session, actor, group, item)
    return done(gettext("Removed."), "workspace_pages.mandate")


# --- the six steps -----------------------------------------------------------------------------


@bp.get("/workspace/steps")
def steps() -> tuple[str, int]:
    group = workspace()
    return render_page(
        "workspace_steps.html",
        group=group,
        rows=services.steps(db_session(), signed_in(), group),
        method_steps={s.number: s for s in STEPS},
        can_edit=can_edit(),
    )


def _step_values(row: MethodStep) -> dict[str, object]:
    values: dict[str, object] = {"status": row.status, "notes": row.notes}
    for name in ("started_on", "completed_on", "next_review_on"):
        value = getattr(row, name)
        values[name] = value.isoformat() if value else None
    return values


@bp.route("/workspace/steps/<int:number>", methods=["GET", "POST"])
def step(number: int) -> Response | tuple[str, int]:
    group = workspace()
    session, actor = db_session(), signed_in()
    row = next((r for r in services.steps(session, actor, group) if r.step == number), None)
    if row is None:
        raise NotFound("workspace.step_not_found")
    form = FormState(values=_step_values(row))
    if request.method == "POST":
        data = read_posted(form, STEP_FIELDS, StepSchema())
        if data is not None:
            services.update_step(session, actor, group, number, data)
            return done(gettext("Saved."), "workspace_pages.steps")
    return render_page(
        "workspace_step_form.html",
        422 if form.errors else 200,
        group=group,
        row=row,
        method_step={s.number: s for s in STEPS}[number],
        form=form,
        fields=STEP_FIELDS,
    )


# --- the assessment (step 5) -------------------------------------------------------------------


@bp.route("/workspace/assessment", methods=["GET", "POST"])
def assessment() -> Response | tuple[str, int]:
    group = workspace()
    session, actor = db_session(), signed_in()
    if request.method == "POST":
        given = {
            f"{g.key}.{q.key}": request.form.get(f"{g.key}.{q.key}", "")[:10000]
            for g in ASSESSMENT
            for q in g.questions
        }
        services.save_answers(session, actor, group, given)
        return done(gettext("Your assessment is saved."), "workspace_pages.assessment")
    result = assess(session, actor, organisation())
    return render_page(
        "workspace_assessment.html",
        group=group,
        result=result,
        resources=resources_of(result.offers),
        questions=ASSESSMENT,
        answers=services.answers(session, actor, group),
        can_edit=can_edit(),
        **_whole_area(result),
    )


def _whole_area(result: Assessment) -> dict[str, Any]:
    """The other providers' offers in the area and the whole picture with them (step 5 is
    answered against it), or why national search cannot give them."""
    area = national_pages.for_area(organisation())
    whole = whole_picture(result, area) if isinstance(area, AreaPicture) else None
    return {"area": area, "whole": whole}
