from django.urls import path

from improvement_plan import views

app_name = "improvement_plan"

urlpatterns = [
    path("risks/", views.risks, name="risks"),
    path("risks/heat-map/", views.heat_map, name="heat_map"),
    path("risks/<str:reference>/", views.risk, name="risk"),
]
