"""The graph pane's controller: which picture a level shows, its layout, and the room it gets.

It keeps one ``LevelGraph`` (or network view) for the trace and level on screen, a layout per
(trace, level) (the built-in one at once, Graphviz's from a worker when it arrives), and
gives the picture its room: zoom, fit, presentation mode, palette, sample.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Optional

from textual.widgets import Static

from . import presenter
from .busy import from_thread
from .picture.layout import Layout, layered_layout, layout as graphviz_or_builtin
from .picture.level_graph import LevelGraph, make_view
from .picture.network_view import MAX_SHOWN, MIN_SHOWN
from .widgets.graph_view import GraphView
from .widgets.step_list import StepList

# The narrowest the inspector gets so that a graph fits beside it (0 hides it instead).
SIDE_MIN = 24
# A network's structure (every layer, the current neuron) is worth a narrower inspector and a
# shorter step list: mlp-moons at neuron level then fits 80×24 with no key pressed.
SIDE_MIN_NETWORK = 20
STEPS_MIN_NETWORK = 3
# Up to this many boxes the compact style measures each box at the trace's end.
MEASURED_BOXES = 2000


class PicturePane:
    """What the graph pane draws for one app; ``view`` is the picture on screen (None: none yet)."""

    def __init__(self, app, layout_engine: str) -> None:
        self.app = app
        self.layout_engine = layout_engine  # "auto" (Graphviz in a worker) or "builtin"
        self.view: Optional[LevelGraph] = None
        self.layouts: dict = {}  # (trace, level) -> Layout
        self.layout_busy = False  # a Graphviz layout is being computed in a worker
        self._layout_note_said = False
        self.sample = 0  # the sample the network view shows
        self.presenting = False  # P: the graph fills the terminal, the step's sentence under it
        self.fitted = False  # 0: side panes hidden so the whole graph fits (shown, when the network took the width)
        self.network_wide = False  # the network picture took the whole width (a small terminal)
        self._folded_for: tuple = (None, None)  # (view, room) the network was last folded for
        self._wide_note_said = False

    @property
    def graph(self) -> GraphView:
        return self.app.query_one("#graph", GraphView)

    def forget(self) -> None:
        """A new trace: every picture and layout is made again."""
        self.view = None
        self.layouts.clear()

    def drawn_level(self) -> str:
        """Inside a composite gate's expansion the primitives are always drawn one by one."""
        session = self.app.session
        return session.level if session.depth == 0 else "gate"

    def current_view(self, trace) -> LevelGraph:
        """The picture for ``trace`` at the drawn level, made again only when either changed."""
        view = self.view
        if view is None or view.trace is not trace or view.level != self.drawn_level():
            view = self.show(trace)
        return view

    def show(self, trace, view: Optional[LevelGraph] = None) -> LevelGraph:
        """A new trace or level: new boxes, the step list, and a layout (cached per level);
        ``view``: the level's picture when it was built off the UI thread."""
        app = self.app
        if self.view is None or self.view.trace is not trace:
            app.fill_step_list(trace)
        if view is None:
            view = make_view(trace, self.drawn_level(), self.sample)
        self.view = view
        if app.selected is not None and app.selected not in view.ids:
            app.selected = None
        key = (trace, view.level)
        layout = self.layouts.get(key)
        if hasattr(view, "positions"):  # a network: the textbook layout (its boxes follow the step)
            layout = self.layouts[key] = Layout(view.positions(), "network")
        if layout is None:
            edges = [(e[0], e[1]) for e in view.edges]
            layout = layered_layout(view.ids, edges)
            self.layouts[key] = layout
            if self.layout_engine == "auto":
                self.layout_busy = True
                app.run_worker(partial(self._graphviz_layout, key, view.ids, edges), thread=True,
                               exclusive=True, group="layout", exit_on_error=False)
        self.draw(view, layout)
        return view

    def draw(self, view: LevelGraph, layout: Layout) -> None:
        app = self.app
        session = app.session
        top = view.trace is app.top_trace()
        final = view.trace.state_at(len(view.trace.steps))

        def describe(box_id):  # flags read at each paint: quiz mode shows one once its step is reached
            flags = app.shown_flags() if top else {}
            return view.describe(box_id, session.state, session.breakpoints, session.group_breakpoints, flags)

        widest = presenter.widest_grad_digits(view.trace) if len(view.ids) <= MEASURED_BOXES else {}

        def at_end(box_id):  # the widest a box gets: compact columns never grow while stepping
            box = view.describe(box_id, final)
            grad = final.grad(box_id) if box_id in widest else None
            if grad is None:
                return box
            wider = presenter.box_number(grad, widest[box_id])  # a step's line may write more digits
            return replace(box, grad=wider) if len(wider) > len(box.grad or "") else box

        # measuring every box costs a describe per node: big graphs use one compact width
        measure = at_end if len(view.ids) <= MEASURED_BOXES else None
        if hasattr(view, "fold"):  # a network: its wide layers folded as far as the room asks
            self._fold_network(view, lambda: self.graph.show_graph(
                view.positions(), view.edges, describe, measure, view.build_geometry))
        else:
            self.graph.show_graph(layout.positions, view.edges, describe, measure, getattr(view, "build_geometry", None))
        self.fit_panes()

    def _network_room(self) -> tuple:
        """The most room the network picture can get: the whole width (``fit_panes`` hides the
        side pane when the picture needs it), over the shortest step list or the spoken line."""
        width, height = self.app.size
        return width, height - 2 - (3 if self.presenting else STEPS_MIN_NETWORK)

    def _fold_network(self, view, show) -> None:
        """Show the network with each wide layer at ``MAX_SHOWN`` boxes, then fewer (down to
        ``MIN_SHOWN``) until its compact picture fits the room."""
        room = room_w, room_h = self._network_room()
        # the same room as last time: a folded view stays folded (a step only changes which neuron shows)
        start = view.rows if (view, room) == self._folded_for else MAX_SHOWN
        self._folded_for = (view, room)
        for rows in range(start, MIN_SHOWN - 1, -1):
            view.fold(rows)
            show()
            geo = self.graph.geometry("compact")
            if geo.width <= room_w and geo.height <= room_h:
                return

    def draw_network(self, view) -> None:
        """The network again after the neurons it shows changed (a wide layer's hidden neuron)."""
        self.draw(view, Layout(view.positions(), "network"))

    def resized(self) -> None:
        """The terminal changed size: a network folds (or unfolds) its layers again (once the
        screen has its new size), then the room."""
        self.fit_panes()
        if hasattr(self.view, "fold"):
            self.app.call_after_refresh(self._refold)

    def _refold(self) -> None:
        view = self.view
        if hasattr(view, "fold") and self.app.session is not None:
            self.draw_network(view)
            self.app.call_after_refresh(self.follow_current)

    def _graphviz_layout(self, key, ids, edges) -> None:
        """Graphviz's layout off the UI thread; swapped in when ready, if still wanted."""
        try:
            result = graphviz_or_builtin(ids, edges)
        except Exception as error:  # an odd answer from dot must never take the app down
            result = Layout({}, "built-in", f"Graphviz's layout could not be read ({error}); using the built-in layout")
        from_thread(self.app, self._layout_ready, key, result)  # after quit nobody waits for it

    def _layout_ready(self, key, result: Layout) -> None:
        self.layout_busy = False
        if result.note and not self._layout_note_said:
            self._layout_note_said = True  # say it once per run, not on every step
            self.app.say(result.note, title="Layout", timeout=6)
        if result.source == "graphviz":
            self.layouts[key] = result
            view = self.view
            if view is not None and view.trace is key[0] and view.level == key[1]:
                self.draw(view, result)
        self.app.refresh_view(follow=False)

    # ---- the room the picture gets ----
    def fit_panes(self) -> None:
        """Give the graph the room it needs: shrink the side pane, or hide it (fit, presentation)."""
        app = self.app
        graph = self.graph
        side = app.query_one("#side")
        steps = app.query_one("#steps", StepList)
        spoken = app.query_one("#spoken", Static)
        width, height = app.size
        steps_h = max(2, min(8, height // 4))
        network = hasattr(self.view, "fold") and graph.zoom == "auto"
        compact = graph.geometry("compact") if network else None
        # a network that fits only the whole width takes it (80×24); 0 then brings the inspector back
        wide = network and width - SIDE_MIN_NETWORK < compact.width <= width
        if wide != self.network_wide:  # the automatic choice changed: it holds until 0 again
            self.fitted = False
            if wide and not self._wide_note_said:
                self._wide_note_said = True
                app.say("The network takes the whole width here; 0 brings the inspector back.", timeout=3)
        self.network_wide = wide
        full_screen = self.presenting or self.fitted != wide
        side.display = not full_screen
        spoken.display = self.presenting
        shorter = None
        if network and not self.presenting and compact.height > height - 2 - steps_h:
            # the step list gives up rows so that every layer is in view
            shorter = steps_h = max(STEPS_MIN_NETWORK, height - 2 - compact.height)
        steps.styles.height = shorter  # None: the stylesheet's 25%
        if full_screen:
            room_h = height - 2 - (3 if self.presenting else 0)
            # the step list stays when the graph fits above it
            steps.display = not self.presenting and graph.fits(
                graph.style_name if graph.zoom != "auto" else "compact", width, room_h - steps_h)
            return
        steps.display = True
        side_w = min(56, max(20, int(width * 0.4)))
        side_min = SIDE_MIN_NETWORK if network else SIDE_MIN
        room_h = height - 2 - steps_h
        if graph.zoom == "auto" and not graph.fits("full", width - side_w, room_h) \
                and not graph.fits("compact", width - side_w, room_h):
            compact_w = graph.geometry("compact").width
            if graph.fits("compact", width - side_min, room_h):
                side_w = width - compact_w  # the inspector gives up columns so the picture fits
        side.styles.width = side_w

    def changed(self) -> None:
        """The picture's size or style changed: new room, then the current node back in view."""
        self.fit_panes()
        self.app.call_after_refresh(self.follow_current)

    def follow_current(self) -> None:
        """After the panes change size: the current node and edge back in view."""
        session = self.app.session
        if session is None or self.view is None:
            return
        graph = self.graph
        if graph.current is not None:
            edge = session.state.current_edge
            graph.follow(graph.current, self.view.box_of(edge[0]) if edge else None)
        graph.invalidate()

    def zoom(self, style: str) -> None:
        self.graph.set_zoom(style)
        self.changed()
        self.app.say(f"{'Full boxes' if style == 'full' else 'Compact boxes (value above, gradient below)'}; "
                     f"0 fits the whole graph.", timeout=3)

    def toggle_fit(self) -> None:
        """The whole graph on screen (side pane hidden when it needs the room), or back."""
        self.graph.set_zoom("auto")
        self.fitted = not self.fitted
        self.changed()
        whole = not self.app.query_one("#side").display
        self.app.say("Whole graph: 0 again brings the inspector back." if whole else "Inspector back.",
                     timeout=3)

    def toggle_presenting(self) -> None:
        """Presentation mode: the graph fills the terminal, the step's sentence large under it."""
        self.presenting = not self.presenting
        self.app.screen.set_class(self.presenting, "-presenting")  # toasts move off the sentence
        self.graph.set_zoom("auto")
        self.changed()

    def toggle_palette(self) -> None:
        graph = self.graph
        graph.palette = "colorblind" if graph.palette == "default" else "default"
        graph.invalidate()
        self.app.say(f"Palette: {'colour-blind (Okabe-Ito)' if graph.palette == 'colorblind' else 'lecture'}.",
                     timeout=3)

    def pan(self, dx: int, dy: int) -> None:
        graph = self.graph
        graph.scroll_to(graph.scroll_offset.x + dx, graph.scroll_offset.y + dy, animate=False)

    # ---- the network view's sample ----
    def sample_note(self) -> str:
        view = self.view
        if view is None or not view.samples:
            return ""
        return f"sample {view.sample + 1} of {view.samples} ([ ])"

    def step_sample(self, delta: int) -> bool:
        """The previous/next sample of the batch; False when the picture has no samples."""
        view = self.view
        if view is None or not view.samples:
            return False
        view.sample = self.sample = (view.sample + delta) % view.samples
        return True
