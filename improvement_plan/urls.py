from django.urls import path

from improvement_plan import plan_views, views

app_name = "improvement_plan"

urlpatterns = [
    path("plan/", plan_views.plan, name="plan"),
    path("plan/versions/<int:pk>/", plan_views.plan, name="plan_version"),
    path("plan/versions/new/", plan_views.new_version, name="new_version"),
    path("plan/coverage/", plan_views.coverage, name="coverage"),
    path("plan/actions/", plan_views.actions, name="actions"),
    path("plan/actions/<int:pk>/", plan_views.action, name="action"),
    path("plan/milestones/<int:pk>/", plan_views.milestone, name="milestone"),
    path("plan/priorities/<int:pk>/status/", plan_views.priority_status, name="priority_status"),
    path("plan/workstreams/<int:pk>/", plan_views.workstream, name="workstream"),
    path("plan/workstreams/<int:pk>/update/", plan_views.write_update, name="write_update"),
    path("plan/updates/<int:pk>/sign-off/", plan_views.sign_off_update, name="sign_off_update"),
    path("risks/", views.risks, name="risks"),
    path("risks/heat-map/", views.heat_map, name="heat_map"),
    path("risks/overdue/", views.overdue, name="overdue"),
    path("risks/new/", views.risk_form, name="risk_new"),
    path("risks/<str:reference>/", views.risk, name="risk"),
    path("risks/<str:reference>/review/", views.review, name="review"),
    path("risks/<str:reference>/sign-off/", views.sign_off, name="sign_off"),
    path("risks/<str:reference>/change/", views.risk_form, name="risk_change"),
    path("risks/<str:reference>/close/", views.close_risk, name="risk_close"),
]
