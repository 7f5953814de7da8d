from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ScrutinyConfig(AppConfig):
    name = "scrutiny"
    verbose_name = "Scrutiny"

    def ready(self):
        from scrutiny.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="scrutiny.sync_roles")
