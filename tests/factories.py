"""Keyword-only factories that fill every required field, so a test states only what it needs."""

from datetime import date
from decimal import Decimal
from itertools import count

from django.contrib.auth.models import Group, User

from metrics.models import (
    Frequency,
    Measure,
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
