from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from improvement_plan.daily import daily_round


class Command(BaseCommand):
    help = "Flag overdue plan actions and e-mail owners their digest (what the daily job does)."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="Run as at this date (YYYY-MM-DD) instead of today")
        parser.add_argument("--no-email", action="store_true", help="Flag only; send nothing")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["on"]) if options["on"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--on: {error}; give a date as YYYY-MM-DD.") from error
        result = daily_round(today, send=not options["no_email"])
        self.stdout.write(str(result))
        for action in result.overdue[:20]:
            self.stdout.write(f"  overdue {action.reference} (due {action.due_label})")
