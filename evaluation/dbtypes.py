"""Column helpers shared by the models."""

from datetime import UTC, datetime
from enum import Enum

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_cls: type[Enum]) -> sa.Enum:
    """Store an enum as its value in a VARCHAR: portable, readable in SQL, easy to migrate."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


Timestamp = sa.DateTime(timezone=True)
