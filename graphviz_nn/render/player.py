"""``graphviz_nn.player(...)``: the step-through player inline in a notebook, or saved as a page.

>>> from graphviz_nn import Value, player
>>> x = Value(3.0, label="x")
>>> p = player(x * x)            # in Jupyter, VS Code or Colab the object shows itself as the player
>>> p.texts[0]                   # frame 0 is the start; frame k shows the trace after k steps
'start: nothing computed yet; step forward to read the inputs and compute each gate'
>>> p.texts[1:] == [step.text for step in p.trace.steps]
True
>>> "Next" in p._repr_html_()
True

The frames are the pinned frames of ``render.frames`` (every node at the same place in every
step) and the HTML is ``render.html_player``'s, the same code that ``graphviz-nn frames --html``
writes; the text beside each frame is the trace's own line for that step.
"""
from __future__ import annotations

from ..debugger.levels import coarser_offered
from ..debugger.quiz import quiz_title
from ..arguments import path as file_name, whole
from ..errors import UserError
from ..scenario_build.to_trace import to_trace
from .fit import fitting
from .frames import frame_phases, frame_texts, iter_frames
from .run_dot import DEFAULT_TIMEOUT

# A notebook output this size keeps the .ipynb light enough for git, GitHub's preview and Colab;
# the catalogue's MLPs fit well under it (see the README's Teaching materials).
MAX_PLAYER_BYTES = 1_000_000
_SIZE_SCOPE = "gnn00000000-"  # as long as a real scope (see html_player.new_scope)


class PlayerError(UserError):
    """A player cannot be made from what was given."""


class PlayerTooLargeError(PlayerError):
    """The player would be too large for a notebook or page at the level asked for."""

    def __init__(self, size: int, limit: int, steps: int, level: str, cli: bool = False, at_least: bool = False,
                 coarser: tuple = ()):
        """``coarser``: the levels the graph offers above ``level`` (the only ones worth naming)."""
        self.size, self.limit, self.steps, self.level = size, limit, steps, level
        spell = (lambda lv: f"--level {lv}") if cli else (lambda lv: f"level={lv!r}")
        advice = (f"draw it with {' or '.join(spell(lv) for lv in coarser)}" if coarser
                  else "step through it with graphviz-nn tui instead" if cli
                  else "step through it with graphviz_nn.debug instead")
        raise_it = "--max-player-bytes" if cli else "max_bytes="
        estimate = f"at least {_bytes(size)}" if at_least else _bytes(size)
        super().__init__(
            f"the player for these {steps:,} steps at {level} level would be {estimate}, more than "
            f"the {_bytes(limit)} a notebook or page carries comfortably; {advice}, or raise {raise_it}")


def _bytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB" if n >= 1e3 else f"{n} bytes"


class Player:
    """The step-through player of one trace: displays inline in notebooks, ``save`` writes a page.

    Attributes: ``trace``, ``title``, ``svgs`` (frame k's SVG), ``texts`` (one line per frame),
    ``phases``, ``steps`` (the last frame's number), ``level``.
    """

    def __init__(self, trace, svgs: list, texts: list, phases: list, title=None, level: str = "gate",
                 exercise: list | None = None):
        self.trace, self.title, self.level = trace, title, level
        self.svgs, self.texts, self.phases = svgs, texts, phases
        self.exercise = exercise  # the questions (debugger.exercise, as JSON) the page asks, or None
        self.steps = len(svgs) - 1
        self._packed = None

    @property
    def packed(self):
        """The encoded frames, made once (every display and save reuses them)."""
        if self._packed is None:
            from .html_player import pack_player
            self._packed = pack_player(self.svgs, self.texts, self.phases, self.exercise)
        return self._packed

    def fragment(self, scope=None) -> str:
        """The player as an HTML fragment with ids of its own (a fresh scope each call)."""
        from .html_player import player_fragment
        return player_fragment(self.svgs, self.texts, self.phases, title=self.title, scope=scope,
                               packed=self.packed)

    def _repr_html_(self) -> str:
        # a fresh scope per display: the same player shown twice steps as two
        return self.fragment()

    def page(self) -> str:
        """The standalone page (what ``save`` writes and ``graphviz-nn frames --html`` writes)."""
        from .html_player import player_html
        return player_html(self.svgs, self.texts, self.title or "graphviz-nn", self.phases, packed=self.packed)

    def save(self, path):
        """Write the standalone, self-contained page to ``path`` (atomically); returns the path."""
        from .html_player import write_player
        path = file_name(path, "path", "Player.save")
        return write_player(path, self.svgs, self.texts, self.title or "graphviz-nn", self.phases,
                            packed=self.packed)

    @property
    def size(self) -> int:
        """Bytes of the notebook output (the fragment)."""
        return len(self.fragment(scope=_SIZE_SCOPE).encode("utf-8"))

    def __repr__(self):
        return f"<graphviz_nn player: {self.steps + 1} frames at {self.level} level, {self.size:,} bytes>"


def build_player(trace, title=None, *, max_bytes=MAX_PLAYER_BYTES, cli: bool = False,
                 timeout=DEFAULT_TIMEOUT, progress=None, exercise=None, **options) -> Player:
    """A trace's pinned SVG frames as a ``Player``.

    ``exercise``: the kinds of numbers to ask (``debugger.exercise.KINDS`` or a subset; None: no
    exercise): each step that asks waits for the student's answers before it shows its numbers.

    Refuses with ``PlayerTooLargeError`` when the notebook output would be over ``max_bytes``;
    the size is checked as the frames are drawn (after 64, 128, 256, ... frames: a player only
    grows), so a graph far too large is refused early rather than after drawing every step.
    """
    from .html_player import player_fragment

    texts, phases = frame_texts(trace, quiz=options.get("quiz", False)), frame_phases(trace)
    if options.get("quiz") and title:
        title = quiz_title(title, trace)
    options, folded = fitting(trace, options, cli)  # no level: the one that fits a page (render.fit)
    level = options["level"]
    svgs, checkpoint = [], 64
    for data in iter_frames(trace, "svg", timeout=timeout, progress=progress, fit=folded, **options):
        svgs.append(data.decode("utf-8"))
        n = len(svgs)
        if max_bytes is not None and n == checkpoint and n < len(texts):
            checkpoint *= 2
            size = len(player_fragment(svgs, texts[:n], phases[:n], title=title, scope=_SIZE_SCOPE).encode())
            if size > max_bytes:
                raise PlayerTooLargeError(size, max_bytes, len(texts) - 1, level, cli, at_least=True,
                                          coarser=coarser_offered(trace, level))
    asked = None
    if exercise is not None:
        from ..debugger.exercise import questions
        asked = [q.to_json() for q in questions(trace, exercise, options.get("decimals"))]
        if not asked:
            raise PlayerError("this graph asks nothing that can be typed (its steps are arrays), so it has no "
                              "exercise; choose a scalar scenario such as sigmoid-neuron, or leave out the exercise")
    made = Player(trace, svgs, texts, phases, title, level, asked)
    if max_bytes is not None and made.size > max_bytes:
        raise PlayerTooLargeError(made.size, max_bytes, made.steps, level, cli, coarser=coarser_offered(trace, level))
    return made


def player(source, *, level: str | None = None, decimals: int = 2, palette="lecture", show_grads: bool = True,
           legend: bool = True, title=None, start=None, max_bytes=MAX_PLAYER_BYTES,
           timeout=DEFAULT_TIMEOUT, exercise=False, quiz: bool = False) -> Player:
    """The step-through player of ``source``, shown inline in Jupyter, JupyterLab, VS Code and Colab.

    source: a Value or Tensor output (or a list of them), a debugger ``Trace``, a ``Scenario``,
    or a scenario id or ``.toml`` path (``start`` picks a scenario's starting point).
    level, decimals, palette, show_grads, legend: as for ``to_dot`` (the lecture's picture, also
    ``draw_dot(..., style="lecture")``); with no level, a graph of Values is drawn at gate level and
    a tensor graph (a recorded model) at the finest level that fits a page, its title saying which
    and how to ask for another (``render.fit``). title: shown above the controls (a scenario's title by
    default). max_bytes: refuse a bigger player (None: no limit).

    Previous/Next, a slider and (once clicked) the arrow keys step through the trace; each
    step shows the trace's line for it. No network, no scripts from elsewhere; several players
    in one notebook step independently, and the output survives ``jupyter nbconvert --to html``.
    ``player(f).save("player.html")`` writes the same player as a standalone page.

    exercise: ``True`` (or the kinds to ask, e.g. ``"local,grad"``): the student types each step's
    numbers before the step shows them, checked in the page as ``graphviz-nn exercise`` checks
    them (to the displayed decimals), with the same hints; nothing is sent anywhere.

    quiz: no frame, step line or title shows a number before the step that computes it; the
    leaves' values (inputs, weights: the question's data) are shown from the start.
    """
    if max_bytes is not None:
        max_bytes = whole(max_bytes, "max_bytes", "player", low=1, hint=" of bytes (or None: no limit)")
    from ..debugger.exercise import KINDS, check_kinds
    kinds = None if exercise is False or exercise is None else KINDS if exercise is True else check_kinds(exercise)
    view = to_trace(source, start=start, who="player", error=PlayerError)
    return build_player(view.trace, title if title is not None else view.title, max_bytes=max_bytes,
                        timeout=timeout, level=level, decimals=decimals, palette=palette,
                        show_grads=show_grads, legend=legend, exercise=kinds, quiz=bool(quiz))
