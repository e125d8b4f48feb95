"""The step debugger: header, graph pane, inspector, step list, footer; a thin view over a Session.

Every key calls one ``Session`` method (or opens a screen), then ``refresh_view`` redraws
from ``session.state``: no widget computes a value or a gradient.

    >>> from graphviz_nn.tui.app import DebuggerApp
    >>> DebuggerApp(scenario="sigmoid-neuron").run()   # doctest: +SKIP
"""
from __future__ import annotations

import gc
from pathlib import Path
from typing import Optional

from textual import work
from textual.worker import get_current_worker
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from graphviz_nn.debugger.breakpoints import WATCH_KINDS
from graphviz_nn.debugger.session import Session
from graphviz_nn.errors import UserError
from graphviz_nn.terminal_text import terminal_safe
from graphviz_nn.scenario_format.budget import estimate
from graphviz_nn.scenario_format.loader import load_scenario
from .picture.layout import Layout, layered_layout, layout as graphviz_or_builtin

from . import key_parser_guard, presenter, reports, served
from .screens.help import HelpScreen
from .screens.picker import PickerScreen
from .screens.prompt import PromptScreen
from .screens.report import ReportScreen
from .picture.level_graph import LevelGraph
from .target import Target, catalogue, from_outputs, from_scenario, iteration_of, loss_history
from .widgets.graph_view import GraphView
from .widgets.header_line import HeaderLine
from .widgets.inspector import Inspector
from .widgets.loss_plot import LossPlot
from .widgets.step_list import StepList

key_parser_guard.install()  # two escape sequences would otherwise end the app (a Textual defect)

DEFAULT_SCENARIO = "sigmoid-neuron"
# Above this many nodes a graph opens at neuron level (gate level is one key away).
LARGE_GRAPH = 400
# Graphs up to this size open in a few milliseconds, inline; larger ones in a worker.
INLINE_NODES = 3000


class DebuggerApp(App):
    """Step through backpropagation on a scenario (id or path), the user's own ``outputs``, or a ``Target``.

    ``layout_engine``: ``"auto"`` (Graphviz when installed, in a worker; built-in meanwhile)
    or ``"builtin"`` (never runs ``dot``).
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "graphviz-nn"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("n,right", "next", "Next"),
        Binding("p,left", "prev", "Prev"),
        Binding("s", "step_into", "Into"),
        Binding("f", "step_out", "Out"),
        Binding("c", "continue", "Cont"),
        Binding("home", "start", "Start", show=False),
        Binding("end", "end", "End", show=False),
        Binding("g", "goto", "Go to", show=False),
        Binding("b", "breakpoint", "Break"),
        Binding("w", "watch", "Watch", show=False),
        Binding("l", "level", "Level"),
        Binding("t", "train", "Train"),
        Binding("x", "gradcheck", "Grad check", show=False),
        Binding("d", "diagnostics", "Diagnose", show=False),
        Binding("r", "training_report", "Report", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("o", "open", "Open"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("escape", "cancel_work", "Cancel", show=False),
        Binding("shift+left", "pan(-10, 0)", "Pan", show=False),
        Binding("shift+right", "pan(10, 0)", "Pan", show=False),
        Binding("shift+up", "pan(0, -4)", "Pan", show=False),
        Binding("shift+down", "pan(0, 4)", "Pan", show=False),
    ]

    def __init__(self, scenario: Optional[str] = None, outputs=None, title: Optional[str] = None,
                 layout_engine: str = "auto", target: Optional[Target] = None, served: bool = False,
                 scenarios_dir: Optional[str] = None) -> None:
        super().__init__()
        # under ``serve``: downloads instead of files, o limited to what the server shares
        self.served = served
        self.scenarios_dir = scenarios_dir
        given = scenario is not None or outputs is not None or target is not None
        self._initial_scenario = scenario if given else DEFAULT_SCENARIO
        self._outputs = outputs
        self._initial_target = target
        self._user_title = title
        self.layout_engine = layout_engine
        self.target: Optional[Target] = None
        self.session: Optional[Session] = None
        self.error: Optional[str] = None
        self.selected: Optional[str] = None
        self.flags: dict = {}
        self._diagnosed = None  # the trace self.flags belong to
        self._layouts: dict = {}  # (trace, level) -> Layout
        self._view: Optional[LevelGraph] = None
        self._layout_note_said = False
        self._catalogue: Optional[list] = None
        self._layout_busy = False  # a Graphviz layout is being computed in a worker
        self._busy: Optional[str] = None  # what a "busy" worker is doing (the progress line)

    # ---- building the screen ----
    def compose(self):
        yield HeaderLine("graphviz-nn", id="header")
        with Horizontal(id="main"):
            yield GraphView(id="graph")
            with Vertical(id="side"):
                yield Inspector(id="inspector")
                yield LossPlot(id="loss")
        yield Static("", id="message", markup=False)
        yield StepList(id="steps")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#loss", LossPlot).display = False
        self.query_one("#message", Static).display = False
        if self._initial_target is not None:
            self.open_target(lambda: self._initial_target)
        elif self._outputs is not None:
            self.open_target(lambda: from_outputs(self._outputs, self._user_title or "your graph"))
        else:
            self.open_scenario(self._initial_scenario)

    def open_target(self, make) -> bool:
        """Load a target; a ``UserError`` becomes the message on screen, never a crash."""
        outcome = _make_target(make)
        if isinstance(outcome, str):
            self.show_error(outcome)
            return False
        self._install(*outcome)
        return True

    def _install(self, target: Target, trace) -> None:
        """Show a target whose trace is ready."""
        self.error = None
        self.query_one("#message", Static).display = False
        replacing = self.target is not None
        self.target = target
        level = "neuron" if len(trace.nodes) > LARGE_GRAPH and any(i.group for i in trace.nodes) else "gate"
        self.session = Session(trace, level=level)
        self.selected = None
        self._layouts.clear()
        self._view = None
        self.flags = self._flags_of(trace)
        self._settle_memory(replacing=replacing)
        loss = self.query_one("#loss", LossPlot)
        loss.display = target.trains
        self.refresh_view()
        return True

    @staticmethod
    def _settle_memory(replacing: bool) -> None:
        """Keep a trace's many long-lived objects out of the collector's full passes.

        Those passes otherwise pause a step now and then (the p95 latency); when a trace
        replaces another, the old one's cycles are collected first so none stay frozen.
        """
        if replacing:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()  # the app is going: its objects go back to the collector

    def show_error(self, message: str) -> None:
        """Say what went wrong in one sentence, in the app (the old session, if any, stays)."""
        if self.served:
            message = served.redact(message)  # a browser user never sees what a file holds
        message = terminal_safe(message, newlines=False)  # a file name may hold escapes
        self.error = message
        box = self.query_one("#message", Static)
        box.update(message)
        box.display = True
        self.say(message, title="Cannot open", severity="error", timeout=8)

    def _flags_of(self, trace) -> dict:
        self._diagnosed = trace
        flags: dict = {}
        for flag in reports.diagnose(trace):
            flags.setdefault(flag.node, []).append(flag)
        return flags

    # ---- drawing from the session ----
    def refresh_view(self, follow: bool = True) -> None:
        """Redraw every pane from ``session.state``."""
        session = self.session
        header = self.query_one("#header", HeaderLine)
        if session is None:
            header.update("graphviz-nn  │  nothing open: press o to open a scenario")
            return
        trace = session.trace
        state = session.state
        view = self._view
        if view is None or view.trace is not trace or view.level != self._drawn_level():
            view = self._show(trace)
        graph = self.query_one("#graph", GraphView)
        graph.current = view.box_of(state.current)
        graph.selected = self.selected
        graph.hot_edge = view.hot_edge(state.current_edge)
        graph.invalidate()
        if follow and state.k == 0:
            graph.scroll_to(0, 0, animate=False, immediate=True)  # the start looks as it did on opening
        elif follow and graph.current is not None:
            edge = state.current_edge  # backward: keep the input the gradient flows into in view too
            graph.follow(graph.current, view.box_of(edge[0]) if edge else None)
        title = self.target.title if self.target else ""
        busy = "  │  laying out with Graphviz…" if self._layout_busy else ""
        header.update(presenter.header_text(title, state, len(trace.steps), iteration_of(self.target),
                                            session.level, session.depth, session.inside) + busy)
        focus = view.node_of(self.selected) if self.selected else state.current
        flags = self.flags.get(focus, ()) if trace is self._top_trace() else ()
        lines = view.group_summary(self.selected, state) + presenter.inspector_lines(trace, state, focus, flags)
        self.query_one("#inspector", Inspector).show(lines)
        self.query_one("#steps", StepList).set_current(state.k - 1 if state.k else None)
        if self.target is not None and self.target.trains:
            self.query_one("#loss", LossPlot).show(loss_history(self.target))

    # ---- work off the UI thread: opening, the gradient check (Esc cancels, q always quits) ----
    def open_scenario(self, id_or_path) -> None:
        """Open a scenario: a small one at once, a large one in a worker with progress and Esc."""
        try:
            if self.served:
                id_or_path = served.allowed(str(id_or_path), self.scenarios_dir)
            scenario = load_scenario(id_or_path)  # quick: the work budget is checked before building
        except UserError as error:
            self.show_error(str(error))
            return
        if estimate(scenario).nodes <= INLINE_NODES:
            self.open_target(lambda: from_scenario(scenario))
            return
        self._begin_busy(f"Opening {scenario.id}…")
        self._open_worker(scenario)

    @work(thread=True, exclusive=True, group="busy", exit_on_error=False)
    def _open_worker(self, scenario) -> None:
        worker = get_current_worker()
        outcome = _make_target(lambda: from_scenario(scenario))
        if not worker.is_cancelled:  # cancelled: nobody wants this graph any more
            self._from_thread(self._opened, outcome)

    def _opened(self, outcome) -> None:
        self._end_busy()
        if isinstance(outcome, str):
            self.show_error(outcome)
        else:
            self._install(*outcome)

    def _begin_busy(self, text: str) -> None:
        self._busy = text
        self._show_progress(text)

    def _show_progress(self, text: str) -> None:
        if self._busy is None:
            return
        self._busy = text
        box = self.query_one("#message", Static)
        box.update(f"{text}  (Esc cancels, q quits)")
        box.display = True

    def _end_busy(self, note: Optional[str] = None) -> None:
        self._busy = None
        box = self.query_one("#message", Static)
        if self.error is None:
            box.display = False
        if note:
            self.say(note, timeout=4)

    def action_cancel_work(self) -> None:
        if self._busy is None:
            return
        what = self._busy.split("…")[0]
        self.workers.cancel_group(self, "busy")
        self._end_busy(f"{what}: cancelled.")

    async def action_quit(self) -> None:
        """Quit at once: running work is told to stop (it checks between graph evaluations)."""
        self.workers.cancel_group(self, "busy")
        self.exit()

    def _from_thread(self, callback, *args) -> None:
        """Hand a result to the UI thread; after the app quit there is nobody to hand it to."""
        try:
            self.call_from_thread(callback, *args)
        except RuntimeError:
            pass

    def _drawn_level(self) -> str:
        """Inside a composite gate's expansion the primitives are always drawn one by one."""
        return self.session.level if self.session.depth == 0 else "gate"

    def _top_trace(self):
        """The trace the diagnostics were made for (not a composite gate's expansion)."""
        return self._diagnosed

    def _show(self, trace) -> LevelGraph:
        """A new trace or level: new boxes, the step list, and a layout (cached per level)."""
        if self._view is None or self._view.trace is not trace:
            steps = self.query_one("#steps", StepList)
            steps.show_steps(len(trace.steps), lambda i: presenter.step_row(trace.steps[i]))
        view = LevelGraph(trace, self._drawn_level())
        self._view = view
        if self.selected is not None and self.selected not in view.ids:
            self.selected = None
        key = (trace, view.level)
        layout = self._layouts.get(key)
        if layout is None:
            edges = [(e[0], e[1]) for e in view.edges]
            layout = layered_layout(view.ids, edges)
            self._layouts[key] = layout
            if self.layout_engine == "auto":
                self._layout_busy = True
                self._graphviz_layout(key, view.ids, edges)
        self._draw_graph(view, layout)
        return view

    def _draw_graph(self, view: LevelGraph, layout: Layout) -> None:
        session = self.session
        flags = self.flags if view.trace is self._top_trace() else {}

        def describe(box_id):
            return view.describe(box_id, session.state, session.breakpoints, session.group_breakpoints, flags)

        self.query_one("#graph", GraphView).show_graph(layout.positions, view.edges, describe)

    @work(thread=True, exclusive=True, group="layout", exit_on_error=False)
    def _graphviz_layout(self, key, ids, edges) -> None:
        """Graphviz's layout off the UI thread; swapped in when ready, if still wanted."""
        try:
            result = graphviz_or_builtin(ids, edges)
        except Exception as error:  # an odd answer from dot must never take the app down
            result = Layout({}, "built-in", f"Graphviz's layout could not be read ({error}); using the built-in layout")
        try:
            self.call_from_thread(self._layout_ready, key, result)
        except RuntimeError:
            pass  # the app quit while dot was working: nobody is waiting for this layout

    def _layout_ready(self, key, result: Layout) -> None:
        self._layout_busy = False
        if result.note and not self._layout_note_said:
            self._layout_note_said = True  # say it once per run, not on every step
            self.say(result.note, title="Layout", timeout=6)
        if result.source == "graphviz":
            self._layouts[key] = result
            view = self._view
            if view is not None and view.trace is key[0] and view.level == key[1]:
                self._draw_graph(view, result)
        self.refresh_view(follow=False)

    def say(self, message: str, **kwargs) -> None:
        """One toast at a time: a new message replaces the last (keys can come fast)."""
        self.clear_notifications()
        self.notify(message, markup=False, **kwargs)  # messages quote files and typed text: never markup

    # ---- keys ----
    def _move(self, method: str, *args) -> None:
        if self.session is None:
            return
        self.selected = None
        try:
            result = getattr(self.session, method)(*args)
        except UserError as error:
            self.say(str(error), severity="warning")
            return
        if result is not None and hasattr(result, "sentence"):
            self.say(result.sentence, title="Stopped", timeout=6)
        elif self.session.message and method in ("step_into", "step_out", "next", "prev", "step_over"):
            self.say(self.session.message)  # why the cursor did not move, or where it went
        self.refresh_view()

    def action_next(self) -> None:
        self._move("next")

    def action_prev(self) -> None:
        self._move("prev")

    def action_step_into(self) -> None:
        self._move("step_into")

    def action_step_out(self) -> None:
        self._move("step_out")

    def action_continue(self) -> None:
        self._move("continue_")

    def action_start(self) -> None:
        self._move("home")  # inside an expansion: its first step (only f leaves it)

    def action_end(self) -> None:
        self._move("end")

    def action_goto(self) -> None:
        if self.session is None:
            return
        n = len(self.session.trace.steps)

        def answer(text: Optional[str]) -> None:
            if not text:
                return
            try:
                k = int(text)
            except ValueError:
                self.say(f"{text[:40]!r} is not a step number; type a whole number from 0 to {n}.",
                            severity="warning")
                return
            if not 0 <= k <= n:
                self.say(f"step {k} is out of range; this trace has steps 0 to {n}.", severity="warning")
                return
            self._move("goto", k)

        self.push_screen(PromptScreen(f"Go to step (0 to {n}):", str(self.session.k)), answer)

    def action_breakpoint(self) -> None:
        session, view = self.session, self._view
        if session is None or view is None:
            return
        box = self.selected or view.box_of(session.state.current)
        if box is None:
            self.say("Select a node first: click a box, or step to one.", severity="warning")
            return
        path = view.group_path(box)
        if path is not None:  # a neuron or layer box: break on entering that group
            on = path not in session.group_breakpoints
            if on:
                session.add_group_breakpoint(path)
            else:
                session.remove_group_breakpoint(path)
            what = ".".join(path)
        else:
            on = session.toggle_breakpoint(box)
            what = f"{box} ({session.trace.node(box).label})"
        self.say(f"Breakpoint {'set on' if on else 'cleared from'} {what}.")
        self.refresh_view(follow=False)

    def action_watch(self) -> None:
        if self.session is None:
            return

        def answer(text: Optional[str]) -> None:
            if not text:
                return
            kind, _, threshold = text.partition(" ")
            try:
                value = float(threshold) if threshold.strip() else None
            except ValueError:
                self.say(f"{threshold.strip()[:30]!r} is not a number; write e.g. 'vanishing 1e-6'.",
                            severity="warning")
                return
            try:
                self.session.add_watch(kind, value)
            except UserError as error:
                self.say(str(error), severity="warning")
                return
            self.say(f"Watching for {kind}; c runs until it happens.")

        self.push_screen(PromptScreen("Add a watch (kind and optional threshold):", "",
                                      "kinds: " + ", ".join(WATCH_KINDS)), answer)

    def action_level(self) -> None:
        session = self.session
        if session is None:
            return
        session.cycle_level()  # only the levels this graph has; says so when it has one
        self.say(session.message)
        self.refresh_view(follow=False)

    def action_train(self) -> None:
        target = self.target
        if target is None or not target.trains:
            self.say("This scenario does not train; open a training scenario with o "
                        "(e.g. learning-slowdown-quadratic).", severity="warning")
            return
        try:
            trace = target.make_trace()
        except UserError as error:
            self.say(str(error), severity="warning")
            return
        old = self.session
        self.session = Session(trace, level=old.level if old else "gate")
        if old is not None:
            _carry_over(old, self.session)
        self.selected = None
        self._layouts.clear()
        self.flags = self._flags_of(trace)
        self._settle_memory(replacing=True)
        self.refresh_view()

    def action_gradcheck(self) -> None:
        """The gradient check runs in a worker (it rebuilds the graph twice per leaf)."""
        if self.session is None:
            return
        if self._busy is not None:
            self.say(f"{self._busy.split('…')[0]} is still running; Esc cancels it.", severity="warning")
            return
        scenario = self.target.scenario if self.target is not None else None
        self._begin_busy("Gradient check…")
        self._gradcheck_worker(self.session.trace, scenario)

    @work(thread=True, exclusive=True, group="busy", exit_on_error=False)
    def _gradcheck_worker(self, trace, scenario) -> None:
        worker = get_current_worker()
        shown = [0]

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise reports.Cancelled
            if done * 20 // total != shown[0]:  # about twenty updates whatever the size
                shown[0] = done * 20 // total
                self._from_thread(self._show_progress, f"Gradient check… {done}/{total} graph evaluations")

        try:
            text = reports.gradient_check_text(trace, scenario, progress)
        except reports.Cancelled:
            return
        except UserError as error:
            text = str(error)
        if not worker.is_cancelled:
            self._from_thread(self._gradcheck_ready, text)

    def _gradcheck_ready(self, text: str) -> None:
        self._end_busy()
        self.push_screen(ReportScreen("Gradient check", text))

    def action_training_report(self) -> None:
        self.push_screen(ReportScreen("Training report", reports.training_report_text(self.target)))

    def action_diagnostics(self) -> None:
        if self.session is not None:
            self.push_screen(ReportScreen("Diagnostics", reports.diagnostics_text(self.session.trace)))

    def action_export(self) -> None:
        session = self.session
        if session is None:
            return
        trace, k, level = session.trace, session.k, self._drawn_level()

        def answer(path: Optional[str]) -> None:
            if path:
                self.say(f"Exporting step {k} to {path}…", timeout=3)
                self._export(trace, k, level, path)

        default = f"{self.target.id if self.target else 'graph'}-step{k}.svg"
        if self.served:  # nothing is written on the server: the browser downloads the picture
            def download(name: Optional[str]) -> None:
                if name:
                    self.say(f"Preparing {name} for download…", timeout=3)
                    self._export_download(trace, k, level, name)
            self.push_screen(PromptScreen("Download this frame as (.svg, .png or .pdf):", default), download)
            return
        self.push_screen(PromptScreen("Export this frame to (.svg, .png or .pdf):", default), answer)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, trace, k: int, level: str, path: str) -> None:
        """Graphviz runs off the UI thread; the result (or the one-sentence error) comes back as a toast."""
        try:
            written = export_frame(trace, k, level, path)
        except UserError as error:
            self.call_from_thread(self.say, str(error), title="Export failed", severity="error", timeout=8)
            return
        except OSError as error:  # e.g. the disk filled up while writing
            self.call_from_thread(self.say, f"cannot write {path!r} ({error.strerror or error}).",
                                  title="Export failed", severity="error", timeout=8)
            return
        self.call_from_thread(self.say, f"Wrote {written}.", title="Exported", timeout=5)

    @work(thread=True, group="export", exit_on_error=False)
    def _export_download(self, trace, k: int, level: str, name: str) -> None:
        """Under serve: render in memory and hand the bytes to the browser (textual-serve's download)."""
        try:
            filename, data, mime = download_frame(trace, k, level, name)
        except UserError as error:
            self._from_thread(self.say, str(error), title="Export failed", severity="error", timeout=8)
            return
        self._from_thread(self._deliver, filename, data, mime)

    def _deliver(self, filename: str, data: bytes, mime: str) -> None:
        import io
        self.deliver_binary(io.BytesIO(data), save_filename=filename, mime_type=mime)
        self.say(f"Sent {filename} to your browser.", title="Exported", timeout=5)

    def action_open(self) -> None:
        def answer(choice: Optional[str]) -> None:
            if choice:
                self.open_scenario(choice)

        if self._catalogue is None:  # reading every scenario file once per run is enough
            self._catalogue = catalogue(served.class_files(self.scenarios_dir) if self.served else ())
        self.push_screen(PickerScreen(self._catalogue, self.target.id if self.target else None), answer)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_pan(self, dx: int, dy: int) -> None:
        graph = self.query_one("#graph", GraphView)
        graph.scroll_to(graph.scroll_offset.x + dx, graph.scroll_offset.y + dy, animate=False)

    # ---- messages from widgets ----
    def on_graph_view_node_clicked(self, message: GraphView.NodeClicked) -> None:
        self.selected = message.node_id
        self.refresh_view(follow=False)

    def on_step_list_step_chosen(self, message: StepList.StepChosen) -> None:
        self._move("goto", message.index + 1)


def _make_target(make):
    """``(target, trace)``, or the one sentence saying why it cannot be opened."""
    try:
        target = make()
        return target, target.make_trace()
    except UserError as error:
        return str(error)
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as error:
        # a file the loader accepted but the engine cannot build: say so, keep the app
        return (f"this graph cannot be built ({type(error).__name__}: {error}); "
                f"check the scenario's numbers and expressions")


def _carry_over(old: Session, new: Session) -> None:
    """Breakpoints and watches survive a training iteration (same model, same node ids)."""
    known = {info.id for info in new.trace.nodes}
    for node in old.breakpoints:
        if node in known:
            new.add_breakpoint(node)
    for path in old.group_breakpoints:
        new.add_group_breakpoint(path)
    for kind, threshold in old.watches.items():
        new.watches[kind] = threshold


def export_frame(trace, k: int, level: str, path: str) -> str:
    """Write the frame at step ``k`` through the renderer's export (atomic write); returns the path."""
    from graphviz_nn.render.export import export

    return str(export(trace, path, step=k, level=level))


MIME_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


def download_frame(trace, k: int, level: str, name: str) -> tuple:
    """(file name, bytes, MIME type) of the frame at step ``k``: rendered in memory, never written."""
    from graphviz_nn.render.export import ExportError, format_of, render_bytes

    filename = Path(name.replace("\\", "/")).name  # a name, not a path: the browser picks the folder
    fmt = format_of(filename)
    if fmt not in MIME_TYPES:
        raise ExportError(f"downloads are .svg, .png or .pdf pictures; give a name such as graph-step{k}.svg")
    return filename, render_bytes(trace, fmt, step=k, level=level), MIME_TYPES[fmt]
