"""Personal tokens for the read-only API. Part of the floor every app stands on."""

from django.db import models


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Not revoked and not expired (a token issued before a password change is refused
        by ``user_for`` too, since it no longer matches the password)."""
        from django.utils import timezone

        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A personal token for the read-only API. Only a hash is stored: the token is shown once."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires")
    password_stamp = models.CharField(
        max_length=128,
        blank=True,
        help_text="The user's password fingerprint when the token was issued: a token stops "
        "working when the password changes",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key):
        import hashlib

        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def stamp_of(cls, user):
        """A fingerprint of the user's (already salted and hashed) password: it changes when
        the password does, and reveals nothing the password hash beside it does not."""
        return cls.hash(user.password)

    @classmethod
    def issue(cls, user, name, expires_at=None):
        """Create a token; returns (token, key). The key is never stored or shown again."""
        import secrets

        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[:8],
            key_hash=cls.hash(key),
            expires_at=expires_at,
            password_stamp=cls.stamp_of(user),
        )
        return token, key

    @property
    def state(self):
        """Why a token works or not, as its owner reads it."""
        from django.utils import timezone

        if self.revoked_at:
            return f"Revoked {self.revoked_at:%-d %b %Y}"
        if self.expires_at and self.expires_at <= timezone.now():
            return f"Expired {self.expires_at:%-d %b %Y}"
        if self.password_stamp != self.stamp_of(self.user):
            return "Stopped: your password changed since it was made"
        if self.expires_at:
            return f"Works until {self.expires_at:%-d %b %Y}"
        return "Works, no expiry"

    @property
    def works(self):
        return self.state.startswith("Works")

    @classmethod
    def user_for(cls, key):
        from django.utils import timezone

        token = cls.objects.active().select_related("user").filter(key_hash=cls.hash(key)).first()
        if token is None or not token.user.is_active:
            return None
        if token.password_stamp != cls.stamp_of(token.user):
            return None  # the password changed since: every earlier token stops working
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user
