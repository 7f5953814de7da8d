from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo council (fixtures/) idempotently: running it twice changes nothing."

    def handle(self, *args, **options):
        from improvement_plan.demo import load_plan, load_risks
        from metrics.demo import load_scorecard
        from scrutiny.demo import load_committee, load_inspection

        with transaction.atomic():
            summary = load_scorecard() + load_plan() + load_risks() + load_inspection()
            summary += load_committee()
        for line in summary:
            self.stdout.write(line)
