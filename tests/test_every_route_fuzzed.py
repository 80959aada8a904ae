"""No parameter gets a 500: every route of the URL map, with hostile ids, years, versions, numbers and text
in the path, the query string and the form, by the broadest login (the administrator) and by a member."""

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.extensions import db
from evaluation.reports.models import Target

HOSTILE_NUMBERS = ["0", "-1", "2147483647", "2147483648", "9223372036854775808", "9" * 4300, "1e-999999",
                   "sNaN", "NaN", "Infinity", "²", " 1", "1.0", "0x10", "١٢٣"]  # fmt: skip
HOSTILE_TEXT = ["", "\x00", "/\n", "/%0a", "//evil.example", "\\\\evil", "<script>", "\u202e", "'; DROP TABLE x;--"]
values = st.one_of(st.sampled_from(HOSTILE_NUMBERS + HOSTILE_TEXT), st.text(max_size=40))
FIELDS = ["year", "version", "page", "decimals", "q", "show", "next", "since", "until", "kind", "org", "actor",
          "action", "review", "level", "min_percent", "subject", "d-version", "p-version", "c-version", "d-level",
          "reason", "note", "download", "username", "password", "conflict", "keep-political", "client"]  # fmt: skip


def _routes(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"), key=lambda rule: rule.rule)


def _path(rule, number: str) -> str:
    """The rule's path with every int argument `number` and every other argument a valid-looking word."""

    def fill(match):
        converter = match.group(1) or ""
        if converter.startswith("int"):
            return number
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip(" )")
        return "x"

    return re.sub(r"<(?:([^:>]+):)?[^>]+>", fill, rule.rule)


@pytest.mark.parametrize("username", ["admin", "member"])
def test_no_route_answers_500_to_any_parameter(world, auth, client, app, username):
    auth.login(username)
    rules = _routes(app)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        rule=st.sampled_from(rules),
        number=st.sampled_from(HOSTILE_NUMBERS),
        query=st.dictionaries(st.sampled_from(FIELDS), values, max_size=4),
        form=st.dictionaries(st.sampled_from(FIELDS), values, max_size=6),
    )
    def walk(rule, number, query, form):
        path = _path(rule, number)
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = form if method == "POST" else None
            answer = client.open(path, method=method, query_string=query, data=data)
            assert answer.status_code < 500, (method, path, query, form, answer.status_code)
            answer.close()
        if "/logout" in path:
            auth.login(username)

    walk()


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/2147483648",
        "/orgs/99999999999999999999",
        "/language/en?next=/%0a",
        "/language/en?next=/%0d%0aSet-Cookie:x=1",
        "/language/en?next=\\\\evil.example",
    ],
)
def test_the_parameters_the_report_named_are_refused_cleanly(world, auth, client, path):
    auth.login("admin")
    answer = client.get(path)
    assert answer.status_code in (302, 404)
    assert "\n" not in answer.headers.get("Location", "") and "evil" not in answer.headers.get("Location", "")


def test_a_year_beyond_reason_and_a_target_that_is_not_a_number(world, auth, client):
    auth.login("leader")
    assert client.get(f"/orgs/{world.upper.id}?year=2147483648").status_code == 404
    for bad in ("sNaN", "1e-999999", "Infinity", "85%", "1.000,5"):
        page = client.post(f"/orgs/{world.upper.id}/targets/2025", data={"subject": "members", "min_percent": bad})
        assert page.status_code == 200 and "Hãy nhập một số" in page.get_data(as_text=True), bad
    assert db.session.scalar(sa.select(sa.func.count(Target.id))) == 0
