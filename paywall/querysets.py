"""Reusable filters over the paywall's rows."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:  # the names appear only inside the string generics below
    from paywall.models import Organisation, OrganisationDomain  # noqa: F401


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def valid_on(self, day: date) -> OrganisationQuerySet:
        """Licences running on ``day`` (both ends inclusive): the one definition of "valid"."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class OrganisationDomainQuerySet(models.QuerySet["OrganisationDomain"]):
    def matching_emails(self, emails: list[str]) -> OrganisationDomainQuerySet:
        """Domains owning any of ``emails``, including parent domains (acme.fr owns fr.acme.fr)."""
        candidates: set[str] = set()
        for email in emails:
            domain = email.rpartition("@")[2].strip().lower().rstrip(".")
            labels = domain.split(".")
            candidates.update(".".join(labels[i:]) for i in range(len(labels) - 1))
        return self.filter(domain__in=sorted(candidates))
