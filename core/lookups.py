"""``__in`` on integer columns leaves out the integers no column can hold.

Django's ``exact``, ``gt``… lookups on an integer column already treat an out-of-range value as
matching nothing (IntegerFieldOverflow); ``in`` does not, and SQLite's driver raises
OverflowError on a Python int beyond 64 bits. A forged id in a form (``newsletters=
99999999999999999999`` on the subscription page, a choice in the admin) was a 500 in the
embedded mode, while PostgreSQL answered with no match. No row can have such a key, so leaving
the value out changes no result, on either database.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
