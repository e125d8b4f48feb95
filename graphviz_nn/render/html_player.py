"""One self-contained HTML page that plays the frames: no network, no external script.

Every frame is inlined as SVG; Previous/Next buttons, a slider and the left/right arrow
keys move between them, and the step's ``upstream × local = contribution`` line is shown
beside the picture. A Content-Security-Policy forbids every network request, so the page
works the same from a course website, an e-mail attachment or a USB stick.
"""
from __future__ import annotations

import html
import json
import re

from .export import atomic_write

_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.S)
_IDS = re.compile(r'\bid="([^"]*)"')
_XLINK = ' xmlns:xlink="http://www.w3.org/1999/xlink"'
_SIZE = re.compile(r'<svg width="[^"]*"\s+height="[^"]*"')


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG document as an element to inline: no prologue or comments, ids made unique."""
    svg = _PROLOGUE.sub("", svg).strip()
    if "xlink:" not in svg.replace(_XLINK, ""):
        svg = svg.replace(_XLINK, "")  # an unused namespace is one URL less in the page
    svg = _SIZE.sub('<svg class="picture"', svg, count=1)  # scale with the page instead
    return _IDS.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)


def player_html(svgs: list, texts: list, title: str = "graphviz-nn") -> str:
    """The page as a string: ``svgs[k]`` is frame k, ``texts[k]`` the line shown beside it."""
    if len(svgs) != len(texts):
        raise ValueError(f"{len(svgs)} frames but {len(texts)} step texts")
    frames = "\n".join(
        f'<div class="frame" data-k="{k}"{"" if k == 0 else " hidden"}>{inline_svg(svg, f"f{k}-")}</div>'
        for k, svg in enumerate(svgs))
    # "</" inside a script element would end it early
    steps = json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")
    last = len(svgs) - 1
    return _PAGE.format(title=html.escape(title), frames=frames, steps=steps, last=last,
                        first_text=html.escape(texts[0] if texts else ""))


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
<div class="stage">
{frames}
</div>
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
<script id="steps" type="application/json">{steps}</script>
<script>
(function () {{
  var texts = JSON.parse(document.getElementById("steps").textContent);
  var frames = document.querySelectorAll(".frame");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var text = document.getElementById("step-text");
  var last = frames.length - 1;
  var current = 0;
  function show(k) {{
    k = Math.max(0, Math.min(last, k));
    frames[current].hidden = true;
    frames[k].hidden = false;
    current = k;
    slider.value = String(k);
    counter.textContent = "step " + k + " / " + last;
    text.textContent = texts[k];
    document.body.setAttribute("data-frame", String(k));
  }}
  document.getElementById("prev").addEventListener("click", function () {{ show(current - 1); }});
  document.getElementById("next").addEventListener("click", function () {{ show(current + 1); }});
  slider.addEventListener("input", function () {{ show(parseInt(slider.value, 10)); }});
  document.addEventListener("keydown", function (event) {{
    if (event.target === slider) return;  // the slider moves itself with the arrow keys
    if (event.key === "ArrowRight") {{ show(current + 1); event.preventDefault(); }}
    else if (event.key === "ArrowLeft") {{ show(current - 1); event.preventDefault(); }}
  }});
  show(0);
}})();
</script>
</body>
</html>
"""
