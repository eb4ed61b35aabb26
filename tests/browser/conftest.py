"""Real-browser tests: Playwright drives Debian's Chromium against a live server on 127.0.0.1.

`make test` skips these with a clear message when Chromium is missing; CI sets
TSUNAGARI_REQUIRE_BROWSER=1 so that a missing browser fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from community.extensions import db
from tests.conftest import _config, _empty_tables

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("TSUNAGARI_CHROMIUM") or next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    missing = []
    if not CHROMIUM or not shutil.which(CHROMIUM):
        missing.append("Chromium (apt-get install chromium fonts-noto-cjk)")
    if not AXE.exists():
        missing.append("axe-core (npm install)")
    if not missing:
        return
    message = "browser tests need " + " and ".join(missing)
    if os.environ.get("TSUNAGARI_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(message + " (TSUNAGARI_REQUIRE_BROWSER=1 is set, as in CI)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1280, "height": 800},
        # axe is injected as a script tag, which our strict CSP would (rightly) block.
        "bypass_csp": True,
    }


@pytest.fixture
def live_server(_schema, database_url, tmp_path):
    """The app served by a real WSGI server in a thread; port 0 picks a free port."""
    app = create_app(_config(database_url, tmp_path))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


def run_axe(page, rules: list[str] | None = None) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the current page, or only the named rules.

    Naming a rule also runs axe's "experimental" ones (label-content-name-mismatch), which tags skip.
    """
    page.add_script_tag(path=str(AXE))
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS}
    result = page.evaluate("runOnly => axe.run(document, {runOnly: runOnly})", run_only)
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def platform_fonts(page, selector: str) -> list[str]:
    """The fonts Chromium really used to draw an element's text (CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument")
    node = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": selector})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    return [f["familyName"] for f in fonts["fonts"]]
