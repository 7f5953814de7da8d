"""The scrutiny cycle: meetings, packs, members' questions, actions and the work programme."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from scrutiny import clock, notifications, packs
from scrutiny.editing import breadcrumbs, redirect_back
from scrutiny.forms import ActionUpdateForm, AnswerForm, AssignForm, QuestionForm
from scrutiny.models import (
    AgendaItem,
    AuditEntry,
    Committee,
    Meeting,
    MeetingPack,
    MinuteAction,
    Question,
)
from scrutiny.queue import enqueue
from scrutiny.roles import form_for, require


def _crumbs(*more):
    return breadcrumbs(("Meetings", reverse("scrutiny:meetings")), *more)


def meetings(request):
    require(request.user, "view_published")
    today = clock.today()
    committees = list(Committee.objects.prefetch_related("meetings__packs"))
    for committee in committees:
        everything = list(committee.meetings.all())
        for item in everything:
            item.latest_pack = max(item.packs.all(), key=lambda p: p.version, default=None)
        committee.upcoming = [m for m in everything if m.date >= today]
        committee.past = [m for m in reversed(everything) if m.date < today]
        committee.open_actions = committee.actions.open().count()
        committee.overdue_actions = committee.actions.overdue(today).count()
    return render(
        request,
        "scrutiny/meetings.html",
        {
            "committees": committees,
            "today": today,
            "breadcrumbs": breadcrumbs(("Meetings", None)),
        },
    )


def meeting(request, pk):
    require(request.user, "view_published")
    found = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    deadline = found.question_deadline(settings.QUESTION_DEADLINE_WORKING_DAYS)
    questions = (
        found.questions.visible_to(request.user)
        .select_related("asked_by", "measure", "workstream", "risk", "agenda_item")
        .order_by("submitted_at")
    )
    return render(
        request,
        "scrutiny/meeting.html",
        {
            "meeting": found,
            "items": found.items.all(),
            "reports": [
                i for i in found.items.all() if i.summary or i.recommendations or i.decisions
            ],
            "packs": found.packs.order_by("-version"),
            "questions": questions,
            "deadline": deadline,
            "today": clock.today(),
            "programme": found.programme.all(),
            "breadcrumbs": _crumbs((f"{found.date:%-d %B %Y}", None)),
        },
    )


@require_POST
def publish_pack(request, pk):
    """Freeze the pack as it stands now, tell the members, and start building its PDF."""
    require(request.user, "manage_meetings")
    found = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    note = request.POST.get("note", "").strip()[:2000]
    pack = packs.publish(found, request.user, note=note)
    _queue_pdf(pack)
    notifications.pack_published(pack)
    messages.success(request, f"Version {pack.version} of the pack published. Members are told.")
    return redirect(pack)


def _queue_pdf(pack):
    from scrutiny.tasks import build_pack_pdf

    MeetingPack.objects.filter(pk=pack.pk).update(
        pdf_status=MeetingPack.PdfStatus.QUEUED, pdf_error="", pdf_queued_at=timezone.now()
    )
    enqueue(build_pack_pdf, pack.pk)


@vary_on_headers("HX-Request")
def pack(request, pk):
    """The pack, rendered from its frozen snapshot only."""
    require(request.user, "view_published")
    found = get_object_or_404(MeetingPack.objects.select_related("meeting__committee"), pk=pk)
    context = {
        "pack": found,
        "s": found.readable(),
        "can_ask": request.user.has_perm("scrutiny.ask_question")
        and found.meeting.status == Meeting.Status.SCHEDULED,
        "versions": found.meeting.packs.order_by("-version").only("pk", "version", "published_at"),
        "breadcrumbs": _crumbs(
            (f"{found.meeting.date:%-d %B %Y}", found.meeting.get_absolute_url()),
            (f"Pack, version {found.version}", None),
        ),
    }
    if request.htmx:
        return render(request, "scrutiny/pack.html#pdf", context)
    return render(request, "scrutiny/pack.html", context)


@require_POST
def pack_pdf_build(request, pk):
    require(request.user, "view_published")
    found = get_object_or_404(MeetingPack, pk=pk)
    if (
        found.pdf_status
        in (
            MeetingPack.PdfStatus.QUEUED,
            MeetingPack.PdfStatus.BUILDING,
        )
        and not found.pdf_stuck
    ):
        messages.info(request, "The PDF is already being built.")
    elif found.pdf_status == MeetingPack.PdfStatus.READY and found.pdf:
        messages.info(request, "The PDF is ready.")
    else:
        _queue_pdf(found)
    return redirect(found)


def agenda_report(request, pk, item):
    """An agenda item's report, to those who may read the meeting: stored files are never in
    a public folder (see ``protected_file``)."""
    require(request.user, "view_published")
    found = get_object_or_404(AgendaItem, pk=item, meeting_id=pk)
    if not found.report:
        raise Http404("This agenda item has no report attached.")
    return protected_file(found.report, found.report.name.rsplit("/", 1)[-1])


def protected_file(field, filename):
    """A stored file, after the view has checked the reader's rights. Behind nginx, set
    PROTECTED_FILES_ACCEL_PREFIX (e.g. ``/protected/``, an ``internal`` location aliased to
    MEDIA_ROOT) and nginx sends the file; otherwise Django streams it."""
    import mimetypes

    kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if settings.PROTECTED_FILES_ACCEL_PREFIX:
        response = HttpResponse(content_type=kind)
        response["X-Accel-Redirect"] = settings.PROTECTED_FILES_ACCEL_PREFIX + field.name
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=kind)


def pack_pdf(request, pk):
    require(request.user, "view_published")
    found = get_object_or_404(MeetingPack.objects.select_related("meeting"), pk=pk)
    if found.pdf_status != MeetingPack.PdfStatus.READY or not found.pdf:
        raise Http404("The PDF of this pack is not ready.")
    name = f"pack-{found.meeting.date:%Y-%m-%d}-v{found.version}.pdf"
    return protected_file(found.pdf, name)


# --------------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------------


def ask(request, pk):
    """A member's question for a meeting. After the deadline it is still taken, marked late."""
    require(request.user, "ask_question")
    found = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    today = clock.today()
    if found.status != Meeting.Status.SCHEDULED:
        messages.error(
            request, f"Questions are closed: the meeting is {found.get_status_display().lower()}."
        )
        return redirect(found)
    deadline = found.question_deadline(settings.QUESTION_DEADLINE_WORKING_DAYS)
    initial = {"about": request.GET.get("about", "")}
    form = QuestionForm(request.POST or None, meeting=found, initial=initial)
    if request.method == "POST" and form.is_valid():
        question = Question.ask(
            found, form.cleaned_data["text"], by=request.user, late=today > deadline,
            **form.subject(),
        )  # fmt: skip
        messages.success(
            request,
            "Your question was sent"
            + (", after the deadline: it is marked late." if question.late else ".")
            + " You will be told when it is answered.",
        )
        return redirect("scrutiny:my_questions")
    return render(
        request,
        "scrutiny/ask.html",
        {
            "meeting": found,
            "form": form,
            "deadline": deadline,
            "late": today > deadline,
            "breadcrumbs": _crumbs(
                (f"{found.date:%-d %B %Y}", found.get_absolute_url()), ("Ask a question", None)
            ),
        },
    )


def my_questions(request):
    """A member's own questions, and every answered question."""
    require(request.user, "view_published")
    visible = Question.objects.visible_to(request.user).select_related(
        "meeting__committee", "asked_by", "measure", "workstream", "risk", "agenda_item"
    )
    return render(
        request,
        "scrutiny/questions.html",
        {
            "mine": visible.filter(asked_by=request.user).order_by("-submitted_at"),
            "answered": visible.answered().order_by("-approved_at"),
            "waiting": visible.exclude(status__in=["answered", "withdrawn"]).order_by(
                "meeting__date", "submitted_at"
            )
            if request.user.has_perm("scrutiny.answer_question")
            else [],
            "breadcrumbs": _crumbs(("Questions", None)),
        },
    )


def question(request, pk):
    """A question; the responsible officer drafts the answer here and a director approves it."""
    require(request.user, "view_published")
    found = get_object_or_404(
        Question.objects.visible_to(request.user).select_related(
            "meeting__committee", "asked_by", "answered_by", "approved_by", "assigned_to"
        ),
        pk=pk,
    )
    answers = request.user.has_perm("scrutiny.answer_question")
    form = form_for(
        request,
        answers and found.status != found.Status.ANSWERED,
        lambda data: AnswerForm(data, initial={"answer": found.answer}),
    )
    if form and request.method == "POST" and form.is_valid():
        found.draft_answer(form.cleaned_data["answer"], by=request.user)
        messages.success(request, "Answer saved. A director approves it before the member sees it.")
        return redirect(found)
    return render(
        request,
        "scrutiny/question.html",
        {
            "question": found,
            "form": form,
            "history": AuditEntry.objects.for_object(found) if answers else [],
            "assign_form": AssignForm(initial={"officer": found.assigned_to_id})
            if request.user.has_perm("scrutiny.sign_off")
            and found.status != Question.Status.ANSWERED
            else None,
            "breadcrumbs": _crumbs(
                ("Questions", reverse("scrutiny:my_questions")), (f"Question {found.pk}", None)
            ),
        },
    )


@require_POST
def assign_question(request, pk):
    """A director names the officer who answers; the officer is e-mailed."""
    require(request.user, "sign_off")
    found = get_object_or_404(Question, pk=pk)
    form = AssignForm(request.POST)
    if found.status == Question.Status.ANSWERED:
        messages.error(request, "The question is answered already.")
    elif not form.is_valid():
        messages.error(request, form.errors["officer"][0])
    else:
        found.assign(form.cleaned_data["officer"], by=request.user)
        messages.success(
            request,
            f"{found.assigned_to.get_full_name() or found.assigned_to} will answer; "
            "they are e-mailed.",
        )
    return redirect(found)


@require_POST
def return_answer(request, pk):
    """Send a drafted answer back to be redrafted, with what should change."""
    require(request.user, "sign_off")
    found = get_object_or_404(Question, pk=pk)
    comment = request.POST.get("comment", "").strip()
    if found.status != Question.Status.DRAFTED:
        messages.error(request, "There is no drafted answer waiting for approval.")
    elif not comment:
        messages.error(request, "Say what should change: the comment is sent back.")
    else:
        found.send_back(request.user, comment)
        messages.success(request, "The answer is returned to be redrafted.")
    return redirect_back(request, found)


@require_POST
def approve_answer(request, pk):
    require(request.user, "sign_off")
    found = get_object_or_404(Question.objects.select_related("asked_by", "meeting"), pk=pk)
    if found.status != Question.Status.DRAFTED:
        messages.error(request, "There is no drafted answer waiting for approval.")
        return redirect(found)
    found.approve(request.user)
    messages.success(request, "Answer approved. The member is told.")
    return redirect_back(request, found)


# --------------------------------------------------------------------------------------------
# Work programme and actions
# --------------------------------------------------------------------------------------------


def work_programme(request, slug):
    require(request.user, "view_published")
    committee = get_object_or_404(Committee, slug=slug)
    items = list(committee.work_programme.select_related("meeting"))
    grouped = {}
    for item in items:
        grouped.setdefault(item.meeting, []).append(item)
    return render(
        request,
        "scrutiny/work_programme.html",
        {
            "committee": committee,
            "groups": list(grouped.items()),
            "breadcrumbs": _crumbs(("Work programme", None)),
        },
    )


def minute_actions(request, slug):
    require(request.user, "view_published")
    committee = get_object_or_404(Committee, slug=slug)
    today = clock.today()
    shown = request.GET.get("show", "open")
    actions = committee.actions.select_related("meeting", "due_meeting")
    if shown != "all":
        actions = actions.open()
    return render(
        request,
        "scrutiny/minute_actions.html",
        {
            "committee": committee,
            "actions": actions,
            "overdue_ids": set(committee.actions.overdue(today).values_list("pk", flat=True)),
            "shown": shown,
            "today": today,
            "breadcrumbs": _crumbs(("Actions", None)),
        },
    )


def minute_action(request, pk):
    require(request.user, "view_published")
    found = get_object_or_404(
        MinuteAction.objects.select_related("committee", "meeting", "due_meeting"), pk=pk
    )
    may = request.user.has_perm("scrutiny.answer_question") or request.user.has_perm(
        "scrutiny.manage_meetings"
    )
    form = form_for(
        request, may, lambda data: ActionUpdateForm(data, initial={"status": found.status})
    )
    if form and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found.record_update(data["text"], data["status"], by=request.user)
        messages.success(request, f"Action {found.reference} updated.")
        return redirect(found)
    found.is_open_overdue = found.is_overdue(clock.today())
    return render(
        request,
        "scrutiny/minute_action.html",
        {
            "action": found,
            "form": form,
            "updates": found.updates.select_related("by"),
            "today": clock.today(),
            "breadcrumbs": _crumbs(
                ("Actions", reverse("scrutiny:minute_actions", args=[found.committee.slug])),
                (found.reference, None),
            ),
        },
    )
