from django.urls import path

from improvement_plan import plan_views, risk_views, structure_views
from scrutiny.editing import add_and_change

app_name = "improvement_plan"

urlpatterns = [
    path("plan/", plan_views.plan, name="plan"),
    path("plan/versions/<int:pk>/", plan_views.plan, name="plan_version"),
    path("plan/versions/new/", plan_views.new_version, name="new_version"),
    path("plan/coverage/", plan_views.coverage, name="coverage"),
    path("plan/new/", structure_views.plan_form, name="plan_new"),
    path("plan/versions/<int:pk>/change/", structure_views.plan_form, name="plan_change"),
    *add_and_change("plan/priorities/", structure_views.priority_form, "priority"),
    *add_and_change("plan/workstreams/", structure_views.workstream_form, "workstream"),
    path("plan/workstreams/<int:pk>/actions/new/", structure_views.action_form, name="action_new"),
    path(
        "plan/workstreams/<int:pk>/milestones/new/",
        structure_views.milestone_form,
        name="milestone_new",
    ),
    *add_and_change(
        "plan/workstreams/<int:pk>/metrics/", structure_views.metric_form, "metric", "<int:item>"
    ),
    path("plan/actions/", plan_views.actions, name="actions"),
    path("plan/actions/<int:pk>/", plan_views.action, name="action"),
    path("plan/milestones/<int:pk>/", plan_views.milestone, name="milestone"),
    path("plan/priorities/<int:pk>/status/", plan_views.priority_status, name="priority_status"),
    path("plan/workstreams/<int:pk>/", plan_views.workstream, name="workstream"),
    path("plan/workstreams/<int:pk>/update/", plan_views.write_update, name="write_update"),
    path("plan/updates/<int:pk>/sign-off/", plan_views.sign_off_update, name="sign_off_update"),
    path("plan/updates/<int:pk>/return/", plan_views.return_update, name="return_update"),
    path("plan/owners/", plan_views.owners, name="owners"),
    path("risks/", risk_views.risks, name="risks"),
    path("risks/heat-map/", risk_views.heat_map, name="heat_map"),
    path("risks/overdue/", risk_views.overdue, name="overdue"),
    # "risks/new/" before "risks/<reference>/", which would take "new" for a reference.
    *add_and_change("risks/", risk_views.risk_form, "risk", "<str:reference>"),
    path("risks/<str:reference>/", risk_views.risk, name="risk"),
    path("risks/<str:reference>/review/", risk_views.review, name="review"),
    path("risks/<str:reference>/sign-off/", risk_views.sign_off, name="sign_off"),
    path("risks/<str:reference>/return/", risk_views.return_review, name="return_review"),
    path("risks/<str:reference>/close/", risk_views.close_risk, name="risk_close"),
]
