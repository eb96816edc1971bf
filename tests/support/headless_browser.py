"""Headless Chromium for the tests that look at a page as a person would: Debian's ``chromium``
driven by Playwright (its own browser download is not reachable here, and not needed).

Every request the page makes is recorded; :func:`open_file` refuses any that leaves the file
(``file:`` and ``data:`` only), so a page that would need the network fails the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Where screenshots are kept (CI keeps the folder as the run's artifacts).
ARTIFACTS = Path(os.environ.get("MOTCUA_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))

#: As the machine's notes say: without the background-networking flags Chromium keeps trying
#: Google's hosts, and as root it needs --no-sandbox.
_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("MOTCUA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError(
            "headless Chromium is needed for the report tests: install Debian's package "
            "(apt-get install chromium; .ci/run does) or set MOTCUA_CHROMIUM"
        )
    return path


@contextmanager
def _guarded_page(allowed: tuple[str, ...], where: str, *, width: int, height: int) -> Iterator:
    """A Playwright page in headless Chromium that may load only addresses starting with one of
    ``allowed``; every other request is refused and recorded, and on exit the test fails naming
    them (``where`` says what the page was allowed)."""
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})

            def only_allowed(route) -> None:
                url = route.request.url
                if url.startswith(allowed):
                    route.continue_()
                else:
                    outside.append(url)
                    route.abort()

            page.route("**/*", only_allowed)
            yield page
        finally:
            browser.close()
    assert not outside, f"the page asked for addresses outside {where}: {outside}"


@contextmanager
def open_file(path: Path, *, width: int = 1280) -> Iterator:
    """A Playwright page showing ``path``; on exit, fails if the page asked for anything else."""
    with _guarded_page(("file:", "data:"), "the file", width=width, height=900) as page:
        page.goto(path.resolve().as_uri(), wait_until="load")
        yield page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    page.screenshot(path=str(target), full_page=True)
    return target


@contextmanager
def open_local_site(origin: str, *, width: int = 1440) -> Iterator:
    """A Playwright page for a server on this machine (``origin``, e.g. ``http://127.0.0.1:8088``);
    on exit, fails if any page asked for an address elsewhere (a CDN, a font, a tracker)."""
    with _guarded_page((origin + "/", "data:", "blob:"), origin, width=width, height=1000) as page:
        yield page
