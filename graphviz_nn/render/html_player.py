"""The step-through player as HTML: a standalone page and a fragment for notebooks, one implementation.

The frames are inlined as SVG; Previous/Next buttons, a slider and the left/right arrow keys
move between them, and the step's text line (the trace's own ``[upstream] × [local] =
contribution``), its phase and its number are shown beside the picture. Nothing is loaded
from elsewhere: no network, no external script, no server.

``player_fragment`` is what a notebook shows (``graphviz_nn.player``): every id carries a
scope of its own, so several players on one page step independently, and the arrow keys
act only while the player has the focus. ``player_html`` wraps one fragment (with plain
ids) in a page whose Content-Security-Policy forbids every request; ``frames --html`` and
``Player.save`` both write it.

Size: consecutive frames differ in a few labels only, so each distinct piece of SVG is
stored once and every frame as a few edits of the one before; that data is then gzipped and
base64-encoded (the browser's own ``DecompressionStream`` unpacks it), about a tenth of the
plain text. The first frame is also written out as plain SVG, so a viewer that runs no
script (GitHub's notebook preview, an untrusted notebook) still shows the start.
"""
from __future__ import annotations

import base64
import difflib
import gzip
import html
import json
import re
import secrets
from dataclasses import dataclass

from .export import atomic_write

_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.S)
_XLINK = ' xmlns:xlink="http://www.w3.org/1999/xlink"'
_SIZE = re.compile(r'<svg width="[^"]*"\s+height="[^"]*"')
# Graphviz's group ids (graph0, node3, edge7, n5, ...) would repeat across players on one page
_GROUP_ID = re.compile(r'<g id="[^"]*"')
_CUT = "<g class="
_SCOPE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def inline_svg(svg: str) -> str:
    """An SVG document as an element to inline: no prologue, comments or group ids; scaling with the page."""
    svg = _PROLOGUE.sub("", svg).strip()
    if "xlink:" not in svg.replace(_XLINK, ""):
        svg = svg.replace(_XLINK, "")  # an unused namespace is one URL less in the page
    svg = _GROUP_ID.sub("<g", svg)
    return _SIZE.sub('<svg class="picture"', svg, count=1)


def encode_frames(svgs: list) -> tuple:
    """Frames as shared pieces plus edits: ``(pieces, first frame's piece ids, edits)``.

    Each SVG is cut before every group (``<g class=``); identical pieces are stored once;
    frame k is frame k-1 with slices replaced, ``edits[k-1] = [[start, end, [ids]], ...]``
    (applied in the order given, last slice first, so earlier positions stay valid).
    """
    pieces: list = []
    index: dict = {}
    frames = []
    for svg in svgs:
        ids = []
        head, *rest = inline_svg(svg).split(_CUT)  # str.split: a look-ahead regex is 10x slower
        for piece in [head] + [_CUT + part for part in rest]:
            if piece not in index:
                index[piece] = len(pieces)
                pieces.append(piece)
            ids.append(index[piece])
        frames.append(ids)
    edits = [_edits(before, after) for before, after in zip(frames, frames[1:])]
    return pieces, frames[0] if frames else [], edits


def _edits(before: list, after: list) -> list:
    """Slices of ``before`` to replace to get ``after``, last slice first."""
    if len(before) == len(after):
        # the usual case (same pieces, some relabelled): runs of changed positions, no diff needed
        runs, i, n = [], 0, len(after)
        while i < n:
            if before[i] != after[i]:
                j = i
                while j < n and before[j] != after[j]:
                    j += 1
                runs.append([i, j, after[i:j]])
                i = j
            else:
                i += 1
        return runs[::-1]
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    return [[i1, i2, after[j1:j2]] for tag, i1, i2, j1, j2 in reversed(ops) if tag != "equal"]


def decode_frames(pieces: list, first: list, edits: list) -> list:
    """The inverse of ``encode_frames`` (what the page's script does), for tests and tools."""
    frames = [list(first)]
    for step in edits:
        ids = list(frames[-1])
        for start, end, new in step:
            ids[start:end] = new
        frames.append(ids)
    return ["".join(pieces[i] for i in ids) for ids in frames]


def pack(data) -> str:
    """JSON, gzipped (reproducibly: no time stamp) and base64-encoded: safe inside any HTML."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def unpack(text: str):
    """The inverse of ``pack`` (what the page's script does), for tests and tools."""
    return json.loads(gzip.decompress(base64.b64decode(text)).decode("utf-8"))


def new_scope() -> str:
    """A fresh id prefix for one player on a shared page (a notebook)."""
    return f"gnn{secrets.token_hex(4)}-"


@dataclass(frozen=True)
class PackedPlayer:
    """What a player carries whatever its scope: the first frame as SVG and the packed frame data."""

    first_frame: str
    data: str
    last: int
    first_text: str
    first_phase: str
    exercise: bool = False


def pack_player(svgs: list, texts: list, phases: list | None = None, exercise: list | None = None) -> PackedPlayer:
    """Encode and pack the frames once; ``player_fragment`` and ``player_html`` can reuse the result.

    ``exercise``: the questions of ``debugger.exercise`` (``Question.to_json()``, one per number a
    step asks); the player then asks each step's numbers before it shows them.
    """
    if len(svgs) != len(texts) or not svgs:
        raise ValueError(f"{len(svgs)} frames but {len(texts)} step texts (need one each, at least one)")
    phases = list(phases) if phases is not None else [""] * len(svgs)
    if len(phases) != len(svgs):
        raise ValueError(f"{len(svgs)} frames but {len(phases)} phases")
    pieces, first, edits = encode_frames(svgs)
    content = {"texts": list(texts), "phases": phases, "pieces": pieces, "first": first, "edits": edits}
    if exercise is not None:
        content["exercise"] = exercise_rules(exercise)
    data = pack(content)
    return PackedPlayer("".join(pieces[i] for i in first), data, len(svgs) - 1, texts[0], phases[0],
                        exercise is not None)


def exercise_rules(questions: list) -> dict:
    """The questions and the core's rules the page's script applies (made in Python, never typed twice)."""
    from ..debugger import exercise as ex
    return {"questions": questions, "pattern": ex.NUMBER_PATTERN, "maxChars": ex.MAX_ANSWER_CHARS,
            "maxWrong": ex.MAX_WRONG, "example": ex.EXAMPLE, "outcomes": list(ex.OUTCOMES)}


def player_fragment(svgs: list, texts: list, phases: list | None = None, *, title: str | None = None,
                    scope: str | None = None, page_keys: bool = False, packed: PackedPlayer | None = None) -> str:
    """The player as an HTML fragment: ``svgs[k]`` is frame k, ``texts[k]`` its line, ``phases[k]`` its phase.

    scope: prefix of every id (a fresh one when None; ``""`` only for a page holding one
    player); page_keys: the arrow keys act anywhere on the page rather than only while the
    player has the focus (the standalone page); packed: ``pack_player``'s result, to reuse.
    """
    packed = packed or pack_player(svgs, texts, phases)
    scope = new_scope() if scope is None else scope
    if scope and not _SCOPE.match(scope):
        raise ValueError(f"scope {scope!r} must start with a letter and hold only letters, digits, - and _")
    heading = f'<div class="gnn-title">{html.escape(title)}</div>\n' if title else ""
    hint = ("Left and right arrow keys step back and forth." if page_keys else
            "Click the player, then the left and right arrow keys step back and forth.")
    if packed.exercise:
        hint += " Exercise: each step asks its numbers before it shows them; type an answer and press Enter."
    return _FRAGMENT.format(
        s=scope, heading=heading, exercise=_EXERCISE_PANEL.format(s=scope) if packed.exercise else "",
        first_frame=packed.first_frame, last=packed.last,
        first_text=html.escape(packed.first_text), first_phase=html.escape(packed.first_phase), hint=hint,
        data=packed.data,
        script=_SCRIPT.replace("__SCOPE__", scope).replace("__PAGE_KEYS__", "true" if page_keys else "false")
        .replace("__LAST__", str(packed.last)))


def player_html(svgs: list, texts: list, title: str = "graphviz-nn", phases: list | None = None, *,
                packed: PackedPlayer | None = None) -> str:
    """The standalone page as a string: one player, plain ids, every request forbidden."""
    fragment = player_fragment(svgs, texts, phases, scope="", page_keys=True, packed=packed)
    return _PAGE.format(title=html.escape(title), fragment=fragment)


def write_player(path, svgs: list, texts: list, title: str = "graphviz-nn", phases: list | None = None, *,
                 packed: PackedPlayer | None = None):
    """Write the standalone player page to ``path`` atomically."""
    return atomic_write(path, player_html(svgs, texts, title, phases, packed=packed).encode("utf-8"))


_STYLE = """<style>
.gnn-player { font-family: Helvetica, Arial, sans-serif; color: #222; outline: none; padding: .3em;
  max-width: 100%; }
.gnn-player:focus-within { box-shadow: 0 0 0 2px #9db7e0; border-radius: 4px; }
.gnn-player .gnn-title { font-weight: bold; margin-bottom: .3em; }
.gnn-player .gnn-controls { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; margin: .3em 0; }
.gnn-player .gnn-controls input[type=range] { flex: 1 1 10em; min-width: 8em; }
.gnn-player .gnn-phase { font-weight: bold; color: #1f4e9e; min-width: 5.5em; }
.gnn-player .gnn-text { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 1.05em;
  background: #f6f6f0; padding: .45em .6em; border-left: 4px solid #1f4e9e; white-space: pre-wrap;
  margin: .3em 0; min-height: 1.3em; }
.gnn-player .gnn-stage { min-width: 0; }
.gnn-player .picture { display: block; width: 100%; height: auto; max-height: 75vh; }
.gnn-player .gnn-stage.gnn-full { overflow: auto; max-height: 85vh; }
.gnn-player .gnn-stage.gnn-full .picture { width: var(--gnn-width); max-width: none; max-height: none; }
.gnn-player .gnn-hint, .gnn-player .gnn-status { color: #666; font-size: .85em; margin: .2em 0; }
.gnn-player .gnn-exercise { background: #fff8e0; border-left: 4px solid #b8860b; padding: .4em .6em; margin: .3em 0; }
.gnn-player .gnn-ask[hidden] { display: none; }
.gnn-player .gnn-ask { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; }
.gnn-player .gnn-prompt { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.gnn-player .gnn-answer { width: 8em; font-size: 1em; }
.gnn-player .gnn-verdict { margin: .3em 0 0; }
.gnn-player .gnn-verdict.gnn-right { color: #1a7f37; }
.gnn-player .gnn-verdict.gnn-wrong { color: #b3261e; }
.gnn-player .gnn-score { color: #444; font-size: .9em; margin: .2em 0 0; }
</style>"""

_EXERCISE_PANEL = """<div class="gnn-exercise" id="{s}exercise">
<div class="gnn-ask" id="{s}ask" hidden><span>step <span id="{s}ask-step"></span>:</span> <label class="gnn-prompt" id="{s}prompt" for="{s}answer"></label>
<input class="gnn-answer" id="{s}answer" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" aria-label="your answer">
<button id="{s}check" type="button">Check</button> <button id="{s}reveal" type="button">Show me</button></div>
<p class="gnn-verdict" id="{s}verdict" aria-live="polite"></p>
<p class="gnn-score" id="{s}score"></p>
</div>
"""

# Doubled braces: the fragment goes through str.format.
_FRAGMENT = _STYLE.replace("{", "{{").replace("}", "}}") + """
<div class="gnn-player" id="{s}player" tabindex="0" data-lm-suppress-shortcuts="true" aria-label="backprop step player">
{heading}<div class="gnn-controls">
<button id="{s}prev" type="button" aria-label="previous step" disabled>&#9664; Previous</button>
<button id="{s}next" type="button" aria-label="next step" disabled>Next &#9654;</button>
<input id="{s}slider" type="range" min="0" max="{last}" value="0" aria-label="step" disabled>
<span id="{s}counter">step 0 / {last}</span>
<span class="gnn-phase" id="{s}phase">{first_phase}</span>
<button id="{s}zoom" type="button" aria-pressed="false" title="fit the picture to the width, or show it at full size with scroll bars" disabled>Full size</button>
</div>
<p class="gnn-text" id="{s}step-text" aria-live="polite">{first_text}</p>
{exercise}<div class="gnn-stage" id="{s}stage" data-k="0">{first_frame}</div>
<p class="gnn-hint">{hint}</p>
<p class="gnn-status" id="{s}status"></p>
</div>
<script type="application/gzip-base64" id="{s}frames">{data}</script>
<script>{script}</script>"""

_SCRIPT = """
(function () {
  var scope = "__SCOPE__", pageKeys = __PAGE_KEYS__, last = __LAST__;
  function part(name) { return document.getElementById(scope + name); }
  var root = part("player");
  // a notebook may run an output's script twice; one player needs one set of listeners
  if (!root || root.getAttribute("data-started")) return;
  root.setAttribute("data-started", "true");
  var stage = part("stage"), slider = part("slider"), counter = part("counter");
  var text = part("step-text"), phase = part("phase"), status = part("status");
  var prev = part("prev"), next = part("next"), zoom = part("zoom");
  if (typeof DecompressionStream === "undefined") {
    status.textContent = "This browser cannot unpack the steps (it needs Chrome 80, Firefox 113, " +
      "Safari 16.4 or newer); the picture shows the start.";
    return;
  }
  var data = null, wanted = 0, current = 0, quiz = null;
  // input before the frames are unpacked is kept and shown as soon as they are
  function go(k) {
    wanted = Math.max(0, Math.min(last, k));
    if (quiz && wanted > quiz.reachable()) {  // a step that asks waits for its answers
      wanted = quiz.reachable();
      part("answer").focus();
    }
    if (data) show(wanted);
  }
  function show(k) {
    if (k !== current) {
      stage.innerHTML = data.frames[k].map(function (i) { return data.pieces[i]; }).join("");
    }
    current = k;
    stage.setAttribute("data-k", String(k));
    slider.value = String(k);
    counter.textContent = "step " + k + " / " + last;
    phase.textContent = data.phases[k];
    text.textContent = data.texts[k];
    if (quiz) quiz.ask(k);
  }
  prev.addEventListener("click", function () { go(wanted - 1); });
  next.addEventListener("click", function () { go(wanted + 1); });
  slider.addEventListener("input", function () { go(parseInt(slider.value, 10)); });
  (pageKeys ? document : root).addEventListener("keydown", function (event) {
    if (event.target === slider || event.target.tagName === "INPUT") return;  // the slider and the answer box keep their keys
    var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    go(wanted + step);
    event.preventDefault();
    event.stopPropagation();  // in a notebook the arrows would also move between cells
  });
  // full size: the picture at its own width (every frame has the same view box), scrolling
  var box = stage.querySelector("svg").getAttribute("viewBox").split(" ");
  stage.style.setProperty("--gnn-width", (parseFloat(box[2]) * 4 / 3) + "px");
  zoom.addEventListener("click", function () {
    var full = stage.classList.toggle("gnn-full");
    zoom.setAttribute("aria-pressed", String(full));
    zoom.textContent = full ? "Fit" : "Full size";
  });
  prev.disabled = next.disabled = slider.disabled = zoom.disabled = false;
  var raw = atob(part("frames").textContent.trim()), bytes = new Uint8Array(raw.length);
  for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  new Response(stream).text().then(function (json) {
    var unpacked = JSON.parse(json);
    // each frame's list of pieces, from the first frame and the edits between neighbours
    var frames = [unpacked.first];
    unpacked.edits.forEach(function (edits) {
      var ids = frames[frames.length - 1].slice();
      edits.forEach(function (e) { ids.splice.apply(ids, [e[0], e[1] - e[0]].concat(e[2])); });
      frames.push(ids);
    });
    unpacked.frames = frames;
    data = unpacked;
    if (unpacked.exercise) quiz = makeQuiz(unpacked.exercise);
    if (quiz) wanted = Math.min(wanted, quiz.reachable());
    show(wanted);
    root.setAttribute("data-ready", "true");
  }, function () {
    status.textContent = "The steps could not be unpacked; the picture shows the start.";
  });

  // The exercise: graphviz_nn/debugger/exercise.py's rules, with its questions and hints as data.
  function makeQuiz(rules) {
    var qs = rules.questions, byStep = {}, wrong = [], outcome = [];
    var FIRST = rules.outcomes[0], HINTED = rules.outcomes[1], REVEALED = rules.outcomes[2];
    var number = new RegExp(rules.pattern), example = rules.example;
    qs.forEach(function (q, i) { (byStep[q.step] = byStep[q.step] || []).push(i); wrong.push(0); outcome.push(null); });
    var panel = part("ask"), prompt = part("prompt"), askStep = part("ask-step"), answer = part("answer");
    var verdict = part("verdict"), score = part("score"), asking = null;
    function pending(step) { return (byStep[step] || []).filter(function (i) { return outcome[i] === null; }); }
    function quoted(t) { return "'" + (t.length <= 21 ? t : t.slice(0, 18) + "...") + "'"; }
    function parse(text) {  // parse_answer: a number, or the sentence saying why not
      var t = text.trim().replace(/\u2212/g, "-");
      if (!t) return {error: "the answer is empty; type a number such as " + example};
      if (t.length > rules.maxChars) return {error: "the answer is " + t.length + " characters long; type one number such as " + example};
      if (!number.test(t)) return {error: quoted(t) + " is not a number; type a decimal such as " + example};
      var x = parseFloat(t);
      if (!isFinite(x)) return {error: quoted(text) + " is too large to be an answer here; type a number such as " + example};
      return {value: x, typed: t};
    }
    function accepts(q, x) {  // Question.accepts: agree to the displayed decimals
      var tol = q.tolerance * (1 + 1e-9);
      return Math.abs(x - q.expected) <= tol || (q.alternative !== null && Math.abs(x - q.alternative) <= tol);
    }
    function reachable() {  // the last frame the student may see: just before the first step still asking
      for (var k = 1; k <= last; k++) if (pending(k).length) return k - 1;
      return last;
    }
    function say(message, right) {
      verdict.textContent = message;
      verdict.className = "gnn-verdict " + (right ? "gnn-right" : "gnn-wrong");
    }
    function summary() {  // Exercise.summary_text
      var c = {}, open = 0;
      [FIRST, HINTED, REVEALED].forEach(function (o) { c[o] = 0; });
      outcome.forEach(function (o) { if (o === null) open++; else c[o]++; });
      return c[FIRST] + " of " + qs.length + " right first time, " + c[HINTED] + " after a hint, " +
        c[REVEALED] + " revealed" + (open ? ", " + open + " not answered" : "");
    }
    function settle(i) {
      score.textContent = (pending_all() ? "So far: " : "Exercise done: ") + summary();
      root.setAttribute("data-outcomes", outcome.map(function (o) { return o === null ? "-" : o === FIRST ? "1" : o === HINTED ? "h" : "r"; }).join(""));
      if (!pending(qs[i].step).length) go(qs[i].step);  // every number of the step is in: show it
      else ask(current);
    }
    function pending_all() { return outcome.indexOf(null) >= 0; }
    function check() {
      if (asking === null) return;
      var q = qs[asking], got = parse(answer.value);
      if (got.error) { say(got.error, false); return; }  // junk is not a try
      if (accepts(q, got.value)) {
        outcome[asking] = wrong[asking] === 0 ? FIRST : HINTED;
        say("right: " + q.keys[0] + " = " + q.shown, true);
        settle(asking);
        return;
      }
      wrong[asking]++;
      if (wrong[asking] >= rules.maxWrong) { reveal("not " + got.typed); return; }
      say("not " + got.typed + "; hint: " + q.hints[Math.min(wrong[asking], q.hints.length) - 1], false);
      answer.select();
    }
    function reveal(why) {
      if (asking === null) return;
      var q = qs[asking];
      outcome[asking] = REVEALED;
      say((why || "revealed") + ": " + q.keys[0] + " = " + q.shown, false);
      settle(asking);
    }
    function ask(k) {  // after frame k is shown: the next step's first open question, if it asks one
      var open = pending(k + 1);
      asking = open.length ? open[0] : null;
      panel.hidden = asking === null;
      if (asking === null) return;
      askStep.textContent = String(k + 1);
      prompt.textContent = qs[asking].prompt;
      answer.value = "";
    }
    part("check").addEventListener("click", check);
    part("reveal").addEventListener("click", function () { reveal(); });
    answer.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { check(); event.preventDefault(); }
      event.stopPropagation();  // typing is not stepping (and not a notebook shortcut)
    });
    score.textContent = "So far: " + summary();
    return {reachable: reachable, ask: ask};
  }
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 1em; }}
h1 {{ font-family: Helvetica, Arial, sans-serif; font-size: 1.2em; margin: 0 0 .5em; color: #222; }}
</style>
</head>
<body>
<h1>{title}</h1>
{fragment}
</body>
</html>
"""
