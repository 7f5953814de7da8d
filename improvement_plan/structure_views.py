"""The plan's structure written in the product by leads and directors: the plan, its
priorities, workstreams (with rationale, objectives and deliverables), key actions, milestones
and metrics. Only the current version changes; earlier versions are kept as they stood."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from improvement_plan.forms import (
    KeyActionForm,
    MilestoneForm,
    PlanForm,
    PlanMetricForm,
    PriorityForm,
    WorkstreamForm,
)
from improvement_plan.models import (
    KeyAction,
    Milestone,
    Plan,
    PlanMetric,
    Priority,
    Workstream,
)
from scrutiny.editing import breadcrumbs, edit_with_trail
from scrutiny.roles import require


def _crumbs(*more):
    return breadcrumbs(("Improvement plan", reverse("improvement_plan:plan")), *more)


def _current(plan):
    if not plan.is_current:
        raise PermissionDenied(f"Version {plan.version} of the plan is kept as it stood.")
    return plan


def plan_form(request, pk=None):
    """The first plan (when there is none), or the current plan's own details."""
    require(request.user, "update_plan")
    found = _current(get_object_or_404(Plan, pk=pk)) if pk else None
    if found is None and Plan.objects.current() is not None:
        return redirect("improvement_plan:new_version")  # a new plan is a new version
    return edit_with_trail(
        request,
        PlanForm(request.POST or None, instance=found),
        heading="Change the plan" if found else "Start the improvement plan",
        caption=str(found.title) if found else "",
        breadcrumbs=_crumbs(),
        done=lambda saved: reverse("improvement_plan:plan"),
        context="plan",
    )


def priority_form(request, pk=None):
    require(request.user, "update_plan")
    found = get_object_or_404(Priority.objects.select_related("plan"), pk=pk) if pk else None
    plan = _current(found.plan if found else get_object_or_404(Plan, is_current=True))
    return edit_with_trail(
        request,
        PriorityForm(request.POST or None, instance=found, plan=plan),
        heading="Change the priority" if found else "Add a priority",
        caption=plan.title,
        breadcrumbs=_crumbs(),
        done=lambda saved: reverse("improvement_plan:plan"),
        context="plan priority",
    )


def workstream_form(request, pk=None):
    require(request.user, "update_plan")
    found = (
        get_object_or_404(Workstream.objects.select_related("priority__plan"), pk=pk)
        if pk
        else None
    )
    plan = _current(found.priority.plan if found else get_object_or_404(Plan, is_current=True))
    if not plan.priorities.exists():
        return redirect("improvement_plan:priority_new")
    return edit_with_trail(
        request,
        WorkstreamForm(request.POST or None, instance=found, plan=plan),
        heading="Change the workstream" if found else "Add a workstream",
        caption=plan.title,
        breadcrumbs=_crumbs(
            *([(f"{found.number} {found.title}", found.get_absolute_url())] if found else [])
        ),
        done=lambda saved: saved.get_absolute_url(),
        context="plan workstream",
    )


def _in_workstream(request, pk, model, form_class, noun, item=None):
    require(request.user, "update_plan")
    workstream = get_object_or_404(Workstream.objects.select_related("priority__plan"), pk=pk)
    _current(workstream.priority.plan)
    found = get_object_or_404(model, pk=item, workstream=workstream) if item else None
    return edit_with_trail(
        request,
        form_class(request.POST or None, instance=found, workstream=workstream),
        heading=f"Change the {noun}" if found else f"Add a {noun}",
        caption=f"{workstream.number} {workstream.title}",
        breadcrumbs=_crumbs(
            (f"{workstream.number} {workstream.title}", workstream.get_absolute_url())
        ),
        done=lambda saved: workstream.get_absolute_url(),
        context=f"plan {noun}",
        sets=("owners",) if model is KeyAction else (),
    )


def action_form(request, pk, item=None):
    return _in_workstream(request, pk, KeyAction, KeyActionForm, "key action", item)


def milestone_form(request, pk, item=None):
    return _in_workstream(request, pk, Milestone, MilestoneForm, "milestone", item)


def metric_form(request, pk, item=None):
    return _in_workstream(request, pk, PlanMetric, PlanMetricForm, "metric", item)
