from django.conf import settings
from django.urls import reverse

from scrutiny import clock
from scrutiny.roles import role_of

# (label, url name, capability needed or None, the url-name prefixes that make it current)
NAVIGATION = [
    ("Dashboard", "scrutiny:home", None, ("scrutiny:home",)),
    (
        "Awaiting you",
        "scrutiny:awaiting",
        "scrutiny.sign_off|scrutiny.manage_meetings",
        ("scrutiny:awaiting",),
    ),
    ("Scorecards", "metrics:scorecards", None, ("metrics:scorecard", "metrics:measure")),
    ("How we compare", "metrics:benchmarks", None, ("metrics:benchmark", "metrics:area_compare")),
    ("Quality assurance", "metrics:quality_index", None, ("metrics:quality",)),
    ("Finance", "metrics:finance_index", None, ("metrics:finance",)),
    ("Upload", "metrics:upload", "scrutiny.upload_figures", ("metrics:upload",)),
    (
        "Improvement plan",
        "improvement_plan:plan",
        None,
        (
            "improvement_plan:plan",
            "improvement_plan:workstream",
            "improvement_plan:write_update",
            "improvement_plan:coverage",
            "improvement_plan:action",
            "improvement_plan:milestone",
            "improvement_plan:priority_status",
            "improvement_plan:new_version",
        ),
    ),
    ("Risks", "improvement_plan:risks", None, ("improvement_plan:risk", "improvement_plan:heat")),
    (
        "Meetings",
        "scrutiny:meetings",
        None,
        (
            "scrutiny:meeting",
            "scrutiny:pack",
            "scrutiny:work_programme",
            "scrutiny:minute_action",
        ),
    ),
    (
        "Questions",
        "scrutiny:my_questions",
        None,
        ("scrutiny:my_questions", "scrutiny:question", "scrutiny:ask"),
    ),
    ("Inspections", "scrutiny:inspections", None, ("scrutiny:inspections", "scrutiny:inspection")),
    ("Users", "scrutiny:users", "auth.change_user", ("scrutiny:users", "scrutiny:user")),
    ("Set up", "scrutiny:setup", "scrutiny.edit_measures|auth.change_user", ("scrutiny:setup",)),
]


def _navigation(request):
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    items = []
    for label, url_name, capability, prefixes in NAVIGATION:
        if capability and not any(request.user.has_perm(c) for c in capability.split("|")):
            continue
        href = reverse(url_name)
        items.append(
            {
                "text": label,
                "href": href,
                "current": current.startswith(prefixes) if current else False,
            }
        )
    return items


def site(request):
    user = getattr(request, "user", None)
    return {
        "council_name": settings.COUNCIL_NAME,
        "council_brand_colour": settings.COUNCIL_BRAND_COLOUR,
        "council_logo": settings.COUNCIL_LOGO,
        "council_la_code": settings.COUNCIL_LA_CODE,
        "service_name": settings.SERVICE_NAME,
        "navigation": _navigation(request) if user and user.is_authenticated else [],
        "user_roles": role_of(user) if user and user.is_authenticated else [],
        "as_at": clock.shifted(),
    }
