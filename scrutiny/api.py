"""The read-only JSON API, /api/v1/. Its OpenAPI schema is derived from the code by
django-ninja and served at /api/v1/openapi.json."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from scrutiny.models import ApiToken


class PersonalToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from the user's API tokens page."""

    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Children's services scrutiny API",
    version="1",
    description=(
        "Read-only access to service areas, measures, figures and computed statuses, the risk "
        "register, the improvement plan, meetings and their frozen packs. "
        "Sign in to the site, or send a personal token as `Authorization: Bearer <token>`. "
        "Committee members see published figures only."
    ),
    auth=[django_auth, PersonalToken()],
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"message": str(exc) or "Not found."}, status=404)


api.add_router("/", "metrics.api.router")
api.add_router("/", "improvement_plan.api.router")
api.add_router("/", "scrutiny.meetings_api.router")
