from celery import shared_task


@shared_task(acks_late=True)
def build_pack_pdf(pack_id):
    """Render a published pack to PDF and keep it with the pack. Safe to repeat."""
    from scrutiny.pdf import build

    return build(pack_id)
