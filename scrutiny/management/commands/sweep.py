from django.core.management.base import BaseCommand

from scrutiny.sweeper import sweep


class Command(BaseCommand):
    help = (
        "Queue again the work that was recorded but never done (uploads to check, statuses to "
        "recompute, pack PDFs, e-mails): what the sweeper does every few minutes."
    )

    def handle(self, *args, **options):
        queued = sweep()
        self.stdout.write(", ".join(f"{count} {kind}" for kind, count in queued.items()))
