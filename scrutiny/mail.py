"""The outbox: e-mails written with the change they tell of, sent by a worker. Part of the
floor every app stands on."""

from celery import shared_task
from django.db import models


class OutgoingEmail(models.Model):
    """An e-mail to send, written with the change it tells of and sent by a worker, so that a
    mail server that is down delays it instead of failing the change. Kept once sent."""

    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    MAX_ATTEMPTS = 12  # at the sweeper's pace, about an hour of a mail server being down

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_unsent")]

    def __str__(self):
        return f"{self.subject} to {self.recipient}"

    @classmethod
    def queue(cls, recipients, subject, body):
        """Write one e-mail per recipient and send each once the transaction commits."""
        from scrutiny.queue import enqueue

        emails = cls.objects.bulk_create(
            cls(recipient=r, subject=subject[:300], body=body) for r in recipients
        )
        for email in emails:
            enqueue(send_email, email.pk)
        return len(emails)

    def send(self):
        """Send it unless it has been sent; on failure, count the attempt and keep the error."""
        from django.core.mail import send_mail
        from django.utils import timezone

        if self.sent_at:
            return True
        try:
            send_mail(self.subject, self.body, None, [self.recipient])
        except Exception as error:  # noqa: BLE001 - kept and retried by the sweeper
            OutgoingEmail.objects.filter(pk=self.pk).update(
                attempts=models.F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"
            )
            return False
        OutgoingEmail.objects.filter(pk=self.pk).update(
            sent_at=timezone.now(), attempts=models.F("attempts") + 1, last_error=""
        )
        return True


@shared_task(name="scrutiny.tasks.send_email", acks_late=True)
def send_email(email_id):
    """Send one e-mail from the outbox; nothing happens if it has been sent already. (Named as
    it was when it lived in scrutiny/tasks.py, so e-mails already queued are still sent.)"""
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    return bool(email and email.send())
