"""In-app notices: a review was returned, proposed or decided; a deadline is near."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import Timestamp, utcnow
from ..extensions import db


class Notice(db.Model):
    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(255), default="")
    # Reminders name their deadline so the reminder job sends each one once.
    key: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(Timestamp)
