"""One self-contained HTML page that plays the frames: no network, no external script.

The frames are inlined as SVG; Previous/Next buttons, a slider and the left/right arrow
keys move between them, and the step's ``upstream × local = contribution`` line is shown
beside the picture. A Content-Security-Policy forbids every network request, so the page
works the same from a course website, an e-mail attachment or a USB stick.

Consecutive frames differ in a few labels only, so the page stores each distinct piece of
SVG once and every frame as a few edits of the one before (a 385-step story is a few MB,
not 100 MB).
"""
from __future__ import annotations

import difflib
import html
import json
import re

from .export import atomic_write

_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.S)
_XLINK = ' xmlns:xlink="http://www.w3.org/1999/xlink"'
_SIZE = re.compile(r'<svg width="[^"]*"\s+height="[^"]*"')
_CUT = "<g id="


def inline_svg(svg: str) -> str:
    """An SVG document as an element to inline: no prologue or comments, scaling with the page."""
    svg = _PROLOGUE.sub("", svg).strip()
    if "xlink:" not in svg.replace(_XLINK, ""):
        svg = svg.replace(_XLINK, "")  # an unused namespace is one URL less in the page
    return _SIZE.sub('<svg class="picture"', svg, count=1)


def encode_frames(svgs: list) -> tuple:
    """Frames as shared pieces plus edits: ``(pieces, first frame's piece ids, edits)``.

    Each SVG is cut before every ``<g id=``; identical pieces are stored once; frame k is
    frame k-1 with slices replaced, ``edits[k-1] = [[start, end, [ids]], ...]`` (applied in
    the order given, last slice first, so earlier positions stay valid).
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


def _script_json(data) -> str:
    # "</" inside a script element would end it early
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def player_html(svgs: list, texts: list, title: str = "graphviz-nn") -> str:
    """The page as a string: ``svgs[k]`` is frame k, ``texts[k]`` the line shown beside it."""
    if len(svgs) != len(texts) or not svgs:
        raise ValueError(f"{len(svgs)} frames but {len(texts)} step texts (need one each, at least one)")
    pieces, first, edits = encode_frames(svgs)
    data = _script_json({"texts": texts, "pieces": pieces, "first": first, "edits": edits})
    return _PAGE.format(title=html.escape(title), data=data, last=len(svgs) - 1,
                        first_frame="".join(pieces[i] for i in first), first_text=html.escape(texts[0]))


def write_player(path, svgs: list, texts: list, title: str = "graphviz-nn"):
    """Write the player page to ``path`` atomically."""
    return atomic_write(path, player_html(svgs, texts, title).encode("utf-8"))


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1em; color: #222; }}
h1 {{ font-size: 1.2em; margin: 0 0 .5em; }}
.player {{ display: flex; gap: 1.5em; align-items: flex-start; flex-wrap: wrap; }}
.stage {{ flex: 3 1 30em; min-width: 0; }}
.picture {{ width: 100%; height: auto; }}
.side {{ flex: 1 1 16em; }}
.controls {{ display: flex; gap: .5em; align-items: center; margin: .5em 0; }}
.controls input[type=range] {{ flex: 1; }}
#step-text {{ font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 1.05em;
             background: #f6f6f0; padding: .6em; border-left: 4px solid #1f4e9e; white-space: pre-wrap; }}
.hint {{ color: #666; font-size: .85em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="player">
<div class="stage" id="stage" data-k="0">{first_frame}</div>
<div class="side">
<div class="controls">
<button id="prev" type="button" aria-label="previous step">&#9664; Previous</button>
<button id="next" type="button" aria-label="next step">Next &#9654;</button>
</div>
<div class="controls">
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<span id="counter">step 0 / {last}</span>
</div>
<p id="step-text">{first_text}</p>
<p class="hint">Left and right arrow keys step back and forth. Above each edge: value; below: gradient.</p>
</div>
</div>
<script id="frames" type="application/json">{data}</script>
<script>
(function () {{
  var data = JSON.parse(document.getElementById("frames").textContent);
  var texts = data.texts, pieces = data.pieces;
  // each frame's list of pieces, from the first frame and the edits between neighbours
  var frames = [data.first];
  data.edits.forEach(function (edits) {{
    var ids = frames[frames.length - 1].slice();
    edits.forEach(function (e) {{ ids.splice.apply(ids, [e[0], e[1] - e[0]].concat(e[2])); }});
    frames.push(ids);
  }});
  var stage = document.getElementById("stage");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var text = document.getElementById("step-text");
  var last = frames.length - 1;
  var current = 0;
  function show(k) {{
    k = Math.max(0, Math.min(last, k));
    if (k !== current) {{
      stage.innerHTML = frames[k].map(function (i) {{ return pieces[i]; }}).join("");
    }}
    current = k;
    stage.setAttribute("data-k", String(k));
    slider.value = String(k);
    counter.textContent = "step " + k + " / " + last;
    text.textContent = texts[k];
  }}
  document.getElementById("prev").addEventListener("click", function () {{ show(current - 1); }});
  document.getElementById("next").addEventListener("click", function () {{ show(current + 1); }});
  slider.addEventListener("input", function () {{ show(parseInt(slider.value, 10)); }});
  document.addEventListener("keydown", function (event) {{
    if (event.target === slider) return;  // the slider moves itself with the arrow keys
    if (event.key === "ArrowRight") {{ show(current + 1); event.preventDefault(); }}
    else if (event.key === "ArrowLeft") {{ show(current - 1); event.preventDefault(); }}
  }});
}})();
</script>
</body>
</html>
"""
