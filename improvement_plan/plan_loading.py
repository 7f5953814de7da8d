"""The improvement plan from a workbook (sheets Plan, Priorities, Workstreams, Actions,
Milestones, Metrics), written with the rest of a library file: a first plan is created; the
current plan's version adds and updates its parts; every change is audited and undone on a
rollback."""

from django.forms.models import model_to_dict

from improvement_plan.models import (
    KeyAction,
    Milestone,
    Owner,
    Plan,
    PlanMetric,
    Priority,
    Workstream,
    WorkstreamItem,
)
from metrics.loading import Refused
from metrics.models import Measure
from scrutiny.audit import AuditEntry

KINDS = {
    "rationale": WorkstreamItem.Kind.LOCAL,
    "objectives": WorkstreamItem.Kind.OBJECTIVE,
    "deliverables": WorkstreamItem.Kind.DELIVERABLE,
}


class PlanRefused(Refused):
    """The plan in the file cannot be written into the plan as it stands."""


def preview(plan):
    if not plan.get("Plan"):
        return {"plan": None}
    (details,) = plan["Plan"]
    current = Plan.objects.current()
    if current is not None and current.version != details["version"]:
        raise PlanRefused(
            f"The current plan is version {current.version}; this file is version "
            f"{details['version']}. Start a new version on the plan's page first, or give "
            f"version {current.version} in the file."
        )
    counts = {
        sheet: len(plan.get(sheet, []))
        for sheet in ("Priorities", "Workstreams", "Actions", "Milestones", "Metrics")
    }
    return {
        "plan": f"{details['title']} {details['version']}"
        + (" (new)" if current is None else " (the current plan: parts added or updated)"),
        "plan_rows": counts,
    }


def commit(plan, *, user, reason, context, undo):
    if not plan.get("Plan"):
        return
    preview(plan)
    undo.setdefault("plan_created", [])
    undo.setdefault("plan_changed", [])

    def save(model, lookup, values):
        found = model.objects.filter(**lookup).first()
        before = model.objects.get(pk=found.pk) if found else None
        obj = found or model(**lookup)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        if before is None:
            undo["plan_created"].append([model.__name__, obj.pk])
        else:
            undo["plan_changed"].append(
                [
                    model.__name__,
                    obj.pk,
                    {k: v for k, v in model_to_dict(before).items() if k in values},
                ]
            )
        AuditEntry.record_changes(
            obj, before, user=user, reason=reason, context=context, fields=list(values)
        )
        return obj

    (details,) = plan["Plan"]
    the_plan = save(
        Plan,
        {"version": details["version"]},
        {k: details[k] for k in ("title", "heading", "aim", "vision", "overseen_by", "reports_to")},
    )
    priorities = {
        row["number"]: save(
            Priority, {"plan": the_plan, "number": int(row["number"])}, {"title": row["title"]}
        )
        for row in plan.get("Priorities", [])
    }
    workstreams = {}
    for row in plan.get("Workstreams", []):
        workstream = save(
            Workstream,
            {"priority": priorities[row["priority"]], "number": row["number"]},
            {"title": row["title"], "lead": row["lead"]},
        )
        for name, kind in KINDS.items():
            old = [i.text for i in workstream.items.filter(kind=kind)]
            if row[name] and old != row[name]:
                AuditEntry.record_set(
                    workstream,
                    name,
                    old,
                    row[name],
                    user=user,
                    reason=reason,
                    context=context,
                    ordered=True,
                )
                workstream.items.filter(kind=kind).delete()
                for order, text in enumerate(row[name], start=1):
                    item = WorkstreamItem.objects.create(
                        workstream=workstream, kind=kind, text=text, order=order
                    )
                    undo["plan_created"].append(["WorkstreamItem", item.pk])
        workstreams[row["number"]] = workstream
    for row in plan.get("Actions", []):
        action = save(
            KeyAction,
            {"workstream": workstreams[row["workstream"]], "reference": row["reference"]},
            {"text": row["text"], "due_month": row["due_month"], "order": int(row["order"] or 0)},
        )
        if row["owners"]:
            owners = [Owner.objects.get_or_create(name=name[:200])[0] for name in row["owners"]]
            action.owners.set(owners)
    for row in plan.get("Milestones", []):
        save(
            Milestone,
            {"workstream": workstreams[row["workstream"]], "reference": row["reference"]},
            {"name": row["name"], "month": row["month"], "order": int(row["order"] or 0)},
        )
    codes = dict(Measure.objects.values_list("code", "pk"))
    for row in plan.get("Metrics", []):
        save(
            PlanMetric,
            {"workstream": workstreams[row["workstream"]], "reference": row["reference"]},
            {
                "name": row["name"],
                "measure_id": codes.get(row["measure_code"]),
                "printed_values": row["printed_values"],
                "order": int(row["order"] or 0),
            },
        )


MODELS = {
    m.__name__: m
    for m in (Plan, Priority, Workstream, WorkstreamItem, KeyAction, Milestone, PlanMetric)
}


def roll_back(undo, *, user, reason, context):
    for name, pk, values in reversed(undo.get("plan_changed", [])):
        obj = MODELS[name].objects.filter(pk=pk).first()
        if obj is not None:
            for field, value in values.items():
                setattr(obj, field if not hasattr(obj, f"{field}_id") else f"{field}_id", value)
            AuditEntry.save_with_trail(
                obj, user=user, reason=reason, context=context, fields=list(values)
            )
    for name, pk in reversed(undo.get("plan_created", [])):
        obj = MODELS[name].objects.filter(pk=pk).first()
        if obj is not None:
            AuditEntry.record_deletion(obj, user=user, reason=reason, context=context)
            obj.delete()
