"""The results' stamps: which committed state of what the reports count a kept page was made from.

A report page (a rollup, its paragraphs, charts, targets and years) is the same for everyone allowed to see
it until something it counts changes, so the pages keep their shared sections (views/orgs.py) under the
stamps they were read with. A stamp is a random token, and every transaction that changes what the reports
count gives new tokens at its commit: to an organization's stamp of one year when its counters of that year
changed (a submission, a proposal or a decision below it), to the stamp of every year and organization when
it wrote an organization, a period, a target, a quota decision or the subtrees' sizes, or counters without
saying whose. A page of an organization reads that one and its own: a decision in one district leaves the
pages of the others kept. Same stamps, same results. Tokens, not a counter: a database restored from a
backup, whose counter would go back, cannot meet a page kept for another history under the same number.

The changes are seen where they are written: every INSERT, UPDATE and DELETE built with SQLAlchemy, from an
ORM flush or a Core statement alike, so a feature cannot forget to say that it changed results. SQL written
as text is not seen (the application writes none; the migrations' writes do not count, see OFF), and what
bypasses SQLAlchemy (the generator's COPY) ends with a recount, which is seen. Saving a draft's text writes
none of these tables, so the pages stay kept while members write.
"""

import functools
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import UpdateBase

from .dbtypes import upsert_into
from .extensions import Model

EVERY_YEAR = (0, 0)  # (organization, period): the scope of every year and every organization
# A write to one of these can change a report of any year.
ANY_YEAR_TABLES = frozenset(
    {"organization", "organization_type", "period", "quota_exception", "target", "subtree_size"}
)
COUNTERS = "tally"  # tallies.KeptTally: per organization and period
# An execution option: the migrations write before this table exists, and a deployment restarts the processes
# that keep pages.
OFF = "results_stamps_off"

_CHANGED = "results_changed"  # in the connection's info: the stamps its transaction changes
_NOTED = "results_noted"  # the scopes last added to it: a run of counters' statements shares one set
_COUNTERS_OF = "results_counters_of"  # while set, the counters written are of these scopes only


class ResultsStamp(Model):
    __tablename__ = "results_stamp"

    # No foreign keys: 0 stands for every organization and year, and a stamp must not hold a deletion back.
    organization_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    period_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[int] = mapped_column(sa.BigInteger)


STAMPS: sa.Table = ResultsStamp.__table__  # type: ignore[assignment]


@contextmanager
def counters_of(connection: sa.Connection, scopes: Iterable[tuple[int, int]]) -> Iterator[None]:
    """The counters written inside are of these (organization, period) only: their stamps change, not every
    year's."""
    connection.info[_COUNTERS_OF] = frozenset(scopes)
    try:
        yield
    finally:
        connection.info.pop(_COUNTERS_OF, None)


def _changed_by(connection: sa.Connection, statement) -> Iterable[tuple[int, int]]:
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
    if (scopes := _changed_by(connection, statement)) and connection.info.get(_NOTED) is not scopes:
        connection.info.setdefault(_CHANGED, set()).update(scopes)
        connection.info[_NOTED] = scopes


def _begin(connection) -> None:
    """A transaction starts with nothing changed: a rolled back one's changes are forgotten here, not at its
    rollback, when the connection may be one the database dropped."""
    connection.info.pop(_CHANGED, None)
    connection.info.pop(_NOTED, None)


def _stamp(connection) -> None:
    """At commit, the changed stamps get new tokens, in a fixed order and after every other write of the
    transaction, so that holding a stamp's row never waits on another lock: no deadlock."""
    connection.info.pop(_NOTED, None)
    if changed := sorted(connection.info.pop(_CHANGED, ())):  # a decision's are a few; a province's import, thousands
        rows = [{"organization_id": org, "period_id": period, "token": new_token()} for org, period in changed]
        connection.execute(_renewal(connection.dialect.name), rows)


@functools.cache
def _renewal(dialect: str) -> sa.Insert:
    """The upsert of a stamp's new token, built once; its rows are sent at once."""
    statement = upsert_into(STAMPS, dialect)
    return statement.on_conflict_do_update(
        index_elements=["organization_id", "period_id"], set_={"token": statement.excluded.token}
    )


def new_token() -> int:
    return secrets.randbits(62)


def listen() -> None:
    if not sa.event.contains(Engine, "before_execute", _before_execute):
        sa.event.listen(Engine, "before_execute", _before_execute)
        sa.event.listen(Engine, "begin", _begin)
        sa.event.listen(Engine, "commit", _stamp)
