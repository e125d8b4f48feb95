"""The step debugger: header, graph pane, inspector, step list, footer; a thin view over a Session.

Every key calls one ``Session`` method (or opens a screen), then ``refresh_view`` redraws
from ``session.state``: no widget computes a value or a gradient. The app composes small
parts, each with one job: ``Opening`` (scenarios, targets, the picker), ``BusyWork`` (long
work off the UI thread), ``PicturePane`` (picture, layout, room), ``LecturePane``,
``TrainingControl``, ``FrameExport``; ``stepping``, ``prompts``, ``report_actions`` and
``redraw`` hold the keys' and the redraw's code; ``keys`` the bindings; ``memory`` the GC.

    >>> from graphviz_nn.tui.app import DebuggerApp
    >>> DebuggerApp(scenario="sigmoid-neuron").run()   # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from textual.app import App
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from graphviz_nn.debugger.session import Session

from . import exercise_prompt, key_parser_guard, memory, presenter, redraw, stepping
from .busy import BusyWork
from .frame_export import FrameExport
from .keys import BINDINGS
from .lecture_pane import LecturePane
from .opening import Opening
from .picture_pane import PicturePane
from .target import Target, from_outputs
from .training_control import TrainingControl
from .widgets.graph_view import GraphView
from .widgets.header_line import HeaderLine
from .widgets.inspector import Inspector
from .widgets.loss_plot import LossPlot
from .widgets.step_list import StepList
from .widgets.training_bar import TrainingBar

key_parser_guard.install()  # two escape sequences would otherwise end the app (a Textual defect)

DEFAULT_SCENARIO = "sigmoid-neuron"


class DebuggerApp(App):
    """Step through backpropagation on a scenario (id or path), the user's own ``outputs``, or a ``Target``.

    ``layout_engine``: ``"auto"`` (Graphviz when installed, in a worker; built-in meanwhile)
    or ``"builtin"`` (never runs ``dot``). ``zoom``: ``"auto"`` (full boxes when they fit,
    else the compact lecture style), ``"full"`` or ``"compact"``.
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "graphviz-nn"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = BINDINGS

    def __init__(self, scenario: Optional[str] = None, outputs=None, title: Optional[str] = None,
                 layout_engine: str = "auto", target: Optional[Target] = None, served: bool = False,
                 scenarios_dir: Optional[str] = None, zoom: str = "auto", exercise: bool = False) -> None:
        super().__init__()
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
        self.quiz = True  # future steps' numbers stay hidden until reached (v reveals them)
        self.exercise = exercise_prompt.ExerciseMode() if exercise else None  # a: the student types each number
        self._shown_flags: tuple = (None, {})  # ((trace, k, flags), the flags quiz mode shows there)
        self.busy = BusyWork(self)
        self.opening = Opening(self, self.busy)
        self.picture = PicturePane(self, layout_engine)
        self.lecture = LecturePane(self)
        self.trainer = TrainingControl(self)
        self.exporter = FrameExport(self)

    # what tests and benchmarks read: the picture on screen, the work running
    @property
    def _view(self):
        return self.picture.view

    @property
    def _busy(self) -> Optional[str]:
        return self.busy.what

    @property
    def training(self) -> Optional[dict]:
        return self.trainer.running

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
        for hidden in ("#loss", "#message", "#spoken", "#training"):
            self.query_one(hidden).display = False
        if self._initial_target is not None:
            self.open_target(lambda: self._initial_target)
        elif self._outputs is not None:
            self.open_target(lambda: from_outputs(self._outputs, self._user_title or "your graph"))
        else:
            self.open_scenario(self._initial_scenario)

    def on_unmount(self) -> None:
        memory.release()

    def open_target(self, make) -> bool:
        """Load a target; a ``UserError`` becomes the message on screen, never a crash."""
        return self.opening.target(make)

    def open_scenario(self, id_or_path) -> None:
        """Open a scenario: a small one at once, a large one in a worker with progress and Esc."""
        self.opening.scenario(id_or_path)

    def shown_flags(self):
        """The diagnostics flags on screen (node -> flags): in quiz mode only those whose number
        is known by now, decided per node when a pane asks (a step draws a few boxes, not all)."""
        session = self.session
        if not self.quiz or session is None:
            return self.flags
        key = (id(session.trace), session.k, id(self.flags))
        if self._shown_flags[0] != key:
            self._shown_flags = (key, presenter.KnownFlags(self.flags, session.state))
        return self._shown_flags[1]

    def top_trace(self):
        """The trace the diagnostics were made for (not a composite gate's expansion)."""
        return self.opening.diagnosed

    # ---- drawing from the session ----
    def refresh_view(self, follow: bool = True) -> None:
        """Redraw every pane from ``session.state`` (``follow``: scroll to the current node)."""
        redraw.refresh(self, follow)

    def fill_step_list(self, trace) -> None:
        redraw.fill_step_list(self, trace)

    def say(self, message: str, **kwargs) -> None:
        """One toast at a time: a new message replaces the last (keys can come fast)."""
        self.clear_notifications()
        self.notify(message, markup=False, **kwargs)  # messages quote files and typed text: never markup

    # ---- stepping ----
    def move(self, method: str, *args) -> None:
        stepping.move(self, method, *args)

    def action_next(self) -> None:
        self.move("next")

    def action_prev(self) -> None:
        self.move("prev")

    def action_step_over(self) -> None:
        self.move("step_over")  # a gate, a whole neuron or a whole layer: the level's unit

    def action_step_back_over(self) -> None:
        self.move("step_back_over")

    def action_step_into(self) -> None:
        self.move("step_into")

    def action_step_out(self) -> None:
        self.move("step_out")

    def action_continue(self) -> None:
        self.move("continue_")

    def action_start(self) -> None:
        self.move("home")  # inside an expansion: its first step (only f leaves it)

    def action_end(self) -> None:
        self.move("end")

    def action_goto(self) -> None:
        from . import prompts  # a key's dialog: imported when first asked for, not before the first screen
        prompts.ask_goto(self)

    def action_watch(self) -> None:
        from . import prompts
        prompts.ask_watch(self)

    def action_breakpoint(self) -> None:
        stepping.toggle_breakpoint(self)

    def action_level(self) -> None:
        stepping.cycle_level(self)

    # ---- numbers: decimals and quiz mode ----
    def action_decimals(self, delta: int) -> None:
        """One more or one fewer digit in every number: the session's one setting, read by every view."""
        if self.session is None:
            return
        decimals = self.session.set_decimals(self.session.decimals + delta)
        self.picture.view = None  # box widths depend on the digits: a new picture
        self.fill_step_list(self.session.trace)
        self.refresh_view(follow=False)
        self.say(f"{decimals} decimal{'s' if decimals != 1 else ''} (. more, , fewer).", timeout=3)

    def action_reveal(self) -> None:
        """Quiz mode off/on: every step's numbers in the step list, or only the steps reached."""
        self.quiz = not self.quiz
        self.query_one("#steps", StepList).refresh()
        self.refresh_view(follow=False)  # the lecture pane and the flags follow quiz mode too
        self.say("Every step's numbers shown (v hides them again)." if not self.quiz
                 else "Quiz mode: a step's numbers appear when it is reached.", timeout=3)

    # ---- the parts the app composes ----
    def action_cancel_work(self) -> None:
        self.trainer.cancel()
        self.busy.cancel()

    async def action_quit(self) -> None:
        """Quit at once: running work is told to stop (it checks between graph evaluations)."""
        self.busy.stop()
        self.exit()

    def action_train(self) -> None:
        self.trainer.one()

    def action_train_many(self) -> None:
        self.trainer.many()

    def action_pick_start(self) -> None:
        self.trainer.pick_start()

    def action_gradcheck(self) -> None:
        from . import report_actions
        report_actions.gradient_check(self, self.busy)

    def action_training_report(self) -> None:
        from . import report_actions
        report_actions.training_report(self)

    def action_diagnostics(self) -> None:
        from . import report_actions
        report_actions.diagnostics(self)

    def action_export(self) -> None:
        session = self.session
        if session is not None:
            default = f"{self.target.id if self.target else 'graph'}-step{session.k}.svg"
            self.exporter.ask(session.trace, session.k, self.picture.drawn_level(), default)

    def action_open(self) -> None:
        self.opening.pick()

    def action_help(self) -> None:
        from .screens.help import HelpScreen
        self.push_screen(HelpScreen())

    def action_pan(self, dx: int, dy: int) -> None:
        self.picture.pan(dx, dy)

    def action_zoom(self, style: str) -> None:
        self.picture.zoom(style)

    def action_fit(self) -> None:
        self.picture.toggle_fit()

    def action_present(self) -> None:
        self.picture.toggle_presenting()
        self.refresh_view(follow=False)

    def action_palette(self) -> None:
        self.picture.toggle_palette()

    def action_exercise(self) -> None:
        exercise_prompt.toggle(self)

    def action_lecture(self) -> None:
        self.lecture.toggle()
        self.refresh_view(follow=False)

    def action_sample(self, delta: int) -> None:
        """At neuron level: the network for the previous/next sample of the batch."""
        if not self.picture.step_sample(delta):
            self.say("[ and ] pick a sample in the network view (neuron level of a network).", timeout=4)
            return
        self.refresh_view(follow=False)

    def on_resize(self) -> None:
        if self.session is not None and self.picture.view is not None:
            self.picture.resized()
            self.call_after_refresh(self.refresh_view, False)

    # ---- messages from widgets ----
    def on_graph_view_node_clicked(self, message: GraphView.NodeClicked) -> None:
        view = self.picture.view
        expand = getattr(view, "expand", None)
        shown = expand(message.node_id) if expand else None
        if shown:  # a "… k more" box of the network: one of the neurons it stands for comes into view
            self.picture.draw_network(view)
        self.selected = shown or message.node_id
        self.refresh_view(follow=False)

    def on_step_list_step_chosen(self, message: StepList.StepChosen) -> None:
        self.move("goto", message.index + 1)
