"""A small headless-Chromium driver over the Chrome DevTools Protocol."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--remote-debugging-port=0",
]

# The innermost visible element whose text is (or contains) `text`.
_BY_TEXT_JS = """
((text, exact) => {
  const matches = (el) => {
    const value = (el.innerText || '').trim();
    return el.getClientRects().length > 0 && (exact ? value === text : value.includes(text));
  };
  return [...document.body.querySelectorAll('*')].find(
    (el) => matches(el) && ![...el.children].some(matches)) || null;
})
"""

# The first visible element matching a CSS selector.
_BY_SELECTOR_JS = """
((selector) => [...document.querySelectorAll(selector)].find((el) => el.getClientRects().length > 0) || null)
"""

# Scrolls an element into view and returns the viewport coordinates of its centre.
_CENTRE_JS = """
((el) => {
  if (!el) return null;
  el.scrollIntoView({block: 'center'});
  const box = el.getBoundingClientRect();
  return {x: box.x + box.width / 2, y: box.y + box.height / 2};
})
"""


class HeadlessChromium:
    """A headless Chromium process driven through one page target over CDP."""

    def __init__(self, executable: str = CHROMIUM, width: int = 1600, height: int = 1000, timeout: float = 30) -> None:
        self.executable, self.width, self.height, self.timeout = executable, width, height, timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.profile: Path | None = None
        self.ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []
        self._resources = contextlib.ExitStack()

    def __enter__(self) -> HeadlessChromium:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Launch Chromium with a fresh profile and attach to its first page."""
        with self._resources as resources:
            self.profile = Path(tempfile.mkdtemp(prefix="chromium-"))
            resources.callback(shutil.rmtree, self.profile, ignore_errors=True)
            with open(self.profile / "chromium.log", "wb") as log:
                self.process = subprocess.Popen(
                    [self.executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                    stdout=log,
                    stderr=log,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            resources.callback(stop_process_group, self.process)
            port = self._devtools_port()
            targets = json.load(_opener.open(f"http://127.0.0.1:{port}/json/list", timeout=self.timeout))
            page = next(t for t in targets if t["type"] == "page")
            self.ws = resources.enter_context(
                connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=self.timeout, legacy=False)
            )
            self.send("Page.enable")
            self.send(
                "Emulation.setDeviceMetricsOverride",
                width=self.width,
                height=self.height,
                deviceScaleFactor=1,
                mobile=False,
            )
            self._resources = resources.pop_all()

    def _devtools_port(self) -> int:
        """The port Chromium chose, from the DevToolsActivePort file of its profile."""
        assert self.process and self.profile
        active_port = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if active_port.exists() and (lines := active_port.read_text().splitlines()):
                return int(lines[0])
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        log = (self.profile / "chromium.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"Chromium did not open its DevTools port (exit {self.process.poll()}):\n{log}")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a CDP method and return its result, keeping events that arrive meanwhile."""
        assert self.ws, "browser not started"
        message_id = next(self._ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=self.timeout))
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self._events.append(message)

    def wait_for_event(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the next CDP event `method` and return its params."""
        assert self.ws, "browser not started"
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for event in self._events:
                if event["method"] == method:
                    self._events.remove(event)
                    return event.get("params", {})
            self._events.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {method} event")
            message = json.loads(self.ws.recv(timeout=remaining))
            if "method" in message:
                self._events.append(message)

    def goto(self, url: str) -> None:
        """Navigate to `url` and wait for its load event."""
        self._events.clear()
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise RuntimeError(f"cannot open {url}: {result['errorText']}")
        self.wait_for_event("Page.loadEventFired")

    def evaluate(self, js: str) -> Any:
        """Evaluate a JS expression in the page (awaiting promises) and return its value."""
        result = self.send("Runtime.evaluate", expression=js, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(f"JS error: {details.get('exception', {}).get('description') or details['text']}")
        return result["result"].get("value")

    def text(self) -> str:
        """The visible text of the page."""
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def wait_for_text(self, text: str, timeout: float | None = None) -> None:
        """Wait until `text` appears in the visible text of the page."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while text not in (page := self.text()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} did not appear; the page shows:\n{page[:3000]}")
            time.sleep(0.2)

    def wait_for(self, js: str, timeout: float | None = None, what: str | None = None) -> Any:
        """Wait until a JS expression is truthy and return its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while not (value := self.evaluate(js)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what or js} did not happen; the page shows:\n{self.text()[:3000]}")
            time.sleep(0.2)
        return value

    def click_text(self, text: str, exact: bool = True, timeout: float | None = None) -> None:
        """Click the innermost visible element whose text is `text` (or contains it, if not `exact`)."""
        element = f"{_BY_TEXT_JS}({json.dumps(text)}, {json.dumps(exact)})"
        self._click(element, timeout, f"an element with text {text!r}")

    def click(self, selector: str, timeout: float | None = None) -> None:
        """Click the first visible element matching a CSS selector."""
        self._click(f"{_BY_SELECTOR_JS}({json.dumps(selector)})", timeout, f"an element {selector!r}")

    def type_text(self, selector: str, text: str, timeout: float | None = None) -> None:
        """Click into the element matching `selector` and type `text` there."""
        self.click(selector, timeout)
        self.send("Input.insertText", text=text)

    def _click(self, element_js: str, timeout: float | None, what: str) -> None:
        """Press and release the left mouse button over the centre of an element, as a user would."""
        point = self.wait_for(f"{_CENTRE_JS}({element_js})", timeout, what)
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=point["x"], y=point["y"])
        for event in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=event, x=point["x"], y=point["y"], button="left", clickCount=1)

    def screenshot(self, path: str | Path) -> Path:
        """Save a PNG screenshot of the viewport to `path`."""
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Disconnect, stop Chromium and remove its profile."""
        self._resources.close()
        self.ws = self.process = self.profile = None


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started with start_new_session=True, and everything it spawned."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
