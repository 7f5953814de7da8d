from celery import shared_task


@shared_task(acks_late=True)
def build_pack_pdf(pack_id):
    """Render a published pack to PDF and keep it with the pack. Safe to repeat."""
    from scrutiny.pdf import build

    return build(pack_id)


@shared_task(acks_late=True)
def send_email(email_id):
    """Send one e-mail from the outbox; nothing happens if it has been sent already."""
    from scrutiny.mail import OutgoingEmail

    email = OutgoingEmail.objects.filter(pk=email_id).first()
    return bool(email and email.send())


@shared_task(acks_late=True)
def sweep_stuck_work():
    """Queue again what was recorded but never done (broker or mail server down)."""
    from scrutiny.sweeper import sweep

    return sweep()
