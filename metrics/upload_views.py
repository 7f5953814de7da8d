"""The performance team's pages: upload figures, preview, confirm, roll back, publish, correct."""

import csv
import io
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from metrics import calculations as calc
from metrics import loading
from metrics.exports import safe
from metrics.file_templates import csv_template, xlsx_template
from metrics.forms import CommentaryForm, CorrectionForm, NarrativeForm, UploadForm
from metrics.models import (
    AreaRagCount,
    Commentary,
    Measure,
    Narrative,
    Observation,
    ObservationChange,
    Publication,
    ServiceArea,
    Upload,
)
from metrics.tasks import check_upload_in_background
from scrutiny.editing import breadcrumbs
from scrutiny.queue import enqueue
from scrutiny.roles import require


def _crumbs(*extra):
    return breadcrumbs(("Upload figures", reverse("metrics:upload")), *extra)


def upload(request):
    require(request.user, "upload_figures")
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    if getattr(request, "upload_too_large", False):  # the file was skipped as it arrived
        form.fields["file"].error_messages["required"] = (
            f"The file is larger than {_size(settings.UPLOAD_MAX_BYTES)}, the largest accepted. "
            "Split it into smaller files."
        )
    if request.method == "POST" and form.is_valid():
        received = form.cleaned_data["file"]
        data = received.read()
        kind = form.cleaned_data["kind"] or Upload.Kind.FIGURES
        if kind == Upload.Kind.LIBRARY:
            require(request.user, "edit_measures")
        new = loading.receive(data, received.name, request.user, kind)
        enqueue(check_upload_in_background, new.pk)
        return redirect(new)
    recent = Upload.objects.select_related("uploaded_by")[:20]
    return render(
        request,
        "metrics/upload.html",
        {
            "form": form,
            "recent": recent,
            "quality_areas": ServiceArea.objects.filter(quality_assurance=True),
            "max_mb": _max_mb(),
            "breadcrumbs": breadcrumbs(("Upload figures", None)),
        },
    )


def _size(count):
    return f"{count / 1048576:.0f} MB" if count >= 1048576 else f"{count / 1024:.0f} KB"


def _max_mb():
    return round(settings.UPLOAD_MAX_BYTES / 1024 / 1024)


def _template_area(request):
    """The one area a template is asked for (?area=slug), or None for every area."""
    slug = request.GET.get("area", "")
    return ServiceArea.objects.filter(slug=slug).first() if slug else None


def template_xlsx(request):
    require(request.user, "upload_figures")
    response = HttpResponse(
        xlsx_template(area=_template_area(request)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="figures-template-{date.today()}.xlsx"'
    return response


def library_xlsx(request):
    """The measure library as it stands, ready to edit and upload again: instructions, and a
    drop-down for every value with a fixed set of choices."""
    require(request.user, "edit_measures")
    from metrics.library_export import library_workbook

    response = HttpResponse(
        library_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="measure-library-{date.today()}.xlsx"'
    return response


def template_csv(request):
    require(request.user, "upload_figures")
    response = HttpResponse(
        csv_template(area=_template_area(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="figures-template-{date.today()}.csv"'
    return response


PREVIEW_SHOWS = [
    ("all", "Every figure"),
    ("flagged", "Flagged to check"),
    ("new", "New"),
    ("changed", "Changed"),
    ("unchanged", "Unchanged"),
]


@vary_on_headers("HX-Request")
def upload_detail(request, pk):
    require(request.user, "upload_figures")
    item = get_object_or_404(Upload.objects.select_related("uploaded_by", "committed_by"), pk=pk)
    show = request.GET.get("show", "all")
    shows = dict(PREVIEW_SHOWS)
    show = show if show in shows else "all"
    rows = (item.summary.get("preview") or {}).get("rows", [])
    if show == "flagged":
        rows = [r for r in rows if r["flags"]]
    elif show != "all":
        rows = [r for r in rows if r["group"] == show]
    context = {
        "upload": item,
        "rows": rows,
        "show": show,
        "shows": PREVIEW_SHOWS,
        "form": UploadForm(),
        "max_mb": _max_mb(),
        "breadcrumbs": _crumbs((f"Upload {item.pk}", None)),
    }
    template = "metrics/upload_detail.html"
    if request.htmx:
        if item.status not in (Upload.Status.CHECKING, Upload.Status.COMMITTED):
            return HttpResponseClientRefresh()  # checked: show the problems or the preview
        template += "#progress"
    return render(request, template, context)


def problems_csv(request, pk):
    require(request.user, "upload_figures")
    item = get_object_or_404(Upload, pk=pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row", "column", "field", "problem"])
    for problem in item.problems:
        # Every cell neutralised: a file's own headers and text come back in these messages.
        writer.writerow(
            [safe(str(problem[key] or "")) for key in ("row", "column", "field", "message")]
        )
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="upload-{item.pk}-problems.csv"'
    return response


def _upload_step(request, pk, step, done, then=None):
    """One step on an upload (load, discard, try again, roll back) by an officer: ``step(item)``
    either does it, and ``done(item)`` is said, or is refused with a message saying why; then
    back to the upload's page (or ``then``)."""
    require(request.user, "upload_figures")
    item = get_object_or_404(Upload, pk=pk)
    try:
        step(item)
    except loading.Refused as refused:
        messages.error(request, str(refused))
    else:
        if done:
            messages.success(request, done(item))
    return redirect(then or item)


@require_POST
def upload_confirm(request, pk):
    def load(item):
        acknowledged = request.POST.get("checked_flags") == "yes"
        loading.commit(
            item, request.user, request.POST.get("reason", ""), acknowledged=acknowledged
        )

    return _upload_step(request, pk, load, lambda item: (
        f"Loaded {item.new_count} new and {item.changed_count} changed figures. They are "
        "drafts until the period is published."
    ))  # fmt: skip


@require_POST
def upload_discard(request, pk):
    return _upload_step(
        request, pk, loading.discard,
        lambda item: "The file was discarded. Nothing was loaded.", then="metrics:upload",
    )  # fmt: skip


@require_POST
def upload_retry_statuses(request, pk):
    return _upload_step(request, pk, loading.retry_statuses, None)


@require_POST
def upload_rollback(request, pk):
    return _upload_step(
        request, pk,
        lambda item: loading.roll_back(item, request.user, request.POST.get("reason", "")),
        lambda item: "The upload was rolled back: its figures are as they were.",
    )  # fmt: skip


def publication(request):
    """Each area's recent periods: how many figures are drafts, and publish or withdraw."""
    require(request.user, "publish_period")
    if request.method == "POST":
        return _publish(request)
    areas = list(ServiceArea.objects.all())
    rows = (
        Observation.objects.values("measure__area_id", "period_kind", "period_end")
        .annotate(
            drafts=Count("id", filter=Q(published=False)),
            published=Count("id", filter=Q(published=True)),
        )
        .order_by("measure__area_id", "-period_end")
    )
    periods = {}
    for row in rows:
        listed = periods.setdefault(row["measure__area_id"], [])
        if len(listed) < 6:
            listed.append({**row, "period": calc.Period(row["period_end"], row["period_kind"])})
    for area in areas:
        area.periods = periods.get(area.pk, [])
        for row in area.periods:
            if row["drafts"]:
                row["unexplained"] = loading.red_without_commentary(area, row["period"])
    return render(
        request,
        "metrics/publication.html",
        {
            "areas": areas,
            "log": Publication.objects.select_related("area", "by")[:20],
            "breadcrumbs": breadcrumbs(("Publish figures", None)),
        },
    )


def _publish(request):
    area = get_object_or_404(ServiceArea, slug=request.POST.get("area", ""))
    try:
        period = calc.Period(
            date.fromisoformat(request.POST.get("period_end", "")),
            request.POST.get("period_kind", ""),
        )
    except ValueError:
        messages.error(request, "That period is not valid.")
        return redirect("metrics:publication")
    try:
        if request.POST.get("action") == "withdraw":
            count = loading.withdraw(area, period, request.user, request.POST.get("reason", ""))
            messages.success(
                request,
                f"Withdrew {count} figures for {area}, {period.label}. "
                "Committee members no longer see them.",
            )
        else:
            count = loading.publish(area, period, request.user)
            entry = Publication.objects.filter(area=area).first()
            missing = entry.red_without_commentary if entry else ""
            messages.success(
                request,
                f"Published {count} figures for {area}, {period.label}."
                + (f" Red without commentary, kept in the log: {missing}." if missing else ""),
            )
    except loading.Refused as refused:
        messages.error(request, str(refused))
    return redirect("metrics:publication")


def correct(request, code):
    require(request.user, "upload_figures")
    measure = get_object_or_404(Measure, code=code)
    initial = {"figure": _figure_asked(request.GET, measure)}
    form = CorrectionForm(request.POST or None, measure=measure, initial=initial)
    chosen = form.figures.get(form["figure"].value() or "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period, area = data["figure"]
        try:
            loading.correct(
                measure, period, area, value=data["value"].strip(),
                numerator=data["numerator"].strip() or None,
                denominator=data["denominator"].strip() or None,
                user=request.user, reason=data["reason"],
            )  # fmt: skip
        except loading.Refused as refused:
            form.add_error("value", str(refused))
        else:
            messages.success(
                request,
                f"Corrected {measure.code} for {period.label}. "
                "The change is in the figure's history.",
            )
            return redirect(measure)
    return render(request, "metrics/correct.html", {
        "measure": measure, "form": form, "chosen": chosen, "now": timezone.now(),
        "history": ObservationChange.objects.history_of(measure, *chosen) if chosen else [],
        "breadcrumbs": breadcrumbs(
            (measure.name, measure.get_absolute_url()),
            ("Correct a figure", None),
        ),
    })  # fmt: skip


def _figure_asked(query, measure):
    """The figure a link asked to correct: ``figure``, or ``period`` (and ``area``)."""
    try:
        wanted = calc.parse_period(query.get("period", ""), measure.frequency)
    except ValueError:
        return query.get("figure", "")
    return f"{wanted.key}|{query.get('area', '')}"


def commentary(request, code):
    """Write commentary for a measure and period, optionally starting from a drafted one."""
    require(request.user, "edit_commentary")
    measure = get_object_or_404(Measure.objects.select_related("area"), code=code)
    statuses = _commentable(measure)
    if not statuses:
        messages.error(request, "There are no figures to comment on yet.")
        return redirect(measure)
    periods = sorted((s.period for s in statuses.values()), key=lambda p: p.end, reverse=True)
    chosen = request.POST.get("period") or request.GET.get("period") or periods[0].key
    status = statuses.get(chosen)
    current = Commentary.last_written(measure, status.period_end) if status else None
    initial = {"period": chosen, "text": current.text if current else ""}
    form = CommentaryForm(request.POST or None, periods=periods, initial=initial)
    action = request.POST.get("action")
    if request.method == "POST" and form.is_valid():
        period = form.periods[form.cleaned_data["period"]]
        if action == "draft":
            form = _with_draft(request, form, measure, statuses[period.key], periods)
        elif not form.cleaned_data["text"].strip():
            form.add_error("text", "Enter the commentary.")
        else:
            publish = action == "publish" and statuses[period.key].published
            Commentary.write(measure, period, form.cleaned_data["text"], by=request.user,
                             publish=publish)  # fmt: skip
            state = "and published" if publish else "as a draft"
            messages.success(request, f"Commentary for {period.label} saved {state}.")
            return redirect(measure)
    return render(request, "metrics/commentary.html", {
        "measure": measure, "form": form, "current": current,
        "period_published": status.published if status else False,
        "breadcrumbs": breadcrumbs(
            (measure.name, measure.get_absolute_url()),
            ("Commentary", None),
        ),
    })  # fmt: skip


def _commentable(measure):
    """The measure's whole-authority statuses in its own kind of period, officers' view, by
    period key: the periods commentary may be written for."""
    found = measure.statuses.in_view(drafts=True)
    return {s.period.key: s for s in found.filter(breakdown="", period_kind=measure.frequency)}


def _with_draft(request, form, measure, status, periods):
    """The form again, its text a draft written from the figures; nothing is saved."""
    data = form.data.copy()
    data["text"] = _drafted(measure, status)
    drafted = CommentaryForm(data, periods=periods)
    drafted.is_valid()
    messages.info(
        request,
        "A draft has been written from the figures. Check and edit "
        "it, then save it: nothing is saved or published yet.",
    )
    return drafted


def _drafted(measure, status):
    from metrics.commentary import draft

    period = status.period
    comparator = next(
        (
            (c.name, c.value, c.period_label)
            for c in measure.comparators_at(period.end)  # never a year after the period
            if c.value is not None
        ),
        None,
    )
    areas = [
        (s.breakdown, s.value)
        for s in measure.statuses.in_view(drafts=True)
        .filter(period_kind=period.kind, period_end=period.end)
        .exclude(breakdown="")
    ]
    return draft(
        name=measure.name[:1].upper() + measure.name[1:],
        fmt=measure.format_value,
        period=period.label,
        status=status,
        previous_label=period.previous().label,
        year_label=period.year_earlier().label,
        target_kind=status.target_kind,
        comparator=comparator,
        areas=areas,
    )


def narrative(request, slug):
    """Write a service area's opening narrative for a period. Each save is kept as a version;
    it is published with the period's figures (or at once, if they are already published)."""
    area, periods, chosen = _area_period(request, slug)
    if chosen is None:
        return redirect(area)
    current = Narrative.latest(area, chosen, drafts=True)
    form = NarrativeForm(
        request.POST or None,
        periods=periods,
        initial={"period": chosen.key, "text": current.text if current else ""},
    )
    published = area.published_in(chosen)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"].strip()
        if not text:
            form.add_error("text", "Enter the narrative.")
        else:
            Narrative.write(area, chosen, text, by=request.user, publish=published)
            messages.success(
                request,
                f"The narrative for {chosen.label} is saved"
                + (" and published." if published else ": it is published with the figures."),
            )
            return redirect(f"{area.get_absolute_url()}?period={chosen.key}")
    versions = Narrative.objects.filter(area=area, period_kind=chosen.kind, period_end=chosen.end)
    return render(request, "metrics/narrative.html", {
        "area": area, "form": form, "period": chosen, "current": current,
        "period_published": published, "versions": versions.select_related("written_by")[:20],
        "breadcrumbs": _area_crumbs(area, "Narrative"),
    })  # fmt: skip


@vary_on_headers("HX-Request")
def area_commentary(request, slug):
    """Every measure's commentary for one period of an area, in one page: each row saves on its
    own (with htmx, in place, so the writer keeps going down the list)."""
    area, periods, period = _area_period(request, slug)
    if period is None:
        return redirect(area)
    published = area.published_in(period)
    saved = None
    if request.method == "POST":
        measure = get_object_or_404(Measure, area=area, code=request.POST.get("measure", ""))
        text = request.POST.get("text", "").strip()[:20_000]
        if text:
            Commentary.write(measure, period, text, by=request.user, publish=published)
            saved = measure.code
        if not request.htmx:
            said = f"Commentary on {measure.name} saved." if text else "Nothing to save: empty."
            messages.success(request, said)
            return redirect(f"{request.path}?period={period.key}#row-{measure.code}")
    rows = _commentary_rows(area, period)
    if request.htmx and saved:
        row = next(r for r in rows if r["measure"].code == saved)
        return render(
            request,
            "metrics/area_commentary.html#row",
            {"row": row, "period": period, "saved": True, "published": published},
        )
    return render(request, "metrics/area_commentary.html", {
        "area": area, "period": period, "periods": periods, "rows": rows, "published": published,
        "breadcrumbs": _area_crumbs(area, "Commentary"),
    })  # fmt: skip


def _area_crumbs(area, page):
    return breadcrumbs(
        ("Scorecards", reverse("metrics:scorecards")),
        (area.name, area.get_absolute_url()),
        (page, None),
    )


def _area_period(request, slug):
    """For a commentary writer: the area, its periods (latest first) and the one asked for
    (the latest unless the query or form names another); no period when there are no figures."""
    require(request.user, "edit_commentary")
    area = get_object_or_404(ServiceArea, slug=slug)
    periods = _area_periods(area)
    if not periods:
        messages.error(request, "There are no figures for this area yet.")
        return area, periods, None
    by_key = {p.key: p for p in periods}
    asked = request.POST.get("period") or request.GET.get("period")
    return area, periods, by_key.get(asked, periods[0])


def _area_periods(area):
    return sorted(
        {
            calc.Period(end, kind)
            for kind, end in AreaRagCount.objects.filter(area=area).values_list(
                "period_kind", "period_end"
            )
        },
        key=lambda p: p.end,
        reverse=True,
    )


def _commentary_rows(area, period):
    """Each active measure of the area with its working-view status and latest commentary for
    the period; red first, so the ones members will ask about come first."""
    from metrics.models import MeasureStatus

    measures = list(Measure.objects.filter(area=area, active=True).order_by("order", "code"))
    statuses = {
        s.measure_id: s
        for s in MeasureStatus.objects.in_view(drafts=True).filter(
            measure__in=measures, period_kind=period.kind, period_end=period.end, breakdown=""
        )
    }
    latest = {}
    for note in Commentary.objects.filter(
        measure__in=measures, period_kind=period.kind, period_end=period.end
    ).order_by("written_at", "pk"):
        latest[note.measure_id] = note
    order = {"red": 0, "amber": 1, "green": 2}
    rows = [
        {"measure": m, "status": statuses.get(m.pk), "commentary": latest.get(m.pk)}
        for m in measures
        if m.pk in statuses
    ]
    rows.sort(key=lambda r: order.get(r["status"].rag, 3))
    return rows
