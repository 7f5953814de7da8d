from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/<slug:slug>/", views.scorecard, name="scorecard"),
    path("measures/<slug:code>/", views.measure, name="measure"),
]
