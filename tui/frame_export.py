"""``e``: the current frame as a picture, written to a file, or under ``serve`` sent to the browser."""
from __future__ import annotations

import io
from functools import partial
from pathlib import Path
from typing import Optional

from graphviz_nn.errors import UserError

from .busy import from_thread

MIME_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


def export_frame(trace, k: int, level: str, path: str) -> str:
    """Write the frame at step ``k`` through the renderer's export (atomic write); returns the path."""
    from graphviz_nn.render.export import export

    return str(Path(export(trace, path, step=k, level=level)).resolve())  # the full path, said on screen


def download_frame(trace, k: int, level: str, name: str) -> tuple:
    """(file name, bytes, MIME type) of the frame at step ``k``: rendered in memory, never written."""
    from graphviz_nn.render.export import ExportError, format_of, render_bytes

    filename = Path(name.replace("\\", "/")).name  # a name, not a path: the browser picks the folder
    fmt = format_of(filename)
    if fmt not in MIME_TYPES:
        raise ExportError(f"downloads are .svg, .png or .pdf pictures; give a name such as graph-step{k}.svg")
    return filename, render_bytes(trace, fmt, step=k, level=level), MIME_TYPES[fmt]


class FrameExport:
    """Asks for a name, then renders off the UI thread; the result (or the error) comes back as a toast."""

    def __init__(self, app) -> None:
        self.app = app

    def ask(self, trace, k: int, level: str, default: str) -> None:
        app = self.app
        if app.served:  # nothing is written on the server: the browser downloads the picture
            def download(name: Optional[str]) -> None:
                if name:
                    app.say(f"Preparing {name} for download…", timeout=3)
                    self._run(self._download, trace, k, level, name)
            from .screens.prompt import PromptScreen  # a dialog: imported when opened, not before the first screen
            app.push_screen(PromptScreen("Download this frame as (.svg, .png or .pdf):", default), download)
            return

        def answer(path: Optional[str]) -> None:
            if path:
                app.say(f"Exporting step {k} to {path}…", timeout=3)
                self._run(self._write, trace, k, level, path)

        from .screens.prompt import PromptScreen  # a dialog: imported when opened, not before the first screen
        app.push_screen(PromptScreen("Export this frame to (.svg, .png or .pdf):", default), answer)

    def _run(self, job, *args) -> None:
        self.app.run_worker(partial(job, *args), thread=True, group="export", exit_on_error=False)

    def _failed(self, sentence: str) -> None:
        from_thread(self.app, partial(self.app.say, sentence, title="Export failed", severity="error", timeout=8))

    def _write(self, trace, k: int, level: str, path: str) -> None:
        try:
            written = export_frame(trace, k, level, path)
        except UserError as error:
            self._failed(str(error))
            return
        except OSError as error:  # e.g. the disk filled up while writing
            self._failed(f"cannot write {path!r} ({error.strerror or error}).")
            return
        from_thread(self.app, partial(self.app.say, f"Wrote {written}.", title="Exported", timeout=5))

    def _download(self, trace, k: int, level: str, name: str) -> None:
        """Under serve: render in memory and hand the bytes to the browser (textual-serve's download)."""
        try:
            filename, data, mime = download_frame(trace, k, level, name)
        except UserError as error:
            self._failed(str(error))
            return
        from_thread(self.app, self._deliver, filename, data, mime)

    def _deliver(self, filename: str, data: bytes, mime: str) -> None:
        self.app.deliver_binary(io.BytesIO(data), save_filename=filename, mime_type=mime)
        self.app.say(f"Sent {filename} to your browser.", title="Exported", timeout=5)
