"""The stylesheets, the script and the icon are addressed by their content, so browsers keep them."""

import re

import pytest
from flask import render_template_string, url_for


def test_pages_name_each_file_by_its_content_and_browsers_keep_it_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    addresses = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(addresses) == 4 and all(re.search(r"\?v=[0-9a-f]{12}$", a) for a in addresses), addresses
    for address in addresses:
        with client.get(address) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get(addresses[0].partition("?")[0]) as unversioned:  # an address no page gives: asked again
        assert "max-age=31536000" not in unversioned.headers.get("Cache-Control", "")


@pytest.mark.parametrize("debug", [True, False])
def test_a_developers_edited_file_gets_a_new_address_a_workers_keeps_its_own_and_a_missing_one_none(
    other_app, tmp_path, debug
):
    app = other_app(DEBUG=debug)
    app.static_folder = str(tmp_path)
    sheet = tmp_path / "sheet.css"
    sheet.write_text("body { color: black }")
    in_a_page = "{{ url_for('static', filename='sheet.css') }}"
    with app.test_request_context():
        first = url_for("static", filename="sheet.css")
        assert render_template_string(in_a_page) == first
        sheet.write_text("body { color: darkred }")
        # A worker looks at its files once: a release, which changes them, restarts it.
        assert (url_for("static", filename="sheet.css") != first) is debug
        assert (render_template_string(in_a_page) != first) is debug
        assert url_for("static", filename="missing.css") == "/static/missing.css"


def test_a_pages_links_are_the_ones_flask_builds_under_each_root_and_host_a_worker_is_reached_at(app):
    """Pages keep the addresses they build (see templating.kept_url_for): per root, since one worker may be
    reached under two, and never for a value whose equal key would write another address or name the host."""
    calls = [
        ("auth.login", {}),
        ("static", {"filename": "css/app.css"}),
        ("orgs.show", {"org_id": 7, "year": 2024}),
        ("orgs.show", {"org_id": 7, "year": True}),  # equal to 1 as a key, written "True"
        ("orgs.show", {"org_id": 7, "year": 1}),
        ("orgs.show", {"org_id": 7, "year": 2024, "_anchor": "quota"}),
        ("orgs.show", {"org_id": 7, "_external": 1}),  # a number, as a template may write it: names the host
        ("admin.members", {"q": "nguyễn " * 40}),
    ]
    page = " ".join(f"{{{{ url_for({endpoint!r}, **{values!r}) }}}}" for endpoint, values in calls)
    for root, host in (("", "localhost"), ("/danh-gia", "localhost"), ("", "danhgia.example"), ("", "localhost")):
        with app.test_request_context("/", base_url=f"http://{host}{root}"):
            built = [url_for(endpoint, **values) for endpoint, values in calls]
            assert render_template_string(page).split() == built
            assert built[0] == f"{root}/login"
            assert built[6] == f"http://{host}{root}/orgs/7"
            assert built[3] != built[4]


def test_the_only_url_defaults_hook_is_the_static_files_version(app):
    """Pages keep their fixed addresses per root (templating.kept_url_for): a hook that read the request, a
    language in the address say, would make them wrong. Such a hook needs the kept addresses to change first."""
    hooks = [hook.__name__ for registered in app.url_default_functions.values() for hook in registered]
    assert hooks == ["name_the_version"]
