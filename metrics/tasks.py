from celery import shared_task

from metrics.models import Measure


@shared_task(acks_late=True)
def recompute_statuses(measure_ids=None):
    """Recompute the statuses of these measures (all measures when None). Safe to repeat."""
    measures = Measure.objects.all()
    if measure_ids is not None:
        measures = measures.filter(pk__in=measure_ids)
    return measures.recompute_statuses()
