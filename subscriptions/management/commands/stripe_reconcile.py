from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from subscriptions import stripe_gateway
from subscriptions.sync import reconcile


class Command(BaseCommand):
    help = "Compare local subscriptions with Stripe, correct the drift and report each change."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            drifts = reconcile()
        except stripe_gateway.GatewayError as error:
            raise CommandError(f"Stripe is unreachable or refused: {error.message}") from error
        for drift in drifts:
            self.stdout.write(f"fixed {drift}")
        self.stdout.write(
            self.style.SUCCESS(f"{len(drifts)} subscription(s) corrected.")
            if drifts
            else "Local subscriptions match Stripe."
        )
