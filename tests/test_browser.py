"""The browser harness itself: what the page tests rely on it to notice, it notices."""

from __future__ import annotations

from pathlib import Path

from browser import opened, served

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>probe</title></head>
<body><p id="shown">shown</p>
<img src="https://example.com/tracker.png" alt="">
<script>console.error("probe error"); alert("probe dialog");</script>
</body></html>"""


def test_the_harness_sees_console_errors_dialogs_and_requests_off_loopback(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE)
    with served(tmp_path) as base_url, opened(base_url + "index.html") as probe:
        assert probe.page.inner_text("#shown") == "shown"
        # The blocked image logs its own error, in an order the page does not fix.
        assert "probe error" in probe.console_errors
        assert probe.dialogs == ["probe dialog"]
        assert probe.off_loopback_requests == ["https://example.com/tracker.png"]
        screenshot = probe.screenshot(tmp_path / "probe.png")
    assert screenshot.stat().st_size > 1000
