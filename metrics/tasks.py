import logging

from celery import shared_task

from metrics.models import Measure

log = logging.getLogger(__name__)

# A file that fails (or kills the worker) this many times is reported as unreadable rather
# than redelivered for ever.
CHECK_ATTEMPTS = 3


@shared_task(acks_late=True)
def recompute_in_background(measure_ids=None):
    """Recompute the statuses of these measures (all measures when None). Safe to repeat."""
    measures = Measure.objects.all()
    if measure_ids is not None:
        measures = measures.filter(pk__in=measure_ids)
    return measures.recompute_statuses()


@shared_task(acks_late=True)
def check_upload_in_background(upload_id):
    """Check an uploaded file and preview its changes; does nothing once it has been checked."""
    from django.db.models import F

    from metrics.loading import check_upload as check
    from metrics.loading import give_up_checking
    from metrics.models import Upload

    Upload.objects.filter(pk=upload_id, status=Upload.Status.CHECKING).update(
        check_attempts=F("check_attempts") + 1
    )
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None:
        return
    if upload.status == Upload.Status.CHECKING and upload.check_attempts > CHECK_ATTEMPTS:
        give_up_checking(upload)
        return
    check(upload)


@shared_task(acks_late=True)
def recompute_after_upload(upload_id, measure_ids):
    """Recompute the statuses an upload affects, then mark its statuses ready. A failure is
    shown on the upload's page, with a button to try again, instead of a page that waits."""
    from django.utils import timezone

    from metrics.models import Upload

    try:
        Measure.objects.filter(pk__in=measure_ids).recompute_statuses()
    except Exception as error:
        log.exception("Statuses after upload %s failed", upload_id)
        Upload.objects.filter(pk=upload_id).update(
            statuses_error=f"{type(error).__name__}: {error}"[:1000],
            stage="Working out the statuses failed",
        )
        return
    Upload.objects.filter(pk=upload_id).update(
        statuses_ready_at=timezone.now(), stage="Statuses ready", percent=100, statuses_error=""
    )
