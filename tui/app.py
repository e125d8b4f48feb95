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

from rich.text import Text
from textual import work
from textual.worker import get_current_worker
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from graphviz_nn.debugger.breakpoints import WATCH_KINDS, watch_kind
from graphviz_nn.debugger.levels import opening_level
from graphviz_nn.debugger.network import NetworkTooLargeError, check_network_size
from graphviz_nn.debugger.session import Session
from graphviz_nn.errors import UserError
from graphviz_nn.terminal_text import terminal_safe
from graphviz_nn.scenario_format.budget import estimate
from graphviz_nn.scenario_build.to_trace import scenario_of
from .picture.layout import Layout, layered_layout, layout as graphviz_or_builtin

from . import exercise_prompt, key_parser_guard, presenter, reports, served_policy
from .screens.help import HelpScreen
from .screens.picker import PickerScreen
from .screens.prompt import PromptScreen
from .screens.report import ReportScreen
from .picture.level_graph import LevelGraph, make_view
from .target import Target, catalogue, from_outputs, from_scenario, iteration_of, loss_history
from .widgets.graph_view import GraphView
from .widgets.header_line import HeaderLine
from .widgets.inspector import Inspector
from .widgets.loss_plot import LossPlot
from .widgets.step_list import StepList
from .widgets.training_bar import TrainingBar

key_parser_guard.install()  # two escape sequences would otherwise end the app (a Textual defect)

DEFAULT_SCENARIO = "sigmoid-neuron"
# The narrowest the inspector gets so that a graph fits beside it (0 hides it instead).
SIDE_MIN = 24
# Up to this many boxes the compact style measures each box at the trace's end.
MEASURED_BOXES = 2000
# Terminals shorter than this open with the lecture pane hidden (the inspector needs the rows).
LECTURE_MIN_HEIGHT = 30
# Graphs up to this size open in a few milliseconds, inline; larger ones in a worker.
INLINE_NODES = 3000


class DebuggerApp(App):
    """Step through backpropagation on a scenario (id or path), the user's own ``outputs``, or a ``Target``.

    ``layout_engine``: ``"auto"`` (Graphviz when installed, in a worker; built-in meanwhile)
    or ``"builtin"`` (never runs ``dot``). ``zoom``: ``"auto"`` (full boxes when they fit,
    else the compact lecture style), ``"full"`` or ``"compact"``.
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
        Binding("plus,equals_sign", "zoom('full')", "Zoom in", show=False),
        Binding("minus", "zoom('compact')", "Zoom out", show=False),
        Binding("0", "fit", "Fit", show=False),
        Binding("P", "present", "Present", show=False),
        Binding("C", "palette", "Palette", show=False),
        Binding("full_stop", "decimals(1)", "More decimals", show=False),
        Binding("comma", "decimals(-1)", "Fewer decimals", show=False),
        Binding("v", "reveal", "Reveal", show=False),
        Binding("a", "exercise", "Exercise", show=False),
        Binding("L", "lecture", "Lecture", show=False),
        Binding("left_square_bracket", "sample(-1)", "Sample", show=False),
        Binding("right_square_bracket", "sample(1)", "Sample", show=False),
        Binding("T", "train_many", "Train N", show=False),
        Binding("S", "pick_start", "Start", show=False),
    ]

    def __init__(self, scenario: Optional[str] = None, outputs=None, title: Optional[str] = None,
                 layout_engine: str = "auto", target: Optional[Target] = None, served: bool = False,
                 scenarios_dir: Optional[str] = None, zoom: str = "auto", exercise: bool = False) -> None:
        super().__init__()
        presenter.set_decimals(presenter.DEFAULT_DECIMALS)  # every app starts as the lecture writes numbers
        # under ``serve``: downloads instead of files, o limited to what the server shares
        self.served = served
        self.scenarios_dir = scenarios_dir
        self._zoom = zoom  # "auto" (full boxes when they fit, else compact), "full" or "compact"
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
        self.quiz = True  # future steps' numbers stay hidden until reached (v reveals them)
        self.exercise = exercise_prompt.ExerciseMode() if exercise else None  # a: the student types each number
        self.presenting = False  # P: the graph fills the terminal, the step's sentence under it
        self.fitted = False  # 0: side panes hidden so the whole graph fits
        self.training = None  # a TrainingRun while T runs iterations in a worker
        self.sample = 0  # the sample the network view shows
        self._busy: Optional[str] = None  # what a "busy" worker is doing (the progress line)

    # ---- building the screen ----
    def compose(self):
        yield HeaderLine("graphviz-nn", id="header")
        with Horizontal(id="main"):
            with Vertical(id="picture"):
                yield GraphView(id="graph")
                yield Static("", id="spoken", markup=False)
            with Vertical(id="side"):
                yield Static("", id="lecture", markup=False)
                yield Inspector(id="inspector")
                yield LossPlot(id="loss")
        yield TrainingBar(id="training")
        yield Static("", id="message", markup=False)
        yield exercise_prompt.ExercisePrompt(id="exercise")
        yield StepList(id="steps")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#graph", GraphView).zoom = self._zoom
        self.query_one("#loss", LossPlot).display = False
        self.query_one("#message", Static).display = False
        self.query_one("#spoken", Static).display = False
        self.query_one("#training", TrainingBar).display = False
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
        level = opening_level(trace)  # debugger/levels.py decides
        self.session = Session(trace, level=level)
        self.selected = None
        self._layouts.clear()
        self._view = None
        self.flags = self._flags_of(trace)
        self._settle_memory(replacing=replacing)
        loss = self.query_one("#loss", LossPlot)
        loss.display = target.trains
        self._show_lecture()
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
            message = served_policy.redact(message)  # a browser user never sees what a file holds
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
        exercise_prompt.hold(self)  # exercise mode: stop where an answer is due, and ask it
        trace = session.trace
        state = session.state
        view = self._view
        if view is None or view.trace is not trace or view.level != self._drawn_level():
            view = self._show(trace)
        graph = self.query_one("#graph", GraphView)
        if follow and view.samples:
            view.follow_sample(state.current)  # the network shows the current step's sample
            self.sample = view.sample
        if follow and getattr(view, "refocus", None) and view.refocus(state.current):
            self._draw_graph(view, Layout(view.positions(), "network"))  # a hidden neuron comes into view
        graph.current = view.box_of(state.current)
        graph.selected = self.selected
        graph.hot_edge = view.hot_edge(state.current_edge, state)
        graph.invalidate()
        if follow and state.k == 0:
            graph.scroll_to(0, 0, animate=False, immediate=True)  # the start looks as it did on opening
        elif follow and graph.current is not None:
            edge = state.current_edge  # backward: keep the input the gradient flows into in view too
            graph.follow(graph.current, view.box_of(edge[0]) if edge else None)
        title = self.target.title if self.target else ""
        busy = "  │  laying out with Graphviz…" if self._layout_busy else ""
        header.update(presenter.header_text(title, state, len(trace.steps), iteration_of(self.target),
                                            session.level, session.depth, session.inside,
                                            self._sample_note()) + busy)
        focus = view.node_of(self.selected) if self.selected else state.current
        flags = self.flags.get(focus, ()) if trace is self._top_trace() else ()
        lines = view.group_summary(self.selected, state) + presenter.inspector_lines(
            trace, state, focus, flags, hide_locals=exercise_prompt.hides_locals(self, trace, focus))
        self.query_one("#inspector", Inspector).show(lines)
        self.query_one("#steps", StepList).set_current(state.k - 1 if state.k else None)
        if self.target is not None and self.target.trains:
            self.query_one("#loss", LossPlot).show(loss_history(self.target))
        if self.presenting:
            self.query_one("#spoken", Static).update(presenter.spoken_line(trace, state))
        self._mark_lecture(trace, state.current)

    # ---- work off the UI thread: opening, the gradient check (Esc cancels, q always quits) ----
    def open_scenario(self, id_or_path) -> None:
        """Open a scenario: a small one at once, a large one in a worker with progress and Esc."""
        try:
            if self.served:
                id_or_path = served_policy.allowed(str(id_or_path), self.scenarios_dir)
            scenario = scenario_of(id_or_path)  # read once per open; the work budget is checked before building
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
        if self.training is not None:  # T's iterations stop at the next chunk
            self.training["cancel"] = True
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
            self._fill_step_list(trace)
        view = make_view(trace, self._drawn_level(), self.sample)
        self._view = view
        if self.selected is not None and self.selected not in view.ids:
            self.selected = None
        key = (trace, view.level)
        layout = self._layouts.get(key)
        if hasattr(view, "positions"):  # a network: the textbook layout (its boxes follow the step)
            layout = self._layouts[key] = Layout(view.positions(), "network")
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
        final = view.trace.state_at(len(view.trace.steps))

        def describe(box_id):
            return view.describe(box_id, session.state, session.breakpoints, session.group_breakpoints, flags)

        def at_end(box_id):  # the widest a box gets: compact columns never grow while stepping
            return view.describe(box_id, final)

        # measuring every box costs a describe per node: big graphs use one compact width
        measure = at_end if len(view.ids) <= MEASURED_BOXES else None
        self.query_one("#graph", GraphView).show_graph(layout.positions, view.edges, describe, measure,
                                                       getattr(view, "build_geometry", None))
        self._fit_panes()

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
            words = text.split()
            try:  # the last word is the threshold when it is a number: "vanishing 1e-6", "dead relu"
                value = float(words[-1]) if len(words) > 1 else None
                kind = " ".join(words[:-1]) if value is not None else text
            except ValueError:
                value, kind = None, text
            if watch_kind(kind) not in WATCH_KINDS and len(words) > 1 and watch_kind(words[0]) in WATCH_KINDS:
                self.say(f"{' '.join(words[1:])[:30]!r} is not a number; write e.g. 'vanishing 1e-6'.",
                         severity="warning")
                return
            try:
                self.session.add_watch(kind, value)
            except UserError as error:
                self.say(str(error), severity="warning")
                return
            self.say(f"Watching for {watch_kind(kind)}; c runs until it happens.")

        self.push_screen(PromptScreen("Add a watch (kind and optional threshold):", "",
                                      "kinds: " + ", ".join(WATCH_KINDS)), answer)

    def action_level(self) -> None:
        session = self.session
        if session is None:
            return
        if session.depth:
            self.say("Inside a gate's expansion there are only gates: f returns first.", timeout=5)
            return
        session.cycle_level()  # only the levels this graph has; says so when it has one
        if session.level == "neuron":
            try:  # counted from the weight shapes: a refusal costs nothing and builds nothing
                check_network_size(session.trace)
            except NetworkTooLargeError as error:
                session.cycle_level()
                self.say(f"{error}; showing level {session.level}.", severity="warning", timeout=8)
                self.refresh_view(follow=False)
                return
        self.say(session.message)
        self.refresh_view(follow=False)

    def action_train(self) -> None:
        target = self.target
        if self.training is not None:
            self.say("Training is running; Esc cancels it.", severity="warning")
            return
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
            self._catalogue = catalogue(served_policy.class_files(self.scenarios_dir) if self.served else ())
        self.push_screen(PickerScreen(self._catalogue, self.target.id if self.target else None), answer)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_pan(self, dx: int, dy: int) -> None:
        graph = self.query_one("#graph", GraphView)
        graph.scroll_to(graph.scroll_offset.x + dx, graph.scroll_offset.y + dy, animate=False)

    # ---- the picture: fit, zoom, presentation, palette, decimals, quiz, lecture (issue 12) ----
    def _fill_step_list(self, trace) -> None:
        """Rows for a trace; in quiz mode a step's numbers appear only once it has been reached."""
        def row(i: int) -> str:
            session = self.session
            reached = session is not None and session.trace is trace and i < session.k
            return exercise_prompt.step_row(self, trace, i, reached) or \
                presenter.step_row(trace.steps[i], reveal=reached or not self.quiz, trace=trace)

        self.query_one("#steps", StepList).show_steps(len(trace.steps), row)

    def _fit_panes(self) -> None:
        """Give the graph the room it needs: shrink the side pane, or hide it (fit, presentation)."""
        graph = self.query_one("#graph", GraphView)
        side = self.query_one("#side")
        steps = self.query_one("#steps", StepList)
        spoken = self.query_one("#spoken", Static)
        width, height = self.size
        steps_h = max(2, min(8, height // 4))
        full_screen = self.presenting or self.fitted
        side.display = not full_screen
        spoken.display = self.presenting
        if full_screen:
            room_h = height - 2 - (3 if self.presenting else 0)
            # the step list stays when the graph fits above it
            steps.display = not self.presenting and graph.fits(
                graph.style_name if graph.zoom != "auto" else "compact", width, room_h - steps_h)
            return
        steps.display = True
        side_w = min(56, max(20, int(width * 0.4)))
        room_h = height - 2 - steps_h
        if graph.zoom == "auto" and not graph.fits("full", width - side_w, room_h) \
                and not graph.fits("compact", width - side_w, room_h):
            compact_w = graph.geometry("compact").width
            if graph.fits("compact", width - SIDE_MIN, room_h):
                side_w = width - compact_w  # the inspector gives up columns so the picture fits
        side.styles.width = side_w

    def on_resize(self) -> None:
        if self.session is not None and self._view is not None:
            self._fit_panes()
            self.call_after_refresh(self.refresh_view, False)

    def _picture_changed(self) -> None:
        self._fit_panes()
        self.call_after_refresh(self._follow_current)

    def _follow_current(self) -> None:
        """After the panes change size: the current node and edge back in view."""
        if self.session is None or self._view is None:
            return
        graph = self.query_one("#graph", GraphView)
        state = self.session.state
        if graph.current is not None:
            edge = state.current_edge
            graph.follow(graph.current, self._view.box_of(edge[0]) if edge else None)
        graph.invalidate()

    def action_zoom(self, style: str) -> None:
        graph = self.query_one("#graph", GraphView)
        graph.set_zoom(style)
        self._picture_changed()
        self.say(f"{'Full boxes' if style == 'full' else 'Compact boxes (value above, gradient below)'}; "
                 f"0 fits the whole graph.", timeout=3)

    def action_fit(self) -> None:
        """Toggle: the whole graph on screen (side pane hidden when it needs the room)."""
        graph = self.query_one("#graph", GraphView)
        graph.set_zoom("auto")
        self.fitted = not self.fitted
        self._picture_changed()
        self.say("Whole graph: 0 again brings the inspector back." if self.fitted else "Inspector back.",
                 timeout=3)

    def action_present(self) -> None:
        """Presentation mode: the graph fills the terminal, the step's sentence large under it."""
        self.presenting = not self.presenting
        self.query_one("#graph", GraphView).set_zoom("auto")
        self._picture_changed()
        self.refresh_view(follow=False)

    def action_palette(self) -> None:
        graph = self.query_one("#graph", GraphView)
        graph.palette = "colorblind" if graph.palette == "default" else "default"
        graph.invalidate()
        self.say(f"Palette: {'colour-blind (Okabe-Ito)' if graph.palette == 'colorblind' else 'lecture'}.",
                 timeout=3)

    def action_decimals(self, delta: int) -> None:
        decimals = presenter.set_decimals(presenter.decimals() + delta)
        if self.session is not None:  # the step texts too: the trace writes them again at this precision
            for trace in {self.session.trace, self.session.root_trace}:
                trace.set_decimals(decimals)
        self._view = None  # box widths depend on the digits: a new picture
        self._fill_step_list(self.session.trace) if self.session is not None else None
        self.refresh_view(follow=False)
        self.say(f"{decimals} decimals (. more, , fewer).", timeout=3)

    def action_reveal(self) -> None:
        """Quiz mode off/on: every step's numbers in the step list, or only the steps reached."""
        self.quiz = not self.quiz
        self.query_one("#steps", StepList).refresh()
        self.say("Every step's numbers shown (v hides them again)." if not self.quiz
                 else "Quiz mode: a step's numbers appear when it is reached.", timeout=3)

    def action_exercise(self) -> None:
        exercise_prompt.toggle(self)

    def action_lecture(self) -> None:
        pane = self.query_one("#lecture", Static)
        pane.display = not pane.display

    def _show_lecture(self) -> None:
        """The scenario's title, explanation and formula in the side pane (L toggles it)."""
        self._lecture_mark = None
        pane = self.query_one("#lecture", Static)
        pane.update(presenter.lecture_text(self.target) if self.target else "")
        if not getattr(self, "_lecture_decided", False):  # L toggles it; a short terminal starts without it
            self._lecture_decided = True
            pane.display = self.size.height >= LECTURE_MIN_HEIGHT

    def _mark_lecture(self, trace, node_id) -> None:
        """The current step's sub-expression highlighted in the lecture pane's formula."""
        pane = self.query_one("#lecture", Static)
        if self.target is None or not pane.display or trace is not self._top_trace():
            return
        text = presenter.lecture_text(self.target)
        for name, source in presenter.lecture_formulas(self.target):
            span = presenter.formula_span(trace, node_id, source)
            if span is not None:
                at = text.find(f"{name} = {source}") + len(name) + 3
                mark = (at + span[0], at + span[1])
                break
        else:
            mark = None
        if mark == getattr(self, "_lecture_mark", None):
            return
        self._lecture_mark = mark
        shown = Text(text)
        if mark is not None:
            shown.stylize("bold black on yellow", *mark)
        pane.update(shown)

    def _sample_note(self) -> str:
        view = self._view
        if view is None or not view.samples:
            return ""
        return f"sample {view.sample + 1} of {view.samples} ([ ])"

    def action_sample(self, delta: int) -> None:
        """At neuron level: the network for the previous/next sample of the batch."""
        view = self._view
        if view is None or not view.samples:
            self.say("[ and ] pick a sample in the network view (neuron level of a network).", timeout=4)
            return
        view.sample = self.sample = (view.sample + delta) % view.samples
        self.refresh_view(follow=False)

    # ---- training in the app: T runs N iterations in a worker, Esc cancels; S picks a start ----
    def action_train_many(self) -> None:
        target = self.target
        if target is None or not target.trains:
            self.say("This scenario does not train; open a training scenario with o "
                     "(e.g. learning-slowdown-quadratic).", severity="warning")
            return
        if self.training is not None:
            self.say("Training is running; Esc cancels it.", severity="warning")
            return
        settings = getattr(target.scenario, "training", None)
        default = str(getattr(settings, "iterations", None) or 100)

        def answer(text: Optional[str]) -> None:
            if not text:
                return
            try:
                n = int(text)
            except ValueError:
                self.say(f"{text[:40]!r} is not a number of iterations; type a whole number such as {default}.",
                         severity="warning")
                return
            if not 1 <= n <= 1_000_000:
                self.say(f"{n} iterations is out of range; choose 1 to 1,000,000.", severity="warning")
                return
            self._start_training(n)

        self.push_screen(PromptScreen(f"Train how many iterations? (the scenario's count: {default})", default,
                                      "they run without tracing; the last one opens in the debugger; Esc cancels"),
                         answer)

    def _start_training(self, n: int) -> None:
        run = {"cancel": False, "total": n}
        self.training = run
        self.query_one("#training", TrainingBar).start(n)
        self._train_worker(n, run)

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def _train_worker(self, n: int, run: dict) -> None:
        """N-1 fast iterations in chunks (the bar moves, Esc is heard between chunks); the Nth is traced."""
        trainer = self.target.trainer
        done, chunk = 0, max(1, n // 50)
        error = None
        try:
            while done < n - 1 and not run["cancel"]:
                k = min(chunk, n - 1 - done)
                losses = trainer.run(k)
                done += k
                self.call_from_thread(self.query_one("#training", TrainingBar).advance, done, n, losses[-1])
        except Exception as error_:  # a diverging run (overflow): say so, keep the app
            error = f"training stopped after {done} iterations ({type(error_).__name__}: {error_})"
        try:
            self.call_from_thread(self._training_done, run, done, error)
        except RuntimeError:
            pass  # the app quit while training

    def _training_done(self, run: dict, done: int, error: Optional[str]) -> None:
        self.training = None
        self.query_one("#training", TrainingBar).display = False
        self.action_train()  # one more iteration, traced: the one on screen
        iteration = iteration_of(self.target)
        if error:
            self.say(error, severity="warning", timeout=8)
        elif run["cancel"]:
            self.say(f"Cancelled after {done + 1} of {run['total']} iterations; showing iteration {iteration}.",
                     timeout=6)
        else:
            self.say(f"Trained {run['total']} iterations; showing iteration {iteration}.", timeout=5)

    def action_pick_start(self) -> None:
        """For scenarios with several starting points (the learning-slowdown ones): pick one."""
        target = self.target
        scenario = getattr(target, "scenario", None)
        starts = getattr(scenario, "starts", ()) or ()
        if len(starts) < 2:
            self.say("This scenario has one starting point; learning-slowdown-* have two.", timeout=4)
            return
        if self.training is not None:
            self.say("Training is running; Esc cancels it first.", severity="warning")
            return
        entries = [(str(i), s.name, "parameters " + ", ".join(f"{p:g}" for p in s.parameters))
                   for i, s in enumerate(starts)]

        def answer(choice: Optional[str]) -> None:
            if choice is not None and choice.isdigit():
                self.open_target(lambda: from_scenario(scenario, start=int(choice)))

        self.push_screen(PickerScreen(entries, None, title="Start from",
                                      hint="Pick a starting point (Enter): training begins again from it.",
                                      placeholder="type to filter"), answer)

    # ---- messages from widgets ----
    def on_graph_view_node_clicked(self, message: GraphView.NodeClicked) -> None:
        expand = getattr(self._view, "expand", None)
        shown = expand(message.node_id) if expand else None
        if shown:  # a "… k more" box of the network: one of the neurons it stands for comes into view
            self._draw_graph(self._view, Layout(self._view.positions(), "network"))
        self.selected = shown or message.node_id
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

    return str(Path(export(trace, path, step=k, level=level)).resolve())  # the full path, said on screen


MIME_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


def download_frame(trace, k: int, level: str, name: str) -> tuple:
    """(file name, bytes, MIME type) of the frame at step ``k``: rendered in memory, never written."""
    from graphviz_nn.render.export import ExportError, format_of, render_bytes

    filename = Path(name.replace("\\", "/")).name  # a name, not a path: the browser picks the folder
    fmt = format_of(filename)
    if fmt not in MIME_TYPES:
        raise ExportError(f"downloads are .svg, .png or .pdf pictures; give a name such as graph-step{k}.svg")
    return filename, render_bytes(trace, fmt, step=k, level=level), MIME_TYPES[fmt]
