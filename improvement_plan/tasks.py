from celery import shared_task

from improvement_plan.models import Risk
from scrutiny import clock


@shared_task
def flag_overdue_reviews():
    """Daily: a risk with no review for the last closed quarter is overdue. Safe to repeat."""
    today = clock.today()
    return sum(risk.flag_if_overdue(today) for risk in Risk.objects.filter(closed_at__isnull=True))


@shared_task
def plan_daily_round():
    """Daily: flag overdue actions and send each owner their digest."""
    from improvement_plan.daily import daily_round

    return str(daily_round(clock.today()))
