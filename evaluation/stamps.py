"""The results' stamps: which committed state of what the reports count a kept page was made from.

A report page (a rollup, its paragraphs, charts, targets and years) is the same for everyone allowed to see
it until something it counts changes, so the pages keep their shared sections (views/orgs.py) under the
stamps they were read with. A stamp is a random token, and every transaction that changes what the reports
count gives new tokens at its commit: to the period alone when only that year's counters changed (a
submission, a proposal, a decision), to stamp 0, every year's, when it wrote an organization, a period, a
target, a quota decision or the subtrees' sizes, or counters without saying of which year. Same stamps, same
results. Tokens, not a counter: a database restored from a backup, whose counter would go back, cannot meet
a page kept for another history under the same number.

The changes are seen where they are written: every INSERT, UPDATE and DELETE built with SQLAlchemy, from an
ORM flush or a Core statement alike, so a feature cannot forget to say that it changed results. SQL written
as text is not seen (the application writes none; the migrations' writes do not count, see OFF), and what
bypasses SQLAlchemy (the generator's COPY) ends with a recount, which is seen. Saving a draft's text writes
none of these tables, so the pages stay kept while members write.
"""

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import UpdateBase

from .extensions import Model

EVERY_YEAR = 0
# A write to one of these can change a report of any year.
ANY_YEAR_TABLES = frozenset(
    {"organization", "organization_type", "period", "quota_exception", "target", "subtree_size"}
)
COUNTERS = "tally"  # tallies.KeptTally: per period
# An execution option: the migrations write before this table exists, and a deployment restarts the processes
# that keep pages.
OFF = "results_stamps_off"

_CHANGED = "results_changed"  # in the connection's info: the stamps its transaction changes
_COUNTERS_OF = "results_counters_of"  # while set, the counters written are of these periods only


class ResultsStamp(Model):
    __tablename__ = "results_stamp"

    period_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # EVERY_YEAR or a period's id
    token: Mapped[int] = mapped_column(sa.BigInteger)


STAMPS: sa.Table = ResultsStamp.__table__  # type: ignore[assignment]


@contextmanager
def counters_of(connection: sa.Connection, periods: Iterable[int]) -> Iterator[None]:
    """The counters written inside are of these periods only: their stamps change, not every year's."""
    connection.info[_COUNTERS_OF] = frozenset(periods)
    try:
        yield
    finally:
        connection.info.pop(_COUNTERS_OF, None)


def _changed_by(connection: sa.Connection, statement) -> Iterable[int]:
    if isinstance(statement, UpdateBase):
        table = getattr(statement.table, "name", None)
        if table == COUNTERS:
            return connection.info.get(_COUNTERS_OF) or (EVERY_YEAR,)
        return (EVERY_YEAR,) if table in ANY_YEAR_TABLES else ()
    return ()


def uncommitted(connection: sa.Connection) -> bool:
    """Whether this transaction changed results it has not committed: what it reads is not what the stamps
    say."""
    return bool(connection.info.get(_CHANGED))


def _before_execute(connection, statement, _multiparams, _params, options) -> None:
    # A connection the database dropped has no info to read: SQLAlchemy refuses the statement itself.
    if options.get(OFF) or connection.invalidated:
        return
    if scopes := _changed_by(connection, statement):
        connection.info.setdefault(_CHANGED, set()).update(scopes)


def _begin(connection) -> None:
    """A transaction starts with nothing changed: a rolled back one's changes are forgotten here, not at its
    rollback, when the connection may be one the database dropped."""
    connection.info.pop(_CHANGED, None)


def _stamp(connection) -> None:
    """At commit, the changed stamps get new tokens, in a fixed order and after every other write of the
    transaction, so that holding a stamp's row never waits on another lock: no deadlock."""
    for scope in sorted(connection.info.pop(_CHANGED, ())):
        insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert
        statement = insert(STAMPS).values(period_id=scope, token=new_token())
        connection.execute(statement.on_conflict_do_update(index_elements=["period_id"],
                                                           set_={"token": statement.excluded.token}))  # fmt: skip


def new_token() -> int:
    return secrets.randbits(62)


def listen() -> None:
    if not sa.event.contains(Engine, "before_execute", _before_execute):
        sa.event.listen(Engine, "before_execute", _before_execute)
        sa.event.listen(Engine, "begin", _begin)
        sa.event.listen(Engine, "commit", _stamp)
