"""HTML to PDF with one headless Chromium per process, kept open and reused.

Starting Chromium for every PDF (`chromium --print-to-pdf`) cost 1–2.5 s a brief, most of a region's visit
pack. Here the browser is started once (choreographer, the browser driver kaleido already brings) on a
thread of its own with its own event loop; each document is printed in a fresh tab with the DevTools
`Page.printToPDF` call, which honours the document's CSS `@page` size. Thread-safe: callers wait on a lock.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import tempfile
import threading
from pathlib import Path
from typing import Any

import choreographer

from joblog_dash.exporting import files as exports

PDF_UNAVAILABLE = "PDF er ikke tilgængelig (Chromium mangler) — hent HTML-udgaven."


class PdfUnavailable(RuntimeError):
    """Chromium is missing or failed: offer the HTML instead."""


class _Printer:
    """One browser on one background event loop; `print` blocks the caller until the PDF is there."""

    def __init__(self, path: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="joblog-pdf")
        self.thread.start()
        self.folder = tempfile.TemporaryDirectory(prefix="joblog-pdf-")
        self.browser: Any = self._run(self._open(path), 60)

    def _run(self, coroutine: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _open(self, path: str) -> Any:
        browser = choreographer.Browser(path, headless=True, enable_gpu=False)
        await browser.open()
        return browser

    async def _print(self, document: str, name: str) -> bytes:
        source = Path(self.folder.name) / f"{name}.html"
        source.write_text(document, encoding="utf-8")
        tab = await self.browser.create_tab("")
        try:
            await tab.send_command("Page.enable")
            loaded = tab.subscribe_once("Page.loadEventFired")
            await tab.send_command("Page.navigate", params={"url": source.as_uri()})
            await asyncio.wait_for(loaded, 30)
            response = await tab.send_command(
                "Page.printToPDF",
                params={"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False},
            )
        finally:
            await self.browser.close_tab(tab.target_id)
            source.unlink(missing_ok=True)
        if "error" in response:
            raise PdfUnavailable(f"{PDF_UNAVAILABLE} ({response['error'].get('message', '')})")
        return base64.b64decode(response["result"]["data"])

    def print(self, document: str, timeout: float) -> bytes:
        return self._run(self._print(document, f"doc-{threading.get_ident()}"), timeout)

    def close(self) -> None:
        """Close the browser before the interpreter exits: left to the end, its profile folder was removed
        while Chromium still wrote to it ('Directory not empty')."""
        with contextlib.suppress(Exception):  # already gone: nothing left to tidy
            self._run(self.browser.close(), 15)


_lock = threading.Lock()
_printer: _Printer | None = None


@atexit.register
def _close() -> None:
    if _printer is not None:
        _printer.close()


def html_to_pdf(document: str, timeout: float = 90) -> bytes:
    """Print the HTML (its own @page size and margins, no header or footer). PdfUnavailable without Chromium."""
    global _printer
    path = exports.chromium_path()
    if path is None:
        raise PdfUnavailable(PDF_UNAVAILABLE)
    with _lock:
        try:
            if _printer is None:
                _printer = _Printer(path)
            return _printer.print(document, timeout)
        except PdfUnavailable:
            raise
        except Exception as exc:  # a browser that died or never started: start afresh next time
            _printer = None
            raise PdfUnavailable(f"{PDF_UNAVAILABLE} ({exc.__class__.__name__})") from exc
