from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo council (fixtures/) idempotently: running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-national",
            action="store_true",
            help="skip every council's published statistics (fixtures/dfe/, ten seconds)",
        )

    def handle(self, *args, without_national=False, **options):
        from improvement_plan.demo import load_plan, load_risks
        from metrics.demo import load_finance, load_national, load_scorecard
        from metrics.demo_quality import load_quality
        from scrutiny.demo import load_committee, load_inspection

        with transaction.atomic():
            summary = (
                load_scorecard()
                + load_quality()
                + load_finance()
                + load_plan()
                + load_risks()
                + load_inspection()
            )
            if not without_national:  # before the committee, whose published pack shows it
                summary += load_national()
            summary += load_committee()
        for line in summary:
            self.stdout.write(line)
