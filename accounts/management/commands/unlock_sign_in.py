"""Lift a sign-in lockout before its cool-off ends, with an audit row saying who asked for it."""
from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.throttling import UNLOCKED
from cases.audit import audit


class Command(BaseCommand):
    help = "Clear the failed sign-ins of an account (--username) or an address (--address), ending a lockout."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="the account whose failed sign-ins are cleared")
        parser.add_argument("--address", help="the IP address whose failed sign-ins are cleared")
        parser.add_argument("--by", default="", help="who asked for the unlock, for the audit trail")

    def handle(self, *args, username=None, address=None, by="", **options):
        if not (username or address):
            raise CommandError("name the account (--username USER) or the address (--address IP) to unlock")
        cleared = 0
        if username:
            cleared += AxesProxyHandler.reset_attempts(username=username)
        if address:
            cleared += AxesProxyHandler.reset_attempts(ip_address=address)
        account = get_user_model().objects.filter(username=username).first() if username else None
        what = " and ".join(part for part in (
            f"username {username!r}" if username else "", f"address {address}" if address else "") if part)
        audit(user=account, action=UNLOCKED,
              detail=f"Sign-in unlocked for {what} ({cleared} failure records cleared)"
              + (f", asked by {by}" if by else ""))
        self.stdout.write(f"Unlocked {what}: {cleared} failure records cleared")
