"""In-app notices: a review was returned, proposed or decided; a deadline is near."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import Timestamp, utcnow
from ..extensions import Model
from ..formatting import format_date
from ..i18n import gettext
from ..levels import Level


class Notice(Model):
    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id"), index=True)
    # The sentence in the source language with %(name)s places, and the values that fill them; `params` is
    # empty on notices written before they were kept apart, whose text is final.
    text: Mapped[str] = mapped_column(sa.Text)
    params: Mapped[dict | None] = mapped_column(sa.JSON)
    link: Mapped[str] = mapped_column(sa.String(255), default="")
    # Reminders name their deadline so the reminder job sends each one once.
    key: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(Timestamp)

    @property
    def message(self) -> str:
        """The notice in the reader's language."""
        if self.params is None:
            return self.text
        values = dict(self.params)
        if "level" in values:
            values["level"] = Level(values["level"]).label
        if stage := values.get("stage"):
            values["stage"] = gettext(stage)
        if "deadline" in values:
            values["deadline"] = format_date(date.fromisoformat(values["deadline"]))
        return gettext(self.text, **values)
