"""The product's today.

A council leaves ``AS_AT`` unset and the product judges everything (overdue actions, question
deadlines, the next meeting, overdue risk reviews) as at the real date. A demonstration, or a
committee reading an old pack again, sets it to read the council as at that day; every page then
says so in a banner. Times of things done (when a figure was saved, a risk closed) stay real.
"""

from django.conf import settings
from django.utils import timezone


def today():
    return settings.AS_AT or timezone.localdate()


def shifted():
    """The as-at date when it is not the real date, else None (for the banner)."""
    as_at = settings.AS_AT
    return as_at if as_at and as_at != timezone.localdate() else None
