from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scrutiny.api import api
from scrutiny.forms import LoginForm

admin.site.site_header = "Children's services scrutiny: administration"
admin.site.site_title = "Scrutiny administration"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("metrics.urls")),
    path("", include("improvement_plan.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("scrutiny.app_urls")),
]

handler403 = "scrutiny.views.permission_denied"
handler404 = "scrutiny.views.page_not_found"
handler500 = "scrutiny.views.server_error"
