"""The current authenticator code of a demo user, for a demo without a phone."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from accounts.second_factor import authenticator


class Command(BaseCommand):
    help = "Print the 6-digit code USER's authenticator app shows now (embedded default only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.EMBEDDED:
            # In production this would be a second factor anyone with a shell could read.
            raise CommandError("demo_code works only on the embedded default (EMBEDDED_DEFAULT unset)")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"there is no user {username!r}")
        device = authenticator(user)
        if device is None:
            raise CommandError(f"{username} has no authenticator app set up")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
