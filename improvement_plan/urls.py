from django.urls import path

from improvement_plan import plan_views, risk_views, structure_views

app_name = "improvement_plan"

urlpatterns = [
    path("plan/", plan_views.plan, name="plan"),
    path("plan/versions/<int:pk>/", plan_views.plan, name="plan_version"),
    path("plan/versions/new/", plan_views.new_version, name="new_version"),
    path("plan/coverage/", plan_views.coverage, name="coverage"),
    path("plan/new/", structure_views.plan_form, name="plan_new"),
    path("plan/versions/<int:pk>/change/", structure_views.plan_form, name="plan_change"),
    path("plan/priorities/new/", structure_views.priority_form, name="priority_new"),
    path("plan/priorities/<int:pk>/change/", structure_views.priority_form, name="priority_change"),
    path("plan/workstreams/new/", structure_views.workstream_form, name="workstream_new"),
    path(
        "plan/workstreams/<int:pk>/change/",
        structure_views.workstream_form,
        name="workstream_change",
    ),
    path("plan/workstreams/<int:pk>/actions/new/", structure_views.action_form, name="action_new"),
    path(
        "plan/workstreams/<int:pk>/milestones/new/",
        structure_views.milestone_form,
        name="milestone_new",
    ),
    path("plan/workstreams/<int:pk>/metrics/new/", structure_views.metric_form, name="metric_new"),
    path(
        "plan/workstreams/<int:pk>/metrics/<int:item>/change/",
        structure_views.metric_form,
        name="metric_change",
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
    path("risks/new/", risk_views.risk_form, name="risk_new"),
    path("risks/<str:reference>/", risk_views.risk, name="risk"),
    path("risks/<str:reference>/review/", risk_views.review, name="review"),
    path("risks/<str:reference>/sign-off/", risk_views.sign_off, name="sign_off"),
    path("risks/<str:reference>/return/", risk_views.return_review, name="return_review"),
    path("risks/<str:reference>/change/", risk_views.risk_form, name="risk_change"),
    path("risks/<str:reference>/close/", risk_views.close_risk, name="risk_close"),
]
