from celery import shared_task

from metrics.models import Measure


@shared_task(acks_late=True)
def recompute_statuses(measure_ids=None):
    """Recompute the statuses of these measures (all measures when None). Safe to repeat."""
    measures = Measure.objects.all()
    if measure_ids is not None:
        measures = measures.filter(pk__in=measure_ids)
    return measures.recompute_statuses()


@shared_task(acks_late=True)
def check_upload(upload_id):
    """Check an uploaded file and preview its changes; does nothing once it has been checked."""
    from metrics.loading import check_upload as check
    from metrics.models import Upload

    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is not None:
        check(upload)


@shared_task(acks_late=True)
def recompute_after_upload(upload_id, measure_ids):
    """Recompute the statuses an upload affects, then mark its statuses ready."""
    from django.utils import timezone

    from metrics.models import Upload

    Measure.objects.filter(pk__in=measure_ids).recompute_statuses()
    Upload.objects.filter(pk=upload_id).update(
        statuses_ready_at=timezone.now(), stage="Statuses ready", percent=100
    )
