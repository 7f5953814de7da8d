"""What a council still has to set up before it can publish its first period, counted."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.urls import reverse

from improvement_plan.models import Plan, Risk
from metrics.models import Measure, Observation, ServiceArea
from scrutiny import roles
from scrutiny.models import Committee, Meeting


@dataclass
class Step:
    name: str
    done: bool
    count: str
    how: str
    link: str
    link_text: str
    needed_to_publish: bool = True
    permission: str = "scrutiny.edit_measures"
    who: str = "a performance officer"


def checklist():
    """The steps from an empty product to a first published quarter, in the order a council
    takes them, each with how far it has got and where it is done."""
    areas = ServiceArea.objects.count()
    measures = Measure.objects.filter(active=True).count()
    judged = Measure.objects.filter(active=True, judged=True)
    to_judge = judged.count()
    targeted = judged.filter(targets__isnull=False).distinct().count()
    people = {
        role: User.objects.filter(is_active=True, groups__name=role).count() for role in roles.ROLES
    }
    staffed = people[roles.PERFORMANCE_OFFICER] and people[roles.DIRECTOR]
    committees = Committee.objects.count()
    members = Committee.objects.filter(memberships__isnull=False).distinct().count()
    meetings = Meeting.objects.count()
    figures = Observation.objects.count()
    published = Observation.objects.filter(published=True).count()
    risks = Risk.objects.filter(closed_at__isnull=True).count()
    return [
        Step(
            "Service areas and their sections",
            areas > 0,
            f"{areas} service area{'s' if areas != 1 else ''}",
            "The parts of the service the committee scrutinises, e.g. Children's Social Care.",
            reverse("admin:metrics_servicearea_changelist"),
            "Add service areas",
        ),
        Step(
            "Measures",
            measures > 0,
            f"{measures} active measure{'s' if measures != 1 else ''}",
            "Each with its unit, polarity, frequency, tolerance and source.",
            reverse("admin:metrics_measure_changelist"),
            "Add measures",
        ),
        Step(
            "Targets",
            measures > 0 and targeted == to_judge,
            f"{targeted} of {to_judge} judged measures have a target",
            "A measure without a target in force is shown as 'Missing target', never judged.",
            reverse("admin:metrics_target_changelist"),
            "Add targets",
        ),
        Step(
            "Users and roles",
            bool(staffed),
            ", ".join(f"{n} {role.lower()}{'s' if n != 1 else ''}" for role, n in people.items()),
            "At least a performance officer to load and publish figures and a director to sign "
            "off; committee members to read them.",
            reverse("scrutiny:users"),
            "Invite users",
            permission="auth.change_user",
            who="an administrator",
        ),
        Step(
            "Committee and its members",
            committees > 0 and members == committees,
            f"{committees} committee{'s' if committees != 1 else ''}, {members} with members",
            "The scrutiny committee, its chair and members, linked to their accounts.",
            reverse("scrutiny:committee_new") if not committees else reverse("scrutiny:meetings"),
            "Add the committee",
            needed_to_publish=False,
            permission="scrutiny.manage_meetings",
            who="an administrator",
        ),
        Step(
            "Meetings",
            meetings > 0,
            f"{meetings} meeting{'s' if meetings != 1 else ''}",
            "The year's meetings with their agendas; packs are published for them.",
            reverse("scrutiny:meeting_new"),
            "Add meetings",
            needed_to_publish=False,
            permission="scrutiny.manage_meetings",
            who="an administrator",
        ),
        Step(
            "Improvement plan",
            Plan.objects.current() is not None,
            "a current plan" if Plan.objects.current() else "no plan yet",
            "Priorities, workstreams, key actions, milestones and metrics.",
            reverse("improvement_plan:plan"),
            "Write the plan",
            needed_to_publish=False,
            permission="scrutiny.update_plan",
            who="a service lead or director",
        ),
        Step(
            "Risk register",
            risks > 0,
            f"{risks} open risk{'s' if risks != 1 else ''}",
            "The strategic risks with their ratings, owners and linked measures.",
            reverse("improvement_plan:risk_new")
            if not risks
            else reverse("improvement_plan:risks"),
            "Add risks",
            needed_to_publish=False,
            permission="scrutiny.review_risks",
            who="a service lead or director",
        ),
        Step(
            "Figures for the first period",
            figures > 0,
            f"{figures:,} figure{'s' if figures != 1 else ''} loaded",
            "Upload the period's figures from the template; check the preview; confirm.",
            reverse("metrics:upload"),
            "Upload figures",
            permission="scrutiny.upload_figures",
        ),
        Step(
            "First period published",
            published > 0,
            f"{published:,} published figure{'s' if published != 1 else ''}",
            "Committee members see figures once their period is published.",
            reverse("metrics:publication"),
            "Publish a period",
            permission="scrutiny.publish_period",
        ),
    ]


def ready_to_publish(steps):
    """Everything a first publication needs is in place (publication itself aside)."""
    return all(s.done for s in steps if s.needed_to_publish and s.name != "First period published")
