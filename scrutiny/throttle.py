"""Sign-in throttling: per user name and address (django-axes), and per address across names."""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from scrutiny.proxy import client_address


class AddressAwareHandler(AxesDatabaseHandler):
    """django-axes locks a (user name, address) pair after AXES_FAILURE_LIMIT failures. That
    alone never slows someone trying a few passwords on each of many accounts, so an address
    is also locked once its failures across all user names reach LOGIN_ADDRESS_FAILURE_LIMIT
    within the cool-off time."""

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        if address_failures(client_address(request)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True  # answered with the lockout page, 429
            return True
        return False


def address_failures(address):
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    return (
        AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        or 0
    )
