"""Keyword-only factories that fill every required field, so a test states only what it needs."""

from datetime import date
from decimal import Decimal
from itertools import count

from django.contrib.auth.models import Group, User

from metrics.models import (
    Commentary,
    Frequency,
    Measure,
    Narrative,
    Observation,
    Polarity,
    ReportingBasis,
    Section,
    ServiceArea,
    Target,
    Unit,
)
from scrutiny import roles

_numbers = count(1)


def make_user(*, role=None, username=None, password="correct-horse-battery-staple"):
    roles.sync_roles()
    user = User.objects.create_user(
        username=username or f"user{next(_numbers)}",
        password=password,
        email="someone@example.org",
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
        user.is_staff = role in roles.STAFF_ROLES
        user.save()
    return user


def make_area(*, name=None, slug=None, order=0):
    number = next(_numbers)
    return ServiceArea.objects.create(
        name=name or f"Area {number}", slug=slug or f"area-{number}", order=order
    )


def make_section(*, area=None, name=None, order=0):
    return Section.objects.create(
        area=area or make_area(), name=name or f"Section {next(_numbers)}", order=order
    )


def make_measure(
    *,
    area=None,
    section=None,
    code=None,
    name=None,
    polarity=Polarity.BIGGER,
    unit=Unit.PERCENT,
    frequency=Frequency.QUARTERLY,
    **fields,
):
    area = area or (section.area if section else make_area())
    number = next(_numbers)
    return Measure.objects.create(
        code=code or f"M{number:04d}",
        name=name or f"Measure {number}",
        area=area,
        section=section,
        polarity=polarity,
        unit=unit,
        frequency=frequency,
        reporting_basis=fields.pop("reporting_basis", ReportingBasis.LATEST_QUARTER),
        **fields,
    )


def make_observation(
    *, measure=None, period_end=date(2022, 6, 1), value="50", published=True, breakdown="", **fields
):
    measure = measure or make_measure()
    return Observation.objects.create(
        measure=measure,
        period_kind=measure.frequency,
        period_end=period_end,
        value=None if value is None else Decimal(str(value)),
        published=published,
        breakdown=breakdown,
        **fields,
    )


def make_target(*, measure=None, value="80", effective_from=date(2022, 6, 1), **fields):
    return Target.objects.create(
        measure=measure or make_measure(),
        value=Decimal(str(value)),
        effective_from=effective_from,
        **fields,
    )


def make_commentary(*, measure=None, period_end=date(2022, 6, 1), text="Why it moved.", **fields):
    """An officer's words on a measure's figure (a draft unless `published=True`)."""
    measure = measure or make_measure()
    return Commentary.objects.create(
        measure=measure,
        period_kind=fields.pop("period_kind", measure.frequency),
        period_end=period_end,
        text=text,
        **fields,
    )


def make_narrative(*, area, period, text="How the quarter went.", **fields):
    """An area's narrative for a period (one with `kind` and `end`), a draft unless published."""
    return Narrative.objects.create(
        area=area, period_kind=period.kind, period_end=period.end, text=text, **fields
    )


def make_workstream(*, number="1.1", title=None, lead="A Lead", plan=None, priority=None):
    """A workstream in a plan with one open reporting period (April to June 2022)."""
    from improvement_plan.models import Plan, Priority, ReportingPeriod, Workstream

    if priority is None:
        if plan is None:
            plan = Plan.objects.create(title="Improvement plan", version=f"v{next(_numbers)}")
            ReportingPeriod.objects.create(plan=plan, start=date(2022, 4, 1), end=date(2022, 6, 30))
        priority, _ = Priority.objects.get_or_create(
            plan=plan, number=int(number.split(".")[0]), defaults={"title": "A priority"}
        )
    return Workstream.objects.create(
        priority=priority, number=number, title=title or f"Workstream {number}", lead=lead
    )


def make_action(
    *, workstream=None, reference=None, due_month=date(2022, 9, 1), owners=(), **fields
):
    from improvement_plan.models import KeyAction, Owner

    workstream = workstream or make_workstream()
    action = KeyAction.objects.create(
        workstream=workstream,
        reference=reference or f"{workstream.number}-A{next(_numbers):02d}",
        text=fields.pop("text", "Do the thing"),
        due_month=due_month,
        **fields,
    )
    for owner in owners:
        if isinstance(owner, str):
            owner, _ = Owner.objects.get_or_create(name=owner)
        action.owners.add(owner)
    action.owners_as_printed = " / ".join(o.name for o in action.owners.all())
    action.save(update_fields=["owners_as_printed"])
    return action


def make_update(*, workstream=None, signed_off=True, **fields):
    from django.utils import timezone

    from improvement_plan.models import ProgressStatus, ProgressUpdate

    workstream = workstream or make_workstream()
    now = timezone.now()
    return ProgressUpdate.objects.create(
        workstream=workstream,
        period=fields.pop("period", None) or workstream.plan.current_period(),
        actions_status=fields.pop("actions_status", ProgressStatus.ON_TARGET),
        impact_status=fields.pop("impact_status", ProgressStatus.IN_PROGRESS),
        comment=fields.pop("comment", "Going well."),
        progress_made=fields.pop("progress_made", "Did things"),
        written_at=now,
        signed_off_at=now if signed_off else None,
        **fields,
    )


def make_meeting(*, committee=None, day=date(2022, 9, 15), **fields):
    from scrutiny.models import Committee, Meeting

    if committee is None:
        number = next(_numbers)
        committee = Committee.objects.create(name=f"Committee {number}", slug=f"committee-{number}")
    return Meeting.objects.create(committee=committee, date=day, **fields)


def make_risk(*, reference=None, title="Not enough social workers", mitigations="", **fields):
    from improvement_plan.models import Risk, RiskRegister

    register, _ = RiskRegister.objects.get_or_create(name="Children's services")
    return Risk.objects.create(
        reference=reference or f"R{next(_numbers)}",
        title=title,
        register=register,
        mitigations=mitigations,
        **fields,
    )


def make_review(*, risk=None, quarter_end=date(2022, 6, 1), impact=3, likelihood=3, **fields):
    """A quarter's review of a risk, signed off unless ``signed_off_at=None`` is given."""
    from django.utils import timezone

    from improvement_plan.models import RiskAssessment

    now = timezone.now()
    return RiskAssessment.objects.create(
        risk=risk or make_risk(),
        quarter_end=quarter_end,
        impact=impact,
        likelihood=likelihood,
        assessed_at=fields.pop("assessed_at", now),
        signed_off_at=fields.pop("signed_off_at", now),
        **fields,
    )


def make_question(*, meeting=None, asked_by=None, text="Why are re-referrals rising?", **fields):
    from django.utils import timezone

    from scrutiny.models import Question

    return Question.objects.create(
        meeting=meeting or make_meeting(),
        asked_by=asked_by or make_user(role=roles.COMMITTEE_MEMBER),
        text=text,
        submitted_at=fields.pop("submitted_at", timezone.now()),
        **fields,
    )


def make_minute_action(*, meeting=None, reference=None, text="Report back on agency staff"):
    from scrutiny.models import MinuteAction

    meeting = meeting or make_meeting()
    return MinuteAction.objects.create(
        committee=meeting.committee,
        meeting=meeting,
        reference=reference or f"A{next(_numbers)}",
        text=text,
        owners="CS",
    )


def make_inspection(*, title="Inspection of children's services", recommendations=("R1",)):
    from improvement_plan.models import Inspection, Recommendation

    inspection = Inspection.objects.create(
        title=title, kind="ILACS standard", starts_on=date(2022, 3, 7), ends_on=date(2022, 3, 18)
    )
    for order, reference in enumerate(recommendations):
        Recommendation.objects.create(
            inspection=inspection, reference=reference, text=f"Improve {reference}", order=order
        )
    return inspection
