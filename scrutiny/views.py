import hashlib
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from improvement_plan.models import (
    Inspection,
    Plan,
    Risk,
)
from metrics.models import MeasureStatus, ServiceArea
from metrics.national import neighbour_model, ofsted_neighbours
from scrutiny import clock
from scrutiny.celery import app as celery_app
from scrutiny.editing import breadcrumbs, edit_with_trail
from scrutiny.forms import ApiTokenForm, GlossaryTermForm
from scrutiny.models import (
    ApiToken,
    Committee,
    GlossaryTerm,
    Meeting,
    MeetingPack,
    MinuteAction,
    Question,
)
from scrutiny.roles import require, sees_drafts

DASHBOARD_CACHE_SECONDS = 15 * 60


def home(request):
    """The dashboard. Its body is cached under every area's figures version, so it is
    recomputed only when some area's statuses or commentary changed."""
    if not request.user.has_perm("scrutiny.view_published"):
        raise PermissionDenied
    drafts = sees_drafts(request.user)
    versions = list(ServiceArea.objects.order_by("pk").values_list("pk", "figures_version"))
    key = "dashboard:" + hashlib.sha256(f"{versions}:{drafts}".encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        areas = ServiceArea.objects.list_with_headlines(drafts)
        statuses = MeasureStatus.objects.whole_authority().in_view(drafts)
        summary = statuses.dashboard(areas, drafts)
        for area in areas:
            area.exceptions = summary[area.pk]["exceptions"]
            area.exception_count = summary[area.pk]["exception_count"]
            area.movers = summary[area.pk]["movers"]
        body = render_to_string("scrutiny/home.html#areas", {"areas": areas})
        cache.set(key, body, DASHBOARD_CACHE_SECONDS)
    risks = Risk.objects.filter(closed_at__isnull=True).rated(drafts)
    bands = Counter(risk.current.band for risk in risks if risk.current)
    return render(
        request,
        "scrutiny/home.html",
        {
            "body": body,
            "plan": _plan_summary(drafts),
            "scrutiny": _scrutiny_summary(request.user),
            "risk_bands": [(band, bands.get(band, 0)) for band in ("High", "Moderate", "Low")],
            "risks_questioned": [risk for risk in risks if risk.questioned],
            "risks_overdue": sum(1 for risk in risks if risk.overdue_since),
            "awaiting": _awaiting(request.user),
        },
    )


def _scrutiny_summary(user):
    """The next meeting and its question deadline, questions waiting on officers, and the
    committee's overdue actions."""
    today = clock.today()
    upcoming = Meeting.objects.filter(status=Meeting.Status.SCHEDULED).select_related("committee")
    following = upcoming.filter(date__gte=today).order_by("date").first()
    latest_pack = MeetingPack.objects.select_related("meeting").order_by("-published_at").first()
    waiting = {}
    if user.has_perm("scrutiny.answer_question"):
        waiting = {
            "to_answer": Question.objects.filter(status=Question.Status.SUBMITTED).count(),
            "to_approve": Question.objects.filter(status=Question.Status.DRAFTED).count(),
        }
    return {
        "next": following,
        "deadline": following.question_deadline(settings.QUESTION_DEADLINE_WORKING_DAYS)
        if following
        else None,
        "latest_pack": latest_pack,
        "waiting": waiting,
        "overdue_actions": list(
            MinuteAction.objects.overdue(today).select_related("committee", "meeting")[:10]
        ),
        "committees": list(Committee.objects.all()),
    }


def _plan_summary(drafts):
    """The improvement plan at a glance: each priority's latest statuses, the actions overdue
    today, and the workstreams that report On target while their metrics regress."""
    plan = Plan.objects.current()
    if plan is None:
        return None
    priorities = plan.overview(drafts, clock.today())
    workstreams = [w for priority in priorities for w in priority.rows]
    return {
        "plan": plan,
        "priorities": priorities,
        "overdue": sum(w.overdue_count for w in workstreams),
        "mixed": [w for w in workstreams if w.mixed_message],
    }


def api_tokens(request):
    """A user's personal API tokens: create one (shown once), or revoke one."""
    new_key = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and "revoke" in request.POST:
        chosen = request.POST["revoke"]
        token = request.user.api_tokens.filter(
            revoked_at__isnull=True, pk=int(chosen) if chosen.isdigit() else None
        ).first()
        if token is None:
            messages.error(request, "That token does not exist or is already revoked.")
            return redirect("scrutiny:api_tokens")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        messages.success(request, f"Token “{token.name}” revoked. It no longer works.")
        return redirect("scrutiny:api_tokens")
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in"]
        expires = timezone.now() + timedelta(days=days) if days else None
        _, new_key = ApiToken.issue(request.user, form.cleaned_data["name"], expires)
        form = ApiTokenForm()
    return render(
        request,
        "scrutiny/api_tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": request.user.api_tokens.select_related("user"),
            "breadcrumbs": breadcrumbs(("API tokens", None)),
        },
    )


@login_not_required
def accessibility(request):
    return render(request, "scrutiny/accessibility.html")


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,), ""
    except Exception as error:  # any failure means unhealthy; the message says which
        return False, type(error).__name__


def _broker_ok():
    if celery_app.conf.task_always_eager:
        return True, "eager (no broker)"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, ""
    except Exception as error:  # any failure means unhealthy; the message says which
        return False, type(error).__name__


@login_not_required
@never_cache
@require_GET
def healthz(request):
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    body = {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
    }
    return JsonResponse(body, status=200 if db_ok and broker_ok else 503)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def inspection(request, pk):
    """An inspection: its dates, judgements and recommendations, and the workstreams of the
    improvement plan that answer each."""
    require(request.user, "view_published")
    found = get_object_or_404(Inspection, pk=pk)
    return render(
        request,
        "scrutiny/inspection.html",
        {
            "inspection": found,
            "judgements": found.judgements.all(),
            "recommendations": found.recommendations.prefetch_related(
                "links__workstream__priority__plan"
            ),
            "neighbours": ofsted_neighbours(),
            "model": neighbour_model(),
            "breadcrumbs": breadcrumbs(
                ("Inspections", reverse("scrutiny:inspections")),
                (found.kind, None),
            ),
        },
    )


def inspections(request):
    require(request.user, "view_published")
    return render(
        request,
        "scrutiny/inspections.html",
        {
            "inspections": Inspection.objects.prefetch_related("judgements"),
            "breadcrumbs": breadcrumbs(("Inspections", None)),
        },
    )


def setup(request):
    """What the council still has to set up, with where each step is done: for the officers
    and administrators who set it up."""
    if not (
        request.user.has_perm("scrutiny.edit_measures") or request.user.has_perm("auth.change_user")
    ):
        raise PermissionDenied
    from scrutiny.setup import checklist, ready_to_publish

    steps = checklist()
    for step in steps:
        step.can = request.user.has_perm(step.permission)
    return render(
        request,
        "scrutiny/setup.html",
        {
            "steps": steps,
            "ready": ready_to_publish(steps),
            "remaining": sum(1 for s in steps if not s.done),
            "breadcrumbs": breadcrumbs(("Set up", None)),
        },
    )


def glossary(request):
    """Every term a member meets, in plain English, A to Z."""
    require(request.user, "view_published")
    terms = list(GlossaryTerm.objects.all())
    letters = {}
    for term in terms:
        letters.setdefault(term.term[0].upper(), []).append(term)
    return render(
        request,
        "scrutiny/glossary.html",
        {
            "letters": sorted(letters.items()),
            "count": len(terms),
            "can_edit": request.user.has_perm("scrutiny.edit_measures"),
            "breadcrumbs": breadcrumbs(("Glossary", None)),
        },
    )


def glossary_term(request, slug=None):
    """Add or change a term: officers, with the change kept in the audit trail."""
    require(request.user, "edit_measures")
    found = get_object_or_404(GlossaryTerm, slug=slug) if slug else None
    return edit_with_trail(
        request,
        GlossaryTermForm(request.POST or None, instance=found),
        heading="Change a term" if found else "Add a term",
        caption=found.term if found else "Glossary",
        breadcrumbs=breadcrumbs(
            ("Glossary", reverse("scrutiny:glossary")),
            (found.term if found else "Add a term", None),
        ),
        done=lambda saved: saved.get_absolute_url(),
        context="glossary",
    )


def _awaiting(user):
    if not any(user.has_perm(p) for p in ("scrutiny.sign_off", "scrutiny.manage_meetings")):
        return None
    from scrutiny.awaiting import waiting_for

    rows = waiting_for(user)
    return {"count": len(rows), "oldest": max((r["age"] for r in rows), default=0)}


def awaiting(request):
    """What waits for this director (or administrator): sign-offs, approvals and packs due."""
    if not any(request.user.has_perm(p) for p in ("scrutiny.sign_off", "scrutiny.manage_meetings")):
        raise PermissionDenied
    from scrutiny.awaiting import waiting_for

    rows = waiting_for(request.user)
    return render(
        request,
        "scrutiny/awaiting.html",
        {
            "rows": rows,
            "breadcrumbs": breadcrumbs(("Awaiting you", None)),
        },
    )
