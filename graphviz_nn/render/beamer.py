r"""Beamer overlays: a LaTeX snippet showing one pinned PDF frame per overlay, with the step's line.

``graphviz-nn frames SCENARIO --beamer slides.tex`` writes the PDF frames into
``slides-frames/`` beside the snippet and the snippet itself; inside a Beamer frame,
``\input{slides.tex}`` shows frame k on overlay k+1 (``\only<k+1>``), so stepping through the
slides steps through backprop with nothing moving.

>>> print(latex_text("[0.20] × [-1.00] = -0.20 → w0.grad"))
[0.20] \ensuremath{\times} [-1.00] = -0.20 \ensuremath{\rightarrow} w0.grad
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from .export import atomic_write
from .frame_set import write_frames
from .frames import FramesError
from .run_dot import DEFAULT_TIMEOUT

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
            "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
# the symbols the step lines use, as math (pdflatex's default input encoding knows none of them)
_MATH = {"×": r"\times", "→": r"\rightarrow", "←": r"\leftarrow", "‖": r"\|", "·": r"\cdot",
         "⊙": r"\odot", "ᵀ": r"^{\top}", "²": r"^{2}", "³": r"^{3}", "√": r"\surd", "≈": r"\approx",
         "−": "-", "∂": r"\partial", "∇": r"\nabla", "Σ": r"\Sigma", "∑": r"\sum", "≤": r"\leq",
         "≥": r"\geq", "≠": r"\neq", "∞": r"\infty", "±": r"\pm", "…": r"\ldots", "⋯": r"\cdots",
         "∈": r"\in", "ε": r"\varepsilon"}
_GREEK = "GREEK SMALL LETTER "


def latex_text(text: str) -> str:
    """Plain text as LaTeX that pdflatex typesets as it reads: specials escaped, symbols as math."""
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch in _MATH:
            out.append(_MATH[ch] if ch == "−" else rf"\ensuremath{{{_MATH[ch]}}}")
        elif ord(ch) < 128:
            out.append(ch)
        elif unicodedata.name(ch, "").startswith(_GREEK):
            out.append(rf"\ensuremath{{\{unicodedata.name(ch)[len(_GREEK):].lower()}}}")
        else:
            # anything else: its ASCII look-alike (é -> e, subscripts) or a visible placeholder
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
            out.append("".join(_SPECIAL.get(c, c) for c in plain) or "?")
    return "".join(out)


def beamer_snippet(files: list, texts: list, title: str | None = None, folder: str = "") -> str:
    r"""The snippet: overlay k+1 shows ``files[k]`` and ``texts[k]`` (paths as LaTeX will read them)."""
    if len(files) != len(texts) or not files:
        raise ValueError(f"{len(files)} frames but {len(texts)} step texts (need one each, at least one)")
    n = len(files)
    lines = [
        f"% graphviz-nn frames{': ' + title if title else ''}: {n} steps as overlays 1-{n}.",
        r"% Inside a Beamer frame: \begin{frame}{Backprop}\input{this-file}\end{frame}",
        f"% The pictures are PDF files in {folder or 'this folder'}; run pdflatex from this file's folder.",
        r"\begin{center}",
    ]
    for k, name in enumerate(files):
        lines.append(rf"\only<{k + 1}>{{\includegraphics[width=\linewidth,height=0.68\textheight,"
                     rf"keepaspectratio]{{{name}}}}}%")
    lines += [r"\end{center}", r"\par\vspace{0.3em}", r"{\small"]
    for k, text in enumerate(texts):
        lines.append(rf"\only<{k + 1}>{{step {k}/{n - 1}: \texttt{{{latex_text(text)}}}}}%")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_beamer(output, tex_path, frames_dir=None, *, title: str | None = None, progress=None,
                 timeout=DEFAULT_TIMEOUT, **options) -> list:
    """Write PDF frames into ``frames_dir`` (default ``<tex name>-frames`` beside it) and the snippet.

    The snippet names the frames relative to the snippet's folder. Returns the ``Frame`` list.
    """
    tex_path = Path(tex_path)
    if not tex_path.parent.is_dir():
        raise FramesError(f"cannot write {str(tex_path)!r}: the folder {str(tex_path.parent)!r} does not "
                          f"exist; create it first")
    frames_dir = Path(frames_dir) if frames_dir is not None else tex_path.with_name(f"{tex_path.stem}-frames")
    frames = write_frames(output, frames_dir, "pdf", title=title or "graphviz-nn", progress=progress,
                          timeout=timeout, **options)
    folder = Path(os.path.relpath(frames_dir, tex_path.parent or ".")).as_posix()
    files = [f"{folder}/{f.file}" for f in frames]
    atomic_write(tex_path, beamer_snippet(files, [f.text for f in frames], title, folder).encode("utf-8"))
    return frames
