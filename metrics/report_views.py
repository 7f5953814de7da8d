"""The reports a committee reads beside the scorecards: quality assurance and finance."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from metrics import calculations as calc
from metrics import charts, finance, quality
from metrics.models import FinanceReport, ServiceArea
from scrutiny.editing import breadcrumbs
from scrutiny.roles import require, sees_drafts


def _crumbs(*extra):
    return breadcrumbs(*extra)


def quality_index(request):
    """The quality-assurance report: the first area that holds one (usually the only one)."""
    require(request.user, "view_published")
    area = ServiceArea.objects.filter(quality_assurance=True).first()
    if area is None:
        return render(
            request,
            "metrics/quality_none.html",
            {"breadcrumbs": _crumbs(("Quality assurance", None))},
        )
    return redirect("metrics:quality", slug=area.slug)


def quality_page(request, slug):
    require(request.user, "view_published")
    area = get_object_or_404(ServiceArea, slug=slug, quality_assurance=True)
    drafts = sees_drafts(request.user)
    available = quality.months(area, drafts)
    if not available:
        return render(
            request,
            "metrics/quality.html",
            {"area": area, "data": None, "breadcrumbs": _crumbs((area.name, None))},
        )
    chosen = {p.key: p for p in available}.get(request.GET.get("month", ""), available[0])
    data = quality.report(area, chosen, drafts)
    drawn = _quality_charts(data)
    return render(
        request,
        "metrics/quality.html",
        {
            "area": area,
            "data": data,
            "months": available,
            "chosen": chosen,
            "others": ServiceArea.objects.filter(quality_assurance=True).exclude(pk=area.pk),
            "charts": drawn,
            "category_charts": list(zip(data["categories"], drawn["categories"], strict=True)),
            "breadcrumbs": _crumbs(("Quality assurance", None)),
        },
    )


def _quality_charts(data):
    out = {}
    audits = data["audits"]
    if audits and audits["rows"]:
        targets = [r["target"] for r in audits["rows"] if r["target"] is not None]
        out["audits"] = charts.to_html(
            charts.bars_over_time(
                title=audits["name"],
                periods=[r["month"] for r in audits["rows"]],
                values=[r["audits"] for r in audits["rows"]],
                lines=[(targets[-1], f"Target {targets[-1]:g}", "dash")] if targets else [],
            ),
            "chart-audits",
        )
    if data["grades"] and data["grades"]["rows"]:
        out["grades"] = _stack(data["grades"], "month", "Grades over time", "chart-grades")
    out["categories"] = [
        _stack(group, "name", f"Grades by {group['group'].lower()}, {data['month']}",
               f"chart-grades-{i}", horizontal=True)
        for i, group in enumerate(data["categories"])
    ]  # fmt: skip
    if data["moderation"] and data["moderation"]["rows"]:
        out["moderation"] = _stack(
            data["moderation"], "month", "Moderators' grades against auditors'", "chart-moderation"
        )
    return out


def _stack(block, label, title, element_id, horizontal=False):
    rows = block["rows"]
    return charts.to_html(
        charts.stacked_bars(
            title=title,
            categories=[r[label] for r in rows],
            stacks={name: [r["parts"].get(name) for r in rows] for name in block["names"]},
            horizontal=horizontal,
        ),
        element_id,
    )


def finance_index(request):
    """The latest finance report the reader may see, with the others listed on it."""
    require(request.user, "view_published")
    reports = _finance_reports(sees_drafts(request.user))
    if not reports:
        return render(
            request,
            "metrics/finance_none.html",
            {"breadcrumbs": _crumbs(("Finance", None))},
        )
    return redirect(reports[0])


def _finance_reports(drafts):
    reports = FinanceReport.objects.all()
    if not drafts:
        reports = reports.filter(published=True)
    return list(reports)


def finance_report(request, pk):
    require(request.user, "view_published")
    drafts = sees_drafts(request.user)
    reports = _finance_reports(drafts)
    report = next((r for r in reports if r.pk == pk), None)
    if report is None:
        raise Http404("No such finance report")
    if request.method == "POST":
        require(request.user, "publish_period")
        if not report.published:
            finance.publish(report, request.user)
            messages.success(request, f"{report.title} is published: members can read it.")
        return redirect(report)
    data = finance.as_data(report, staff=drafts)
    return render(
        request,
        "metrics/finance.html",
        {
            "report": report,
            "data": data,
            "others": [r for r in reports if r.pk != pk],
            "charts": _finance_charts(data),
            "breadcrumbs": _crumbs(("Finance", None)),
        },
    )


def _finance_charts(data):
    out = {}
    lines = next((p for p in data["parts"] if p["part"] == "lines"), None)
    if lines:
        rows = [r for r in lines["rows"] if r["row_type"] == "line"]
        out["variance"] = charts.to_html(
            charts.stacked_bars(
                title="Variance by service line, £000 (overspend positive)",
                categories=[r["name"] for r in rows],
                stacks={
                    "DSG": [calc.as_float(r["variance_dsg"]) for r in rows],
                    "Non-DSG": [calc.as_float(r["variance_non_dsg"]) for r in rows],
                },
                horizontal=True,
                unit_suffix="",
                relative=True,
            ),
            "chart-variance",
        )
    placements = data["placements"]
    if placements["series"]:
        out["placements"] = charts.to_html(
            charts.lines_over_time(
                title="External placements by month",
                periods=placements["labels"],
                series=placements["monthly"],
            ),
            "chart-placements",
        )
    return out


def finance_template(request):
    require(request.user, "upload_figures")
    response = HttpResponse(
        finance.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="finance-template.xlsx"'
    return response
