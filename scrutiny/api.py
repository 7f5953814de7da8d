"""The read-only JSON API, /api/v1/. Its OpenAPI schema is derived from the code by
django-ninja and served at /api/v1/openapi.json."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from scrutiny.tokens import ApiToken


def _reader(user):
    """The same capability as the pages: signed in is not enough, a role must let the user
    read published figures (a user with no role is refused, 403)."""
    if user is None:
        return None
    if not user.has_perm("scrutiny.view_published"):
        raise PermissionDenied
    return user


class SignedIn(SessionAuth):
    """The site's own session."""

    def authenticate(self, request, key):
        return _reader(super().authenticate(request, key))


class PersonalToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from the user's API tokens page."""

    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return _reader(user)


api = NinjaAPI(
    title="Children's services scrutiny API",
    version="1",
    description=(
        "Read-only access to service areas, measures, figures and computed statuses, the risk "
        "register, the improvement plan, meetings and their frozen packs. "
        "Sign in to the site, or send a personal token as `Authorization: Bearer <token>`. "
        "Committee members see published figures only."
    ),
    auth=[SignedIn(), PersonalToken()],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request,
        {"message": "Sign in, or send a personal API token as Authorization: Bearer <token>."},
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid(request, exc):
    problems = [
        {"where": ".".join(str(part) for part in e.get("loc", [])), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    summary = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
    return api.create_response(
        request, {"message": f"The request is not valid: {summary}", "errors": problems}, status=422
    )


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(
        request, {"message": "Your role does not give access to this."}, status=403
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"message": str(exc) or "Not found."}, status=404)


api.add_router("/", "metrics.api.router")
api.add_router("/", "metrics.national_api.router")
api.add_router("/", "improvement_plan.api.router")
api.add_router("/", "scrutiny.meetings_api.router")
