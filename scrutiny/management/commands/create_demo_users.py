from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from scrutiny import roles

# One user per role. Every demo password is the same and is printed by `make run`; the command
# refuses to run when DEBUG is off, so they can never exist on a live site.
DEMO_PASSWORD = "demo-password-2022"
DEMO_USERS = [
    ("member", "Demo", "Committee Member", roles.COMMITTEE_MEMBER),
    ("officer", "Demo", "Performance Officer", roles.PERFORMANCE_OFFICER),
    ("lead", "Demo", "Service Lead", roles.SERVICE_LEAD),
    ("director", "Demo", "Director", roles.DIRECTOR),
    ("admin", "Demo", "Administrator", roles.ADMINISTRATOR),
]


class Command(BaseCommand):
    help = "Create one demo user per role (development only: refused when DEBUG is off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are never created when DJANGO_DEBUG is off.")
        roles.sync_roles()
        for username, first, last, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            user.is_staff = role in roles.STAFF_ROLES
            user.save()
            user.groups.set([Group.objects.get(name=role)])
        # The demo member sits on the demo committee, to receive packs and ask questions.
        from scrutiny.models import Committee, Membership

        for committee in Committee.objects.all():
            Membership.objects.update_or_create(
                committee=committee,
                name="Demo Committee Member",
                defaults={
                    "user": User.objects.get(username="member"),
                    "role": Membership.Role.MEMBER,
                    "source": "Demo account, not in the papers",
                },
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {username:<9} {role}")
