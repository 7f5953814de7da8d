from celery import shared_task

from scrutiny.mail import send_email  # noqa: F401 - the outbox's task, kept with it


@shared_task(acks_late=True)
def build_pack_pdf(pack_id):
    """Render a published pack to PDF and keep it with the pack. Safe to repeat."""
    from scrutiny.pdf import build

    return build(pack_id)


@shared_task(acks_late=True)
def sweep_stuck_work():
    """Queue again what was recorded but never done (broker or mail server down)."""
    from scrutiny.sweeper import sweep

    return sweep()
