"""Prices as readers see them, in the active language."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _


def format_price(cents: int, currency: str = "eur") -> str:
    """``cents`` in ``currency``, localised: "2,49 €" in French, "€2.49" in English."""
    amount = formats.number_format(Decimal(cents) / 100, decimal_pos=2, use_l10n=True)
    if currency.lower() == "eur":
        # Translators: a price in euros; French puts the sign after the number ("2,49 €").
        return _("€%(amount)s") % {"amount": amount}
    return f"{amount} {currency.upper()}"
