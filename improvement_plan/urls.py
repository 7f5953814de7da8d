from django.urls import path

from improvement_plan import views

app_name = "improvement_plan"

urlpatterns = [
    path("risks/", views.risks, name="risks"),
    path("risks/heat-map/", views.heat_map, name="heat_map"),
    path("risks/overdue/", views.overdue, name="overdue"),
    path("risks/<str:reference>/", views.risk, name="risk"),
    path("risks/<str:reference>/review/", views.review, name="review"),
    path("risks/<str:reference>/sign-off/", views.sign_off, name="sign_off"),
]
