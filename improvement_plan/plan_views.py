"""The improvement plan: dashboard, workstreams, progress updates, actions and Ofsted coverage."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, prefetch_related_objects
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from improvement_plan.forms import (
    ActionFilter,
    ActionForm,
    MilestoneProgressForm,
    PriorityStatusForm,
    UpdateForm,
    VersionForm,
)
from improvement_plan.models import (
    KeyAction,
    Milestone,
    Owner,
    Plan,
    Priority,
    ProgressUpdate,
    Recommendation,
    Workstream,
)
from metrics import charts
from metrics.models import MeasureStatus
from metrics.views import measure_chart_html
from scrutiny import clock
from scrutiny.audit import AuditEntry
from scrutiny.editing import breadcrumbs, redirect_back, send_back
from scrutiny.roles import form_for, require, sees_drafts


def _plan_or_404(pk=None):
    plan = get_object_or_404(Plan, pk=pk) if pk else Plan.objects.current()
    if plan is None:
        raise Http404("No improvement plan has been loaded.")
    return plan


def _refuse_changes_to_earlier_versions(request, plan):
    """An earlier version of the plan is kept as it stood: read, never changed."""
    if request.method == "POST" and not plan.is_current:
        raise PermissionDenied(f"Version {plan.version} of the plan is kept as it stood.")


def _crumbs(plan, *more):
    return breadcrumbs((f"Improvement plan {plan.version}", plan.get_absolute_url()), *more)


def _workstream_crumbs(workstream, page):
    """The trail to a page of one of ``workstream``'s items (an update, an action...)."""
    here = (f"Workstream {workstream.number}", workstream.get_absolute_url())
    return _crumbs(workstream.plan, here, (page, None))


def plan(request, pk=None):
    """The plan's dashboard: each priority's statuses, and each workstream's statuses, lead,
    overdue actions and metric trajectories side by side."""
    require(request.user, "view_published")
    if pk is None and Plan.objects.current() is None:
        return render(  # a council that has not written its plan yet
            request,
            "improvement_plan/no_plan.html",
            {"breadcrumbs": breadcrumbs(("Improvement plan", None))},
        )
    found = _plan_or_404(pk)
    today = clock.today()
    priorities = found.overview(sees_drafts(request.user), today)
    workstreams = [w for priority in priorities for w in priority.rows]
    names = workstreams[0].trajectories if workstreams else []
    return render(request, "improvement_plan/plan.html", {
        "plan": found, "priorities": priorities, "today": today,
        "period": found.current_period(),
        "totals": {name: sum(w.trajectories[name] for w in workstreams) for name in names},
        "actions": sum(w.action_count for w in workstreams),
        "completed": sum(w.completed_count for w in workstreams),
        "overdue": sum(w.overdue_count for w in workstreams),
        "mixed": [w for w in workstreams if w.mixed_message],
        "versions": Plan.objects.order_by("-created_at"),
        "breadcrumbs": breadcrumbs((f"Improvement plan {found.version}", None)),
    })  # fmt: skip


def workstream(request, pk):
    require(request.user, "view_published")
    drafts = sees_drafts(request.user)
    found = get_object_or_404(Workstream.objects.select_related("priority__plan"), pk=pk)
    today = clock.today()
    (summary,) = Workstream.objects.filter(pk=pk).summarised(drafts, today)
    actions = list(found.actions.prefetch_related("owners"))
    milestones = list(found.milestones.all())
    updates = ProgressUpdate.objects.filter(workstream=found).select_related(
        "period", "written_by", "signed_off_by", "replaces"
    )
    if not drafts:
        updates = updates.filter(signed_off_at__isnull=False)
    return render(request, "improvement_plan/workstream.html", {
        "workstream": found, "summary": summary, "plan": found.plan, "today": today,
        "items": found.items.all(), "actions": actions, "milestones": milestones,
        "undated": [m for m in milestones if not m.month],
        "timeline": _timeline(found, milestones, today),
        "metric_charts": _metric_charts(summary.plan_metrics, drafts),
        "unlinked": [m for m in summary.plan_metrics if not m.measure_id],
        "updates": list(updates.order_by("-period__start", "-written_at")),
        "period": found.plan.current_period(), "risks": found.risks.all(),
        "recommendations": found.recommendation_links.select_related("recommendation"),
        "breadcrumbs": _crumbs(found.plan, (f"Workstream {found.number}", None)),
    })  # fmt: skip


def _timeline(workstream, milestones, today):
    """The dated milestones on a timeline chart ("" when none is dated)."""
    dated = [m for m in milestones if m.month]
    if not dated:
        return ""
    return charts.to_html(
        charts.milestone_timeline(
            title=f"{workstream.number} milestones",
            names=[m.name for m in dated],
            months=[m.month for m in dated],
            done=[m.done for m in dated],
            today=today,
        ),
        f"milestones-{workstream.pk}",
    )


def _metric_charts(metrics, drafts):
    """Each linked metric's chart and table, from its measure's engine statuses (value and the
    target in force each month), as the measure page draws them: one query for all."""
    linked = [m for m in metrics if m.measure_id]
    prefetch_related_objects([m.measure for m in linked], "comparators")
    series = {}
    for status in (
        MeasureStatus.objects.whole_authority()
        .in_view(drafts)
        .filter(measure_id__in=[m.measure_id for m in linked])
        .select_related("measure")
        .order_by("period_end")
    ):
        if status.period_kind == status.measure.frequency:
            series.setdefault(status.measure_id, []).append(status)
    charts_for = []
    for metric in linked:
        rows = series.get(metric.measure_id, [])
        chart = None
        if rows:
            chart = {
                "html": measure_chart_html(metric.measure, rows),
                "rows": [
                    (
                        s.period.label,
                        metric.measure.format_value(s.target)
                        if s.target is not None
                        else "No target",
                        metric.measure.format_value(s.value),
                    )
                    for s in rows
                ],
            }
        charts_for.append((metric, chart))
    return charts_for


def write_update(request, pk):
    """The service lead's update for the current period: a new one, a correction of the draft,
    or (with a reason) a replacement for the signed-off one."""
    require(request.user, "update_plan")
    found = get_object_or_404(Workstream.objects.select_related("priority__plan"), pk=pk)
    period = found.plan.current_period()
    if period is None or not found.plan.is_current:
        messages.error(request, "Updates are written against the current plan's reporting period.")
        return redirect(found)
    draft, signed = found.updates_in(period)
    replacing = draft.replaces if draft else signed
    form = UpdateForm(
        request.POST or None,
        instance=copy.copy(draft) if draft else None,
        initial=_update_initial(draft, signed),
        open_actions=found.actions.open().count(),
        replacing=replacing,
    )
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).record(
            found, period, replacing=replacing, reason=form.cleaned_data.get("reason", ""),
            fields=UpdateForm.Meta.fields, by=request.user,
        )  # fmt: skip
        messages.success(request, f"Update for {period.label} saved. A director signs it off.")
        return redirect(found)
    today = clock.today()
    return render(request, "improvement_plan/update_form.html", {
        "workstream": found, "form": form, "period": period, "draft": draft, "signed": signed,
        # What the statuses should reflect: the metrics' trajectories and the open actions.
        "metrics": found.metrics.list_with_trajectories(sees_drafts(request.user)),
        "open_actions": found.actions.open().order_by("due_month", "reference"),
        "overdue": found.actions.overdue(today).count(), "today": today,
        "breadcrumbs": _workstream_crumbs(found, "Update"),
    })  # fmt: skip


def _update_initial(draft, signed):
    """A draft keeps its reason; a replacement starts from the signed-off update."""
    if draft:
        return {"reason": draft.replace_reason}
    return model_to_dict(signed, UpdateForm.Meta.fields) if signed else None


@require_POST
def sign_off_update(request, pk):
    require(request.user, "sign_off")
    update = get_object_or_404(
        ProgressUpdate.objects.select_related("workstream", "replaces"), pk=pk
    )
    if update.signed_off or update.superseded_at:
        messages.error(request, "That update is already signed off; it can only be replaced.")
        return redirect(update.workstream)
    update.sign_off(request.user)
    messages.success(request, f"Signed off the update for {update.period.label}.")
    return redirect_back(request, update.workstream)


@require_POST
def return_update(request, pk):
    """Send an update back to its lead with a comment, instead of signing it off."""
    require(request.user, "sign_off")
    update = get_object_or_404(ProgressUpdate.objects.select_related("workstream"), pk=pk)
    return send_back(
        request,
        update,
        refused=(update.signed_off or update.superseded_at)
        and "That update is already signed off; it can only be replaced.",
        ask="Say what the lead should change: the comment is sent back.",
        done=f"Returned the update for {update.period.label} to its lead.",
        fallback=update.workstream,
    )


def action(request, pk):
    require(request.user, "view_published")
    found = get_object_or_404(KeyAction.objects.select_related("workstream__priority__plan"), pk=pk)
    _refuse_changes_to_earlier_versions(request, found.workstream.plan)
    before = list(found.owners.all())
    form = form_for(
        request,
        request.user.has_perm("scrutiny.update_plan"),
        lambda data: ActionForm(data, instance=copy.copy(found), initial={"owners": before}),
    )
    if form and request.method == "POST" and form.is_valid():
        changed = form.save(commit=False).save_change(
            list(form.cleaned_data["owners"]),
            fields=ActionForm.Meta.fields,
            reason=form.cleaned_data["reason"].strip(),
            by=request.user,
        )
        messages.success(request, f"{found.reference} saved." if changed else "Nothing changed.")
        return redirect(found.workstream.get_absolute_url() + f"#action-{found.pk}")
    return render(
        request,
        "improvement_plan/action.html",
        {
            "action": found,
            "form": form,
            "today": clock.today(),
            "history": AuditEntry.objects.for_object(found),
            "breadcrumbs": _workstream_crumbs(found.workstream, found.reference),
        },
    )


def milestone(request, pk):
    require(request.user, "update_plan")
    found = get_object_or_404(Milestone.objects.select_related("workstream__priority__plan"), pk=pk)
    _refuse_changes_to_earlier_versions(request, found.workstream.plan)
    form = MilestoneProgressForm(request.POST or None, instance=copy.copy(found))
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).save_progress(by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"Milestone {found.reference} saved.")
        return redirect(found.workstream)
    return render(
        request,
        "improvement_plan/milestone.html",
        {
            "milestone": found,
            "form": form,
            "history": AuditEntry.objects.for_object(found),
            "breadcrumbs": _workstream_crumbs(found.workstream, found.reference),
        },
    )


def priority_status(request, pk):
    """A priority's statuses for the current period, as a director judges them."""
    require(request.user, "sign_off")
    priority = get_object_or_404(Priority.objects.select_related("plan"), pk=pk)
    period = priority.plan.current_period()
    if period is None or not priority.plan.is_current:
        raise Http404("This plan has no current reporting period.")
    form = PriorityStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False).record(priority, period, by=request.user)
        messages.success(request, f"Statuses recorded for priority {priority.number}.")
        return redirect(priority.plan)
    workstreams = Workstream.objects.filter(priority=priority).summarised(
        sees_drafts(request.user), clock.today()
    )
    return render(
        request,
        "improvement_plan/priority_status.html",
        {
            "priority": priority,
            "period": period,
            "form": form,
            "workstreams": workstreams,
            "history": priority.statuses.select_related("period", "recorded_by").order_by(
                "-recorded_at"
            ),
            "breadcrumbs": _crumbs(priority.plan, (f"Priority {priority.number}", None)),
        },
    )


def coverage(request):
    """Each Ofsted recommendation, the workstreams that answer it, and the state of their
    actions; a warning where no open or completed action answers it."""
    require(request.user, "view_published")
    found = _plan_or_404()
    today = clock.today()
    recommendations = Recommendation.objects.list_with_coverage(found, today)
    return render(
        request,
        "improvement_plan/coverage.html",
        {
            "plan": found,
            "recommendations": recommendations,
            "today": today,
            "breadcrumbs": _crumbs(found, ("Ofsted coverage", None)),
        },
    )


def actions(request):
    """Every key action of the current plan, filtered by state and owner; state in the URL."""
    require(request.user, "view_published")
    found = _plan_or_404()
    today = clock.today()
    rows = (
        KeyAction.objects.filter(workstream__priority__plan=found)
        .select_related("workstream")
        .prefetch_related("owners")
    )
    filters = ActionFilter(
        request.GET, owners=sorted({o.name for a in rows for o in a.owners.all()})
    )
    rows = filters.apply(rows, today)
    return render(
        request,
        "improvement_plan/actions.html",
        {
            "plan": found,
            "actions": rows.order_by("due_month", "workstream__number", "order"),
            "filters": filters,
            "states": ActionFilter.STATES,
            "chosen": filters.chosen,
            "today": today,
            "breadcrumbs": _crumbs(found, ("Key actions", None)),
        },
    )


def new_version(request):
    """Start a new version of the plan: a copy of the current one, which stays readable."""
    require(request.user, "sign_off")
    current = _plan_or_404()
    form = VersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = current.new_version(form.cleaned_data["version"], by=request.user)
        messages.success(request, f"Plan {made.version} started; {current.version} stays readable.")
        return redirect(made)
    return render(
        request,
        "improvement_plan/new_version.html",
        {"plan": current, "form": form, "breadcrumbs": _crumbs(current, ("New version", None))},
    )


def owners(request):
    """The people and teams that own actions, the names that look like the same one twice, and
    a merge for them."""
    require(request.user, "update_plan")
    listed = list(
        Owner.objects.annotate(action_count=Count("actions", distinct=True)).select_related("user")
    )
    if request.method == "POST":
        by_pk = {str(o.pk): o for o in listed}
        pair = request.POST.get("pair", "").split(",")
        kept = by_pk.get(request.POST.get("kept", ""))
        others = [by_pk.get(pk) for pk in pair if pk != request.POST.get("kept")]
        duplicate = others[0] if len(pair) == 2 and len(others) == 1 else None
        if duplicate is None or kept is None:
            messages.error(request, "Choose which of the two names to keep.")
        else:
            reason = request.POST.get("reason", "").strip()
            duplicate.merge_into(kept, user=request.user, reason=reason)
            messages.success(
                request, f"Merged {duplicate.name} into {kept.name}: its actions are now theirs."
            )
        return redirect("improvement_plan:owners")
    return render(
        request,
        "improvement_plan/owners.html",
        {
            "owners": listed,
            "pairs": Owner.likely_duplicates(listed),
            "breadcrumbs": breadcrumbs(
                ("Improvement plan", reverse("improvement_plan:plan")),
                ("Key actions", reverse("improvement_plan:actions")),
                ("Owners", None),
            ),
        },
    )
