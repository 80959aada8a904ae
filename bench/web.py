"""Each page's CPU cost, then web throughput under gunicorn: 50 concurrent clients on a generated
100,000-member province.

    .venv/bin/python bench/web.py [--members 100000] [--clients 50] [--seconds 15] [--workers 5]
                                  [--database-url URL [--reuse]] [--cpu-only] [--profile] [--instructions]

Builds the database (fresh SQLite file unless a PostgreSQL URL is given, which is wiped; `--reuse` measures
the database an earlier run built at that URL). First, in this
process and one request at a time, the CPU time the server spends on each request (process time, measured
around the WSGI call, the response body included), median and p95, beside its goal, then whether the machine
was quiet or busy meanwhile (`machine_state`, read off a fixed loop timed between them); `--profile` prints where
it goes; `--instructions` first counts each request's instructions under valgrind's callgrind, a figure
that does not move with the machine's speed (a few minutes: valgrind runs Python fifty times slower). Then
starts gunicorn on 127.0.0.1 and for each scenario prints requests per second, p50 / p95
latency and errors as `name: value unit` lines. The clients are threads of this process on the same
machine, so the latencies include their own CPU use. Beside them: the server's CPU per request under that
load (gunicorn's processes, read from /proc), the clients' own, the whole machine's (the database's included),
and the floor the queue puts under the latency (clients x machine CPU / cores): no client pauses, so each
waits out the requests ahead of it.
"""

import argparse
import contextlib
import cProfile
import gc
import http.cookiejar
import itertools
import json
import operator
import os
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import flask_migrate
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import bench_database  # noqa: E402
from evaluation import create_app, stamps  # noqa: E402
from evaluation.auth.models import Role  # noqa: E402
from evaluation.auth.operations import create_user, grant_role  # noqa: E402
from evaluation.extensions import db  # noqa: E402
from evaluation.generate import generate  # noqa: E402
from evaluation.members.models import Member  # noqa: E402
from evaluation.org.models import Organization, OrgKind  # noqa: E402
from evaluation.periods.models import Period  # noqa: E402
from evaluation.reviews.tallies import KeptTally  # noqa: E402
from evaluation.stamps import ResultsStamp, new_token  # noqa: E402

PASSWORD = "bench-password"
TYPED = {"political": "Chấp hành nghiêm.", "duties": "Hoàn thành.", "commitment": "Đã thực hiện.",
         "shortcomings": "Còn chậm.", "measures": "Khắc phục.", "self_level": "good"}  # fmt: skip
VERSION = re.compile(r'name="version" type="hidden" value="([0-9]*)"')


def autosave_data(version: str, number: int) -> dict:
    """What the page's script sends by itself every few seconds while the member types: the form without its
    button, naming the version the last answer gave, with a text that changed (an unchanged form writes
    nothing)."""
    return {**TYPED, "duties": f"Hoàn thành ({number}).", "version": version}


def save_data(page: str, number: int) -> dict:
    """A save as the browser posts it with the button: the same form, naming the version of the page it was
    read with."""
    return {**autosave_data(VERSION.search(page).group(1), number), "action": "save"}


def saved(page: str, number: int) -> bool:
    """Whether the form shows the text of save `number` (a refused save shows the form with its error)."""
    return f"Hoàn thành ({number})." in page


def prepare(url: str, members: int, clients: int) -> int:
    """Generate the province and one login per client; returns the province's id."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256"})
    with app.app_context():
        flask_migrate.upgrade()
        info = generate(members, seed=1, years=[2024], open_year=2025)
        step = max(1, members // clients)
        people = db.session.scalars(sa.select(Member).order_by(Member.id).limit(clients * step)).all()[::step]
        for number, member in enumerate(people[:clients]):
            create_user(f"member{number}", PASSWORD, member=member, must_change_password=False)
        leader = create_user("leader", PASSWORD, display_name="Lãnh đạo", must_change_password=False)
        grant_role(leader, db.session.get(Organization, info["province"]), Role.LEADER)
        db.session.commit()
        db.engine.dispose()
        return info["province"]


def built_province(url: str) -> int:
    with sa.create_engine(url).connect() as conn:
        return conn.scalar(sa.select(Organization.id).where(Organization.parent_id.is_(None)))


class Client:
    def __init__(self, base: str, username: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = self.token("/login")
        self.post("/login", {"username": username, "password": PASSWORD, "csrf_token": token})

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> str:
        """The page the POST ends on, its redirect followed as a browser does."""
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=60) as response:
            return response.read().decode()

    def token(self, path: str) -> str:
        return token_in(self.get(path))


def token_in(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def run(name: str, clients: list[Client], action, seconds: float, server: "ServerCpu") -> None:
    latencies, errors, stop = [], [0], time.perf_counter() + seconds
    lock = threading.Lock()

    def loop(client: Client):
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                if action(client) is False:
                    raise ValueError("refused")
            except (urllib.error.URLError, OSError, AttributeError, ValueError):
                with lock:
                    errors[0] += 1
                continue
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    before = server.seconds(), time.process_time(), _machine_seconds()
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    served, unit = max(len(latencies), 1), name.split("_")[-1]
    server_ms, clients_ms, machine_ms = (
        (after - then) / served * 1000
        for after, then in zip((server.seconds(), time.process_time(), _machine_seconds()), before, strict=True)
    )
    ordered = sorted(latencies) or [0.0]
    print(f"{name}_requests_per_second: {len(latencies) / elapsed:.1f} req/s")
    print(f"{name}_p50: {statistics.median(ordered):.0f} ms")
    print(f"{name}_p95: {p95_of(ordered):.0f} ms")
    print(f"{name}_errors: {errors[0]} errors")
    print(f"{name}_server_cpu: {server_ms:.1f} ms (per {unit}, gunicorn's processes, under this load)")
    print(f"{name}_client_cpu: {clients_ms:.1f} ms (per {unit}, this process's threads)")
    print(f"{name}_machine_cpu: {machine_ms:.1f} ms (per {unit}, every process: the database's and the others')")
    # No client waits between requests, and all of them share the machine's cores with the server and the
    # database: the mean latency is at least clients x the machine's CPU per request / cores.
    print(f"{name}_queue_floor: {len(clients) * machine_ms / os.cpu_count():.0f} ms (clients x machine CPU / cores)")


def p95_of(ordered: list[float]) -> float:
    """The 95th percentile of figures already in order."""
    return ordered[int(len(ordered) * 0.95) - 1]


def _machine_seconds() -> float:
    """The CPU time every process of the machine has used (Linux's /proc/stat): user, nice, system, interrupts."""
    user, nice, system, _idle, _iowait, irq, softirq = map(int, Path("/proc/stat").read_text().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """The CPU time gunicorn's master and workers have used (Linux's /proc): what the server spends per
    request under load, where the single-request figures above leave out the other requests' company."""

    def __init__(self, master: subprocess.Popen):
        self.master = master.pid

    def seconds(self) -> float:
        pids = [self.master, *map(int, Path(f"/proc/{self.master}/task/{self.master}/children").read_text().split())]
        return sum(self._used(pid) for pid in pids)

    @staticmethod
    def _used(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:  # a worker that ended (and its time with it)
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Timed:
    """WSGI middleware: the process time of each request, the body included (one request at a time). Under
    callgrind (`--instructions`) it counts the instructions inside `operator.call`, so only the requests'."""

    def __init__(self, app):
        self.app, self.times, self.measuring = app, [], True

    def __call__(self, environ, start_response):
        if not self.measuring:
            return self.app(environ, start_response)
        start = time.process_time()
        body = operator.call(self._respond, environ, start_response)
        self.times.append((time.process_time() - start) * 1000)
        return [body]

    def _respond(self, environ, start_response) -> bytes:
        return b"".join(self.app(environ, start_response))

    @contextlib.contextmanager
    def unmeasured(self):
        """A request that prepares a scenario (the page a save starts from), left out of its figures."""
        self.measuring = False
        try:
            yield
        finally:
            self.measuring = True


# Goals in milliseconds of CPU per request.
CPU_GOALS = {
    "member_form_page": 4,
    "member_form_save": 6,
    "member_form_autosave": 6,
    "province_rollup_page": 8,
    "province_rollup_page_after_a_change": 8,
    "district_rollup_page_while_another_decides": 8,
    "province_rollup_page_after_a_decision_in_a_district": 8,
}


def _scenarios(url: str, province: int):
    """The requests measured one at a time, each a (request, the status it must end with), warmed; the app
    they run in, and its `Timed` middleware."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    timed = app.wsgi_app = Timed(app.wsgi_app)
    member, leader = app.test_client(), app.test_client()
    member.post("/login", data={"username": "member0", "password": PASSWORD})
    leader.post("/login", data={"username": "leader", "password": PASSWORD})
    saves = itertools.count()

    def reference():
        """The same pure Python work every time, timed like a request: how fast the machine runs now (a shared
        machine's speed was seen to change by half from one minute to the next)."""
        start = time.process_time()
        sum(number * number for number in range(200_000))
        timed.times.append((time.process_time() - start) * 1000)
        return SimpleNamespace(status_code=200)

    def save():
        """The save alone: the form page the browser had is read outside the timing."""
        with timed.unmeasured():
            page = member.get("/my-review/").get_data(as_text=True)
        return member.post("/my-review/", data=save_data(page, next(saves)))

    def autosave():
        """What the browser sends while the member types (one request, a JSON answer): the page it is sent from
        is read outside the timing, as the manual save between two rounds moved the version on."""
        with timed.unmeasured():
            version = VERSION.search(member.get("/my-review/").get_data(as_text=True)).group(1)
        return member.post("/my-review/autosave", data=autosave_data(version, next(saves)))

    def rollup_after_a_change():
        """The rollup page as the first to look after a change that renews every stamp (renaming an organization,
        a target): nothing it shows is kept any more (the tokens are renewed outside the timing)."""
        with app.app_context():
            db.session.execute(sa.update(ResultsStamp).values(token=new_token()))
            db.session.commit()
        return leader.get(f"/orgs/{province}?year=2024")

    district, elsewhere = _two_districts(app, province)

    def decision_elsewhere() -> None:
        """What a decision's commit in the second district renews: the stamps of a cell there and of the
        organizations above it (outside the timing)."""
        with app.app_context():
            connection = db.session.connection()
            with stamps.counters_of(connection, [(org, elsewhere.period) for org in elsewhere.orgs]):
                connection.execute(sa.update(KeptTally).where(sa.false()).values(count=KeptTally.count))
            db.session.commit()

    def district_while_another_decides():
        """A district's rollup page, looked at before, after a decision committed in another district. With one
        stamp per year, every such decision sent the page back to counting."""
        with timed.unmeasured():
            leader.get(f"/orgs/{district}?year=2024")
        decision_elsewhere()
        return leader.get(f"/orgs/{district}?year=2024")

    def province_after_a_decision():
        """The province's page after a decision in one of its districts: the first look of the review season,
        when decisions come all day. It counts the province and that district again, and takes the other
        districts' counts as kept."""
        decision_elsewhere()
        return leader.get(f"/orgs/{province}?year=2024")

    scenarios = {  # name: (request, the status it must end with)
        "member_form_page": (lambda: member.get("/my-review/"), 200),
        "member_form_save": (save, 302),  # saved: back to the form
        "member_form_autosave": (autosave, 200),  # 409 when refused
        "province_rollup_page": (lambda: leader.get(f"/orgs/{province}?year=2024"), 200),
        # Before the next: its decision renews the province's stamp, and the next keeps the province page again.
        "district_rollup_page_while_another_decides": (district_while_another_decides, 200),
        "province_rollup_page_after_a_change": (rollup_after_a_change, 200),
        "province_rollup_page_after_a_decision_in_a_district": (province_after_a_decision, 200),
        "reference": (reference, 200),
    }
    for action, _expected in scenarios.values():
        for _ in range(5):  # warm: templates compiled, caches filled
            action()
    gc.freeze()  # as app.py does in each worker
    return app, timed, scenarios


def _check(name: str, response, expected: int) -> None:
    if response.status_code != expected:
        raise SystemExit(f"{name}: {response.status_code}, not {expected}")


def cpu_per_request(url: str, province: int, requests: int, profile: bool) -> None:
    """What each scenario costs the server in CPU, with no concurrency to blur it."""
    app, timed, scenarios = _scenarios(url, province)
    times = {name: [] for name in scenarios}
    profilers = {name: cProfile.Profile() for name in scenarios} if profile else {}
    # Round by round, one request of each: a shared machine's speed drifts, and then drifts for all alike.
    for _ in range(requests):
        for name, (action, expected) in scenarios.items():
            timed.times.clear()
            if profilers:
                profilers[name].enable()
            response = action()
            if profilers:
                profilers[name].disable()
            _check(name, response, expected)
            times[name].append(timed.times[-1])
    for name, taken in times.items():
        ordered = sorted(taken)
        median, p95 = statistics.median(ordered), p95_of(ordered)
        goal = f"goal {CPU_GOALS[name]} ms" if name in CPU_GOALS else "a fixed loop of pure Python: the machine's speed"
        print(f"{name}_cpu: {median:.1f} ms median, {p95:.1f} ms p95 ({goal})")
        if name in profilers:
            pstats.Stats(profilers[name]).sort_stats("cumulative").print_stats(80)
    print(_machine_state(times["reference"]))
    with app.app_context():
        db.engine.dispose()


# The reference loop's spread (p95 over median) told the quiet runs from the busy ones on December 4: 4–14% in
# the quiet runs, 44–66% in the busy ones, where its median hardly moved but every page cost 40–70% more.
BUSY_SPREAD = 1.25


def _machine_state(reference: list[float]) -> str:
    """Whether the machine was quiet or busy while the figures above were taken, read off the reference loop."""
    ordered = sorted(reference)
    spread = p95_of(ordered) / statistics.median(ordered)
    state = "busy: the pages' figures above may be 40-70% over a quiet run's" if spread > BUSY_SPREAD else "quiet"
    return f"machine_state: {state} (the reference's p95 is {spread - 1:.0%} over its median)"


# callgrind counts only inside `operator.call` (Timed's requests) and writes out what it has counted each time
# `operator.length_hint` is called: nothing else in a request calls either C function.
CALLGRIND = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=_operator_call",
             "--dump-before=_operator_length_hint"]  # fmt: skip


def instructions_per_request(url: str, province: int, requests: int) -> None:
    """What each scenario costs in instructions, counted by callgrind: the same count on a busy machine as on
    a quiet one (the CPU figures move by a quarter from one run to the next), so a change of 1% shows."""
    names = list(CPU_GOALS)
    with tempfile.TemporaryDirectory() as out:
        command = [*CALLGRIND, f"--callgrind-out-file={out}/counts", sys.executable, __file__, "--database-url", url,
                   "--reuse", "--counted", str(requests)]  # fmt: skip
        subprocess.run(command, check=True, env=dict(os.environ, PYTHONHASHSEED="0"), stderr=subprocess.DEVNULL)
        # counts.1 holds the warming requests, counts.2 the first scenario..., and `counts` the last one.
        dumps = [Path(out, f"counts.{number}") for number in range(2, len(names) + 1)] + [Path(out, "counts")]
        if len(list(Path(out).glob("counts*"))) != len(names) + 1:
            raise SystemExit("callgrind wrote a dump too many or too few: the scenarios' counts would be mixed")
        for name, dump in zip(names, dumps, strict=True):
            total = int(re.search(r"^totals: (\d+)$", dump.read_text(), re.M)[1])
            print(f"{name}_instructions: {total / requests / 1e6:.2f} million per request")


def counted(url: str, province: int, requests: int) -> None:
    """Under callgrind (`instructions_per_request`): each scenario's requests in turn, a dump before each."""
    _app, _timed, scenarios = _scenarios(url, province)
    for name in CPU_GOALS:
        action, expected = scenarios[name]
        operator.length_hint(())  # callgrind writes out what it counted before this scenario
        for _ in range(requests):
            _check(name, action(), expected)


def _two_districts(app, province: int) -> tuple[int, SimpleNamespace]:
    """The province's first district, and the 2024 period with a cell of its second district and the
    organizations above that cell (where a decision renews the stamps)."""
    with app.app_context():
        first, second = db.session.scalars(
            sa.select(Organization).where(Organization.parent_id == province).order_by(Organization.id).limit(2)
        ).all()
        cell = db.session.scalars(
            sa.select(Organization).where(Organization.path.startswith(second.path), Organization.kind == OrgKind.CELL)
        ).first()
        period = db.session.scalar(sa.select(Period.id).where(Period.year == 2024))
        return first.id, SimpleNamespace(period=period, orgs=cell.ancestor_ids)


def save_form(client: Client) -> bool:
    """One save as a browser makes it: the POST and the redirect back to the form, which has the version
    the next save sends. False when the save was refused."""
    if not hasattr(client, "page"):
        client.page, client.saves = client.get("/my-review/"), itertools.count()
    number = next(client.saves)
    client.page = client.post("/my-review/", {**save_data(client.page, number), "csrf_token": token_in(client.page)})
    return saved(client.page, number)


def autosave_form(client: Client) -> bool:
    """One save as the page's script sends it while the member types: the POST alone, its JSON answer naming
    the version the next one sends. A refusal (409) raises, and `run` counts it as an error."""
    if not hasattr(client, "version"):
        page = client.get("/my-review/")
        client.version, client.token, client.saves = VERSION.search(page).group(1), token_in(page), itertools.count()
    data = {**autosave_data(client.version, next(client.saves)), "csrf_token": client.token}
    client.version = str(json.loads(client.post("/my-review/autosave", data))["version"])
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--cpu-only", action="store_true", help="Only the CPU per request, no gunicorn.")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--requests", type=int, default=200, help="Requests per scenario for the CPU figures.")
    parser.add_argument("--reuse", action="store_true", help="Measure the database an earlier run built.")
    parser.add_argument("--instructions", action="store_true", help="Instructions per request (callgrind) too.")
    parser.add_argument("--counted", type=int, help=argparse.SUPPRESS)  # inside callgrind: see `counted`
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs the --database-url an earlier run built")
    url = args.database_url if args.reuse else bench_database(args.database_url, "web")
    province = built_province(url) if args.reuse else prepare(url, args.members, args.clients)
    if args.counted:
        return counted(url, province, args.counted)
    if args.instructions:
        if shutil.which("valgrind") is None:
            parser.error("--instructions needs valgrind (Debian's package valgrind)")
        instructions_per_request(url, province, min(args.requests, 10))
    cpu_per_request(url, province, args.requests, args.profile)
    if args.cpu_only:
        return
    port = 5123
    # The clients all log in from 127.0.0.1 within seconds: the per-address login limit would refuse them.
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", RATELIMIT_ENABLED="0")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "app:app"],
        cwd=ROOT, env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        backend = url.split(":")[0].split("+")[0]
        print(f"backend: {backend}")
        print(f"members: {args.members} members")
        print(f"clients: {args.clients} clients, gunicorn workers: {args.workers}")
        members = [Client(base, f"member{n}") for n in range(args.clients)]
        cpu = ServerCpu(server)
        run("member_form_page", members, lambda c: c.get("/my-review/"), args.seconds, cpu)
        run("member_form_save", members, save_form, args.seconds, cpu)
        run("member_form_autosave", members, autosave_form, args.seconds, cpu)
        leaders = [Client(base, "leader") for _ in range(args.clients)]
        run("province_rollup_page", leaders, lambda c: c.get(f"/orgs/{province}?year=2024"), args.seconds, cpu)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
