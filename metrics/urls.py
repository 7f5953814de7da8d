from django.urls import path, register_converter

from metrics import benchmark_views, report_views, upload_views, views


class ExportFormat:
    """Only the formats the scorecard is exported in: anything else is 404, never a file name."""

    regex = "xlsx|csv"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export_format")

app_name = "metrics"

urlpatterns = [
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/<slug:slug>/", views.scorecard, name="scorecard"),
    path(
        "scorecards/<slug:slug>/export.<export_format:fmt>",
        views.scorecard_export,
        name="scorecard_export",
    ),
    path("scorecards/<slug:slug>/compare/", benchmark_views.area_compare, name="area_compare"),
    path("scorecards/<slug:slug>/narrative/", upload_views.narrative, name="narrative"),
    path(
        "scorecards/<slug:slug>/commentary/", upload_views.area_commentary, name="area_commentary"
    ),
    path("benchmarks/", benchmark_views.benchmarks, name="benchmarks"),
    path("benchmarks/<slug:key>/", benchmark_views.benchmark, name="benchmark"),
    path("measures/<slug:code>/", views.measure, name="measure"),
    path("measures/<slug:code>/correct/", upload_views.correct, name="correct"),
    path("measures/<slug:code>/commentary/", upload_views.commentary, name="commentary"),
    path("upload/", upload_views.upload, name="upload"),
    path("upload/template.xlsx", upload_views.template_xlsx, name="template_xlsx"),
    path("upload/template.csv", upload_views.template_csv, name="template_csv"),
    path("upload/measure-library.xlsx", upload_views.library_xlsx, name="library_xlsx"),
    path("upload/<int:pk>/", upload_views.upload_detail, name="upload_detail"),
    path("upload/<int:pk>/problems.csv", upload_views.problems_csv, name="upload_problems"),
    path("upload/<int:pk>/confirm/", upload_views.upload_confirm, name="upload_confirm"),
    path("upload/<int:pk>/discard/", upload_views.upload_discard, name="upload_discard"),
    path("upload/<int:pk>/rollback/", upload_views.upload_rollback, name="upload_rollback"),
    path(
        "upload/<int:pk>/retry-statuses/",
        upload_views.upload_retry_statuses,
        name="upload_retry_statuses",
    ),
    path("publish/", upload_views.publication, name="publication"),
    path("quality/", report_views.quality_index, name="quality_index"),
    path("finance/", report_views.finance_index, name="finance_index"),
    path("finance/<int:pk>/", report_views.finance_report, name="finance_report"),
    path("finance/template.xlsx", report_views.finance_template, name="finance_template"),
    path("quality/<slug:slug>/", report_views.quality_page, name="quality"),
]
