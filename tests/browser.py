"""A page opened as a person opens it: Debian's Chromium, headless, driven by Playwright,
over a static file server on loopback.

Playwright's own browser downloads are not reachable here, so it drives the `chromium`
package (`bash .ci/chromium` installs it). Where it is missing the browser tests skip,
unless PIPEHEALTH_REQUIRE_BROWSER=1 (set in CI), where they fail.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Without the background-networking flags Chromium keeps calling Google's hosts, which a
# closed network refuses; --no-sandbox because CI runs as root.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def chromium_executable() -> str:
    """Debian's Chromium, or skip (fail where PIPEHEALTH_REQUIRE_BROWSER=1)."""
    executable = shutil.which("chromium")
    reason = None
    if executable is None:
        reason = "Debian's chromium is not installed (bash .ci/chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (make install)"
    if reason is not None:
        if os.environ.get("PIPEHEALTH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PIPEHEALTH_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    assert executable is not None
    return executable


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """`folder` served over HTTP on a free loopback port, as any static file server would;
    yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class OpenedPage:
    """A loaded page and what it did while loading: console errors, uncaught exceptions,
    dialogs (an `alert` run from CRM text) and every request that left loopback (each
    refused, so a page that needs the internet shows it)."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    off_loopback_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path


@contextmanager
def opened(url: str, viewport: tuple[int, int] = (1280, 900)) -> Iterator[OpenedPage]:
    """`url` opened in headless Chromium, after the network went idle."""
    from playwright.sync_api import Route, sync_playwright

    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            width, height = viewport
            page = browser.new_page(viewport={"width": width, "height": height})
            opened_page = OpenedPage(page)

            def keep_on_loopback(route: Route) -> None:
                address = urlsplit(route.request.url)
                if address.scheme in ("data", "blob") or address.hostname in LOOPBACK_HOSTS:
                    route.continue_()
                else:
                    opened_page.off_loopback_requests.append(route.request.url)
                    route.abort()

            page.route("**/*", keep_on_loopback)
            page.on(
                "console",
                lambda message: (
                    opened_page.console_errors.append(message.text)
                    if message.type == "error"
                    else None
                ),
            )
            page.on("pageerror", lambda error: opened_page.console_errors.append(str(error)))

            def record_dialog(dialog: Any) -> None:
                opened_page.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", record_dialog)
            page.goto(url, wait_until="networkidle")
            yield opened_page
        finally:
            browser.close()
