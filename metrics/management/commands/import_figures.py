from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from metrics import calculations as calc
from metrics import loading
from metrics.models import ServiceArea, Upload


class Command(BaseCommand):
    help = (
        "Load a file of figures through the same checks as the upload page. Prints every "
        "problem and exits non-zero, writing nothing, when the file is not clean."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            default=None,
            help="the account the load is recorded against (default: the first active superuser)",
        )
        parser.add_argument(
            "--reason", default="Scheduled load", help="kept with each changed figure"
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the periods loaded, for their service areas",
        )

    def handle(self, *args, file, user, reason, publish, **options):
        account = self._account(user)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        upload = loading.receive(data, file.name, account)
        loading.check_upload(upload)
        upload.refresh_from_db()
        if upload.status == Upload.Status.INVALID:
            for problem in upload.problems:
                where = f"row {problem['row']}" if problem["row"] else "file"
                if problem["column"]:
                    where += f", column {problem['column']}"
                self.stderr.write(f"{file.name}: {where}: {problem['message']}")
            raise CommandError(
                f"{upload.problem_count} problem(s) in {file.name}: nothing was loaded."
            )
        try:
            loading.commit(upload, account, reason)
        except loading.Refused as refused:
            raise CommandError(str(refused)) from None
        upload.refresh_from_db()
        self.stdout.write(
            f"Loaded {file.name}: {upload.new_count} new, {upload.changed_count} changed, "
            f"{upload.unchanged_count} unchanged (upload {upload.pk})."
        )
        if publish:
            self._publish(upload, account)

    def _account(self, username):
        users = User.objects.filter(is_active=True)
        account = (
            users.filter(username=username)
            if username
            else users.filter(is_superuser=True).order_by("pk")
        ).first()
        if account is None:
            raise CommandError(
                f"No active user {username!r}."
                if username
                else "No active superuser to record the load against: pass --user."
            )
        return account

    def _publish(self, upload, account):
        loaded = upload.changes.values_list(
            "measure__area_id", "period_kind", "period_end"
        ).distinct()
        for area_id, kind, end in loaded:
            area = ServiceArea.objects.get(pk=area_id)
            count = loading.publish(area, calc.Period(end, kind), account)
            self.stdout.write(f"Published {count} figures: {area}, {calc.Period(end, kind)}.")
