"""The sweeper: hands to the workers again whatever was recorded but never done.

Work is recorded in the database with the change that needs it (see ``scrutiny.queue``). When
the broker was down at the time, or a worker died mid-task, the record stays; every few
minutes this finds records older than ``STUCK_WORK_MINUTES`` and queues their work again.
Every task it queues is idempotent.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from metrics.models import Measure, Upload
from metrics.tasks import (
    check_upload_in_background,
    recompute_after_upload,
    recompute_in_background,
)
from scrutiny.mail import OutgoingEmail
from scrutiny.models import MeetingPack
from scrutiny.queue import send
from scrutiny.tasks import build_pack_pdf, send_email


def sweep(now=None):
    """Queue stuck work again; returns what was queued, by kind."""
    now = now or timezone.now()
    before = now - timedelta(minutes=settings.STUCK_WORK_MINUTES)
    queued = {"uploads": 0, "upload statuses": 0, "recomputes": 0, "pdfs": 0, "emails": 0}

    for pk in Upload.objects.filter(
        status=Upload.Status.CHECKING, uploaded_at__lt=before
    ).values_list("pk", flat=True):
        queued["uploads"] += send(check_upload_in_background, pk)

    # Loaded files whose statuses never came; a failure waits for a person's "Try again".
    for upload in Upload.objects.filter(
        status=Upload.Status.COMMITTED,
        statuses_ready_at__isnull=True,
        statuses_error="",
        committed_at__lt=before,
    ):
        ids = sorted(set(upload.changes.values_list("measure_id", flat=True)))
        queued["upload statuses"] += send(recompute_after_upload, upload.pk, ids)

    wanted = sorted(
        Measure.objects.filter(recompute_wanted_at__lt=before).values_list("pk", flat=True)
    )
    if wanted:
        queued["recomputes"] += send(recompute_in_background, wanted)

    stuck_pdfs = MeetingPack.objects.filter(
        pdf_status__in=[MeetingPack.PdfStatus.QUEUED, MeetingPack.PdfStatus.BUILDING]
    ).filter(Q(pdf_queued_at__lt=before) | Q(pdf_queued_at__isnull=True))
    for pk in stuck_pdfs.values_list("pk", flat=True):
        MeetingPack.objects.filter(pk=pk).update(
            pdf_status=MeetingPack.PdfStatus.QUEUED, pdf_queued_at=now
        )
        queued["pdfs"] += send(build_pack_pdf, pk)

    for pk in OutgoingEmail.objects.filter(
        sent_at__isnull=True,
        attempts__lt=OutgoingEmail.MAX_ATTEMPTS,
        created_at__lt=now - timedelta(minutes=1),
    ).values_list("pk", flat=True):
        queued["emails"] += send(send_email, pk)
    return queued
