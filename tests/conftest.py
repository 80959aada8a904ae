"""Fixtures: an app on each database backend, factories, and a small province to test against.

Every test that takes `app` runs once on SQLite and, when TEST_DATABASE_URL is set, once more on a
database the suite creates on that PostgreSQL server (CI's local one) and drops at the end. The schema
is built by the migrations, once per backend.
"""

import os
import re
import secrets
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from evaluation import create_app
from evaluation.auth.models import Role
from evaluation.auth.operations import create_user, grant_role
from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.members.models import FormType, Member
from evaluation.org.models import OrgKind
from evaluation.org.operations import add_org
from evaluation.periods.models import PeriodState
from evaluation.periods.operations import create_period, december_deadlines, open_period
from evaluation.reviews.models import Review, ReviewState
from evaluation.reviews.quarter_models import QuarterRound
from evaluation.reviews.quarterly import default_deadlines

PASSWORD = "mat-khau-thu"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _config(url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Tests log in hundreds of times a minute; tests/test_security.py turns the limits on.
        "RATELIMIT_ENABLED": False,
        # Tests log in as the administrator without an authenticator; tests/test_two_factor.py requires one.
        "TWO_FACTOR_REQUIRED_FOR": [],
        **extra,
    }


# The comment that marks a database as this suite's own: only such a database is ever dropped.
TEST_DATABASE_MARK = "evaluation test suite: created and dropped by tests/conftest.py"


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """The suite's own databases, one per backend, made when a test first needs it and dropped at the end.

    Kept here rather than in the parametrized `database_url`: the tests run in a random order, so pytest
    tears a parametrized session fixture down at every switch of backend, and a database made there would
    be made again, migrations and all, hundreds of times."""
    made: dict[str, str] = {}
    cleanups = []

    def get(backend: str) -> str:
        if backend not in made:
            made[backend] = _sqlite(tmp_path_factory) if backend == "sqlite" else _postgresql(cleanups)
        return made[backend]

    yield get
    for cleanup in cleanups:
        cleanup()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, databases):
    """A database the suite makes for itself: a SQLite file, or a new database on the PostgreSQL server that
    TEST_DATABASE_URL names (that database itself is never touched)."""
    return databases(request.param)


def _sqlite(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    _migrate(url)
    return url


def _postgresql(cleanups: list) -> str:
    """A new database on the server, marked as this suite's; its drop is added to `cleanups`."""
    server = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"evaluation_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    _drop_left_over(admin)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        conn.execute(sa.text(f"COMMENT ON DATABASE \"{name}\" IS '{TEST_DATABASE_MARK}'"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    cleanups.append(drop)
    url = server.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    return url


def _drop_left_over(admin) -> None:
    """Databases this suite made in a run that was killed before it could drop them: marked as the suite's,
    named after a process of this machine that is gone. Nothing else is ever dropped."""
    with admin.connect() as conn:
        marked = conn.scalars(
            sa.text(
                "SELECT datname FROM pg_database WHERE datname LIKE 'evaluation\\_test\\_%'"
                " AND shobj_description(oid, 'pg_database') = :mark"
            ),
            {"mark": TEST_DATABASE_MARK},
        ).all()
        for name in marked:
            pid = int(name.split("_")[2])
            if pid != os.getpid() and not Path(f"/proc/{pid}").exists():
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _migrate(url: str) -> None:
    """The schema is built by the migrations, as in production."""
    app = create_app(_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


class RollbackClient(FlaskClient):
    """Rolls the shared session back after each request: a view that forgot to commit fails its test."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        db.session.rollback()
        return response

    def submit(self, url: str, data: dict, **kwargs):
        """POST one of the page's forms as a browser would: the page is read first, and the version it
        shows for that form (the fields' prefix, e.g. `p-` for the proposal) goes with what `data` types."""
        page = self.get(url).get_data(as_text=True)
        prefixes = {key.partition("-")[0] + "-" for key in data if "-" in key and not key.startswith("keep-")}
        name = f"{prefixes.pop()}version" if len(prefixes) == 1 else "version"
        shown = re.search(rf'name="{re.escape(name)}" type="hidden" value="([0-9]*)"', page)
        return self.post(url, data={name: shown.group(1) if shown else "", **data}, **kwargs)


@pytest.fixture
def app(database_url):
    app = create_app(_config(database_url))
    app.test_client_class = RollbackClient
    with app.app_context():
        yield app
        db.session.rollback()
        empty_every_table()
        db.session.remove()
        db.engine.dispose()


REFERENCE_TABLES = {"organization_type"}  # written by the migrations, as in production: kept


def empty_every_table() -> None:
    """Clean slate between tests, past the triggers that keep the history append-only."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # the suite's own database: its history triggers stand down
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text("TRUNCATE " + ", ".join(t.name for t in tables)))
            return
        triggers = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        for name, _ in triggers:
            conn.execute(sa.text(f"DROP TRIGGER {name}"))
        for table in tables:
            conn.execute(table.delete())
        for _, sql in triggers:
            conn.execute(sa.text(sql))


@pytest.fixture
def other_app(database_url, app):
    """Another app on the test database, with settings of its own; its connections closed after."""
    made = []

    def make(**settings):
        made.append(create_app(_config(database_url, **settings)))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Browser:
    """A second browser with its own cookies. The tests share one app context, where Flask-Login keeps the
    last user it loaded; forgetting it makes each request load its user from its own session, as in production."""

    def __init__(self, app):
        self.client = app.test_client()

    def __getattr__(self, method):
        def call(*args, **kwargs):
            g.pop("_login_user", None)
            response = getattr(self.client, method)(*args, **kwargs)
            g.pop("_login_user", None)
            return response

        return call


@pytest.fixture
def browser(app):
    """Another browser, with cookies of its own: `browser()` opens one."""
    return lambda: Browser(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Builders that commit, so what a test sets up is what the views will read."""

    def __init__(self):
        self._seq = 0

    def _code(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:03d}"

    def org(self, kind: OrgKind, parent=None, name: str = "", code: str = ""):
        org = add_org(code or self._code(kind.value[:2].upper()), name or f"{kind.label} {self._seq}", kind, parent)
        db.session.commit()
        return org

    def member(self, org, full_name: str = "Nguyễn Văn An", form_type: FormType = FormType.STAFF, code: str = ""):
        member = Member(code=code or self._code("DV"), full_name=full_name, organization=org, form_type=form_type)
        db.session.add(member)
        db.session.commit()
        return member

    def user(self, username: str, member=None, grants=(), admin: bool = False):
        user = create_user(
            username, PASSWORD, member=member, is_admin=admin, display_name=username, must_change_password=False
        )
        for org, role in grants:
            grant_role(user, org, role)
        db.session.commit()
        return user

    def period(self, year: int = 2025, opened: bool = True):
        period = create_period(year, **december_deadlines(year))
        if opened:
            open_period(period)
        db.session.commit()
        return period

    def decided_last_year(self, member, level: Level, shortcomings: str, year: int = 2024) -> Review:
        """The member's review of a closed year before, decided at `level`, naming `shortcomings`."""
        review = Review(period=self.period(year, opened=False), member=member, form_type=member.form_type,
                        state=ReviewState.DECIDED, final_level=level,
                        sections={"shortcomings": shortcomings})  # fmt: skip
        db.session.add(review)
        db.session.commit()
        return review

    def quarter_round(self, period, quarter: int = 1, state: PeriodState = PeriodState.OPEN) -> QuarterRound:
        """A quarterly round of the year (the leaders' quarterly evaluation), open by default."""
        register_by, report_by, decide_by = default_deadlines(period.year, quarter)
        round_ = QuarterRound(period=period, quarter=quarter, state=state, register_by=register_by,
                              report_by=report_by, decide_by=decide_by)  # fmt: skip
        db.session.add(round_)
        db.session.commit()
        return round_


@pytest.fixture
def make(app) -> Factory:
    return Factory()


class World:
    """A small province: two upper committees, a đảng bộ cơ sở with two cells, a chi bộ cơ sở, and
    one login per role, plus logins that hold the same roles elsewhere (for the scope tests)."""

    def __init__(self, make: Factory):
        self.province = make.org(OrgKind.PROVINCE, name="Đảng bộ tỉnh Thử Nghiệm")
        self.upper = make.org(OrgKind.UPPER, self.province, "Đảng ủy phường Một")
        self.upper2 = make.org(OrgKind.UPPER, self.province, "Đảng ủy xã Hai")
        self.grassroots = make.org(OrgKind.GRASSROOTS, self.upper, "Đảng bộ Trường Một")
        self.cell = make.org(OrgKind.CELL, self.grassroots, "Chi bộ Giáo viên")
        self.cell2 = make.org(OrgKind.CELL, self.grassroots, "Chi bộ Hành chính")
        self.small = make.org(OrgKind.GRASSROOTS, self.upper, "Chi bộ Tổ dân phố")  # chi bộ cơ sở
        self.grassroots2 = make.org(OrgKind.GRASSROOTS, self.upper2, "Đảng bộ Trường Hai")
        self.cell3 = make.org(OrgKind.CELL, self.grassroots2, "Chi bộ Trường Hai")
        self.m1 = make.member(self.cell, "Nguyễn Văn An")
        self.m2 = make.member(self.cell, "Trần Thị Bình", FormType.LEADER)
        self.m3 = make.member(self.cell2, "Lê Văn Cường")
        self.m4 = make.member(self.small, "Phạm Thị Dung", FormType.OUTSIDE)
        self.m5 = make.member(self.cell3, "Hoàng Văn Em")
        self.period = make.period(2025)
        self.quarter = make.quarter_round(self.period, 1)  # m2 (Mẫu 2A, the "secretary" login) is evaluated in it
        self.member = make.user("member", self.m1)
        self.secretary = make.user("secretary", self.m2, [(self.cell, Role.SECRETARY)])
        self.member3 = make.user("member3", self.m3)
        self.secretary2 = make.user("secretary2", grants=[(self.cell2, Role.SECRETARY)])
        self.committee = make.user("committee", grants=[(self.grassroots, Role.COMMITTEE)])
        self.committee2 = make.user("committee2", self.m5, [(self.grassroots2, Role.COMMITTEE)])
        self.leader = make.user("leader", grants=[(self.upper, Role.LEADER)])
        self.leader2 = make.user("leader2", grants=[(self.upper2, Role.LEADER)])
        self.admin = make.user("admin", admin=True)


@pytest.fixture
def world(make) -> World:
    return World(make)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        self.client.post("/logout")
        return self.client.post("/login", data={"username": username, "password": password})


def client_of(app, username: str):
    """A client of `app` (the tests' own or another worker's) with `username` logged in."""
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def assert_rejected(runner, args: list[str], expected: list[str], model) -> None:
    """The import exits 1, names every bad row, and leaves the table empty."""
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    for line in expected:
        assert line in result.output
    assert count(model) == 0
