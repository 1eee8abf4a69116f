"""The shipped pack's HTML report opened in real headless Chromium (Debian's `chromium` package).

Outside CI a machine without /usr/bin/chromium skips these tests with the reason; in CI (CI=true, where
.ci/run installs the package) a missing browser fails them instead, so the check can never silently vanish.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, STOCKPORT_PACK, invoke, load_json
from test_html_report import SECTIONS, check_structure, figures_from_dom, figures_from_json, parse

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
WINDOW = (1280, 2400)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    result = invoke("score", STOCKPORT_PACK, "--format", "html", "--output", path)
    assert result.exit_code == 0, result.output
    return path


def run_chromium(chromium: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    cmd = [str(chromium), *FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_report_renders_every_section_with_the_json_figures(chromium: Path, report: Path, tmp_path: Path) -> None:
    dom = run_chromium(chromium, tmp_path, "--dump-dom", report.as_uri()).stdout
    root = parse(dom)
    check_structure(root)
    for section in SECTIONS:
        assert root.find(id=section).text(), f"section {section} rendered empty"
    expected = figures_from_json(load_json(invoke("score", STOCKPORT_PACK, "--format", "json").stdout))
    assert figures_from_dom(root) == expected
    # The key figures, spelled out (each bid's total, price/quality/SV points, policy status, ruleset sha256).
    assert expected["castle.total"] == "76.50" and expected["evergreen.price_points"] == "40.00"
    assert expected["policy"] == "meets_target"
    assert len(expected["sha256"]) == 64
    assert [g.attrs["data-bid"] for g in root.find(id="points").find_all("g", **{"class": "bar"})] == [
        "castle",
        "acme",
        "brennan",
        "evergreen",
    ]
    assert len(root.find_all("details")) == 6


def test_screenshot_artefact(chromium: Path, report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    shot.unlink(missing_ok=True)
    size = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    run_chromium(chromium, tmp_path, "--hide-scrollbars", f"--screenshot={shot}", size, report.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == WINDOW  # IHDR: width, height
    # A blank page compresses to a few kB; the report's text, tables and charts do not.
    assert len(data) > 100_000, len(data)
    with capsys.disabled():
        print(f"\nHTML report screenshot: {shot}")


class DevTools:
    """Just enough of the Chrome DevTools Protocol over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    def __init__(self, chromium: Path, profile: Path) -> None:
        commands_r, self._commands = os.pipe()
        self._replies, replies_w = os.pipe()
        args = [*FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        # The pipes arrive as the shell's stdin and stdout and are moved to fds 3 and 4 (sh takes one digit).
        self.proc = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null', str(chromium), *args],
            stdin=commands_r,
            stdout=replies_w,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_r)
        os.close(replies_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                assert "error" not in reply, reply
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._replies, 65536)
            assert chunk, "chromium closed the DevTools pipe"
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def evaluate(self, session: str, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)
        assert "exceptionDetails" not in reply, reply
        return reply["result"].get("value")

    def close(self) -> None:
        with contextlib.suppress(AssertionError):  # the browser may close the pipe before it replies
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._commands)
        os.close(self._replies)


@pytest.fixture
def page(chromium: Path, report: Path, tmp_path: Path) -> Iterator[tuple[DevTools, str]]:
    devtools = DevTools(chromium, tmp_path / "profile")
    try:
        target = devtools.send("Target.createTarget", url=report.as_uri())["targetId"]
        session = devtools.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        deadline = time.monotonic() + 60
        # A new target shows about:blank (already "complete") before the report: wait for the report itself.
        loaded = f"location.href === {json.dumps(report.as_uri())} && document.readyState === 'complete'"
        while not devtools.evaluate(session, loaded):
            assert time.monotonic() < deadline, "the report did not finish loading"
            time.sleep(0.05)
        yield devtools, session
    finally:
        devtools.close()


BREAKDOWN_VISIBLE = (
    "JSON.stringify([...document.querySelectorAll('details.bid')].map("
    "d => [d.dataset.bid, d.querySelector('table').checkVisibility()]))"
)


def test_print_opens_every_breakdown_and_drops_backgrounds(page: tuple[DevTools, str]) -> None:
    devtools, session = page
    on_screen = json.loads(devtools.evaluate(session, BREAKDOWN_VISIBLE))
    assert on_screen and all(not visible for _, visible in on_screen), on_screen  # collapsed on screen
    devtools.send("Emulation.setEmulatedMedia", session, media="print")
    in_print = json.loads(devtools.evaluate(session, BREAKDOWN_VISIBLE))
    assert [bid for bid, visible in in_print if visible] == [bid for bid, _ in on_screen]
    background = "getComputedStyle(document.querySelector('section')).backgroundColor"
    assert devtools.evaluate(session, background) == "rgba(0, 0, 0, 0)"
    assert devtools.evaluate(session, "getComputedStyle(document.querySelector('nav')).display") == "none"


def test_nothing_is_fetched_and_nothing_is_refused(page: tuple[DevTools, str]) -> None:
    devtools, session = page
    assert devtools.evaluate(session, "performance.getEntriesByType('resource').length") == 0
    # Log.enable replays what was logged so far: a CSP refusal (say, of the print script) would show here.
    devtools.send("Log.enable", session)
    devtools.send("Runtime.enable", session)
    devtools.evaluate(session, "1")
    problems = [
        e["params"]
        for e in devtools.events
        if e.get("method") in {"Log.entryAdded", "Runtime.exceptionThrown"}
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error")
    ]
    assert problems == []
    # The print script ran (the CSP let it in by its hash): printing opens the breakdowns, closing restores them.
    opened = devtools.evaluate(
        session,
        "dispatchEvent(new Event('beforeprint'));"
        "const n = document.querySelectorAll('details[open]').length;"
        "dispatchEvent(new Event('afterprint'));"
        "[n, document.querySelectorAll('details[open]').length]",
    )
    assert opened == [6, 0]
