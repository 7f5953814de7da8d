from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from metrics import library_loading
from metrics.loading import Refused


class Command(BaseCommand):
    help = (
        "Load the measure library (measures, targets, comparators) from an XLSX with sheets "
        "Measures, Targets and Comparators, or one CSV of one kind. Prints every problem with "
        "its sheet, row and column and writes nothing until the file is clean."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", default=None, help="the account the change is kept against")
        parser.add_argument("--reason", default="", help="why (needed when judging changes)")
        parser.add_argument("--dry-run", action="store_true", help="show the preview only")

    def handle(self, *args, file, user, reason, dry_run, **options):
        account = (
            User.objects.filter(username=user).first()
            if user
            else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        )
        if account is None:
            raise CommandError(f"No user {user!r}." if user else "Create a superuser first.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        library, problems = library_loading.read_and_check(data, file.name)
        if problems:
            for p in problems[:200]:
                where = " ".join(
                    x for x in (p.sheet, f"row {p.row}" if p.row else "", p.column) if x
                )
                self.stderr.write(f"{file.name}: {where}: {p.message}")
            raise CommandError(f"{len(problems)} problem(s): nothing was loaded.")
        summary = library_loading.preview(library)
        self.stdout.write(
            f"{len(summary['new_measures'])} new measures, {len(summary['changed_measures'])} "
            f"changed, {len(summary['new_areas'])} new service areas, {summary['targets']} "
            f"targets, {summary['comparators']} comparators."
        )
        for change in summary["changed_measures"]:
            for name, old, new in change["changes"]:
                self.stdout.write(f"  {change['code']} {name}: {old} → {new}")
        for ended in summary["targets_ended_by_the_next"]:
            self.stdout.write(f"  ended by the next target: {ended}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            library_loading.commit(library, account, reason)
        except Refused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write("Loaded; the statuses of the measures touched are being recomputed.")
