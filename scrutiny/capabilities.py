"""The capabilities roles are made of: part of the floor every app stands on."""

from django.db import models


class Capability(models.Model):
    """Holds the product's capabilities as permissions; it has no rows and no table.

    The roles (groups) are made of these, and views check them with
    ``user.has_perm("scrutiny.<codename>")``, so what a role may do is decided in one place:
    ``scrutiny/roles.py``.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_published", "Read published figures, plans, risks and meeting packs"),
            ("view_drafts", "See draft figures before they are published"),
            ("ask_question", "Send questions to officers before a meeting"),
            ("upload_figures", "Upload and correct figures"),
            ("edit_measures", "Edit measures, targets and comparators"),
            ("edit_commentary", "Write commentary on measures"),
            ("publish_period", "Publish or withdraw a period's figures"),
            ("update_plan", "Record improvement plan progress and action status"),
            ("review_risks", "Record quarterly risk reviews"),
            ("answer_question", "Draft answers to members' questions"),
            ("sign_off", "Sign off plan updates and risk reviews, approve answers"),
            ("manage_meetings", "Manage committees, meetings, work programme and packs"),
        ]

    def __str__(self):
        return "Capabilities"
