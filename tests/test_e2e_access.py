"""Sign-in end to end in Debian's chromium: local accounts (wrong password, a session that survives a reload,
a refused page, sign-out), and single sign-on through a real OpenID Connect provider (npm oidc-provider, which
`make test` installs) on loopback. No request leaves the machine."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CHROMIUM, ROOT, browser_tab, serving
from cseboard.tools import serve

PROVIDER = ROOT / "tests" / "oidc"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is not installed (make test installs Debian's chromium)")


@pytest.fixture
def tab(browser):
    yield from browser_tab(browser, 30_000)


def test_local_sign_in_survives_a_reload_refuses_what_the_role_may_not_and_signs_out(local_server, tab):
    url, _, passwords = local_server
    tab.goto(url)
    tab.get_by_label("Username", exact=True).fill("viewer")
    tab.get_by_label("Password", exact=True).fill("not the password")
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_text("The username or password is wrong").wait_for()
    serve.sign_in(tab, url, "viewer", passwords["viewer"])
    assert tab.get_by_role("link", name="Load an extract").count() == 0
    tab.reload()
    tab.get_by_text("Signed in as viewer (viewer)").wait_for()  # the session cookie found the session again
    tab.goto(f"{url}/upload")
    tab.get_by_text("Your role (viewer) may not load an extract").wait_for()
    assert tab.locator("input[type=file]").count() == 0
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_label("Username", exact=True).wait_for()
    tab.reload()
    tab.get_by_label("Username", exact=True).wait_for()  # still signed out after a reload
    assert tab.get_by_text("Signed in as").count() == 0


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    pytest.fail("the OpenID Connect provider did not start:\n" + log.read_text()[-2000:])


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory):
    """oidc-provider on a free loopback port, and the dashboard signing in through it: (dashboard url, db)."""
    if not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("node_modules has no oidc-provider: run `make test` (it runs npm ci)")
    folder = tmp_path_factory.mktemp("e2e-sso")
    provider_port, dashboard_port = serve.free_port(), serve.free_port()
    dashboard = f"http://127.0.0.1:{dashboard_port}"
    provider_log = folder / "provider.log"
    with open(provider_log, "wb") as log:
        provider = subprocess.Popen(["node", "provider.mjs", str(provider_port), f"{dashboard}/oauth2callback"],
                                    cwd=PROVIDER, stdout=log, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{provider_port}"
    try:
        wait_for(f"{issuer}/.well-known/openid-configuration", provider, provider_log)
        (folder / "secrets.toml").write_text(f"""
[cseboard]
sign_in = "sso"
[cseboard.group_roles]
"cse-admins" = "administrator"
"board" = "viewer"
[auth]
redirect_uri = "{dashboard}/oauth2callback"
cookie_secret = "a test cookie secret that is long enough"
client_id = "cseboard-test"
client_secret = "cseboard-test-secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
client_kwargs = {{ prompt = "login" }}
""")
        with serving(folder, folder / "secrets.toml", dashboard_port) as running:
            yield running
    finally:
        serve.stop(provider)
        shutil.rmtree(folder, ignore_errors=True)


def sso_sign_in(tab, url: str, login: str) -> None:
    """Press the dashboard's button, then sign in and consent on the provider's own pages."""
    tab.goto(url)
    tab.get_by_role("button", name="Sign in with single sign-on").click()
    tab.locator("input[name=login]").fill(login)
    tab.locator("input[name=password]").fill("any password")
    tab.locator("button[type=submit]").click()
    tab.get_by_role("button", name="Continue").click()


def test_single_sign_on_through_a_real_provider_grants_the_mapped_role(sso_server, tab, browser):
    url, db = sso_server
    sso_sign_in(tab, url, "lead")
    tab.get_by_text("Signed in as lead@example.test (administrator)").wait_for()
    tab.goto(f"{url}/audit")
    tab.get_by_text("Audit trail").first.wait_for()
    tab.locator("[role=gridcell]", has_text="Signed in").first.wait_for(state="attached")  # the sign-in, recorded
    tab.reload()
    tab.get_by_text("Signed in as lead@example.test (administrator)").wait_for()

    other = browser.new_context().new_page()
    sso_sign_in(other, url, "member")
    other.get_by_text("Signed in as member@example.test (viewer)").wait_for()
    other.goto(f"{url}/upload")
    other.get_by_text("Your role (viewer) may not load an extract").wait_for()
    other.context.close()


def test_single_sign_on_without_a_role_is_refused(sso_server, tab):
    url, _ = sso_server
    sso_sign_in(tab, url, "stranger")
    tab.get_by_text("You are signed in as stranger@example.test, but no role").wait_for()
    assert tab.get_by_role("link", name="This quarter").count() == 0
