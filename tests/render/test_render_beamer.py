"""Beamer overlays: the snippet compiles with pdflatex in a minimal Beamer document, one page per step."""
import re
import shutil
import subprocess

import pytest

from graphviz_nn.debugger import build_trace
from graphviz_nn.render.beamer import beamer_snippet, latex_text, write_beamer
from graphviz_nn.render.frames import START_TEXT

from render_helpers import build_sigmoid_neuron

DECK = r"""\documentclass{beamer}
\begin{document}
\begin{frame}{Backprop, step by step}
\input{%s}
\end{frame}
\end{document}
"""


def tex_missing() -> bool:
    found = shutil.which("pdflatex") and shutil.which("kpsewhich")
    if not found:
        return True
    where = subprocess.run(["kpsewhich", "beamer.cls", "pgfcore.sty"], capture_output=True, text=True)
    return len(where.stdout.split()) < 2


needs_tex = pytest.mark.skipif(tex_missing(), reason="pdflatex with Beamer is not installed (scripts/setup.sh --dev "
                                                     "installs texlive-latex-recommended and texlive-pictures)")


def compile_deck(folder, snippet_name: str) -> int:
    """Compile a one-frame Beamer deck that inputs the snippet; the number of pages it made."""
    (folder / "deck.tex").write_text(DECK % snippet_name)
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "deck.tex"],
                          cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    return int(re.search(r"Output written on deck\.pdf \((\d+) pages?", done.stdout).group(1))


def test_snippet_has_one_overlay_per_step_in_order(tmp_path):
    trace = build_trace(build_sigmoid_neuron())
    frames = write_beamer(trace, tmp_path / "slides.tex", title="CS231n neuron")
    snippet = (tmp_path / "slides.tex").read_text()
    pictures = re.findall(r"\\only<(\d+)>\{\\includegraphics\[[^\]]*\]\{([^}]*)\}\}", snippet)
    n = len(trace.steps) + 1
    assert pictures == [(str(k + 1), f"slides-frames/frame-{k:03d}.pdf") for k in range(n)]
    assert all((tmp_path / name).read_bytes().startswith(b"%PDF") for _, name in pictures)
    lines = re.findall(rf"\\only<(\d+)>\{{step (\d+)/{n - 1}: \\texttt\{{(.*)\}}\}}%", snippet)
    assert [(int(o), int(k)) for o, k, _ in lines] == [(k + 1, k) for k in range(n)]
    assert lines[0][2] == latex_text(START_TEXT) and lines[-1][2] == latex_text(trace.steps[-1].text)
    assert len(frames) == n


def test_latex_text_escapes_specials_and_writes_symbols_as_math():
    assert latex_text("a_1 & 50% #2 {x} $ ^ ~ \\ <>|") == (
        r"a\_1 \& 50\% \#2 \{x\} \$ \textasciicircum{} \textasciitilde{} \textbackslash{} "
        r"\textless{}\textgreater{}\textbar{}")
    assert latex_text("[0.20] × [-1.00] → w0.grad") == r"[0.20] \ensuremath{\times} [-1.00] \ensuremath{\rightarrow} w0.grad"
    assert latex_text("σ(z)·Wᵀ ‖g‖² ≈ α") == (r"\ensuremath{\sigma}(z)\ensuremath{\cdot}W\ensuremath{^{\top}} "
                                             r"\ensuremath{\|}g\ensuremath{\|}\ensuremath{^{2}} \ensuremath{\approx} "
                                             r"\ensuremath{\alpha}")
    assert latex_text("café 中") == "cafe ?"


@needs_tex
def test_snippet_compiles_in_a_beamer_document_one_page_per_step(tmp_path):
    trace = build_trace(build_sigmoid_neuron())
    write_beamer(trace, tmp_path / "slides.tex")
    assert compile_deck(tmp_path, "slides.tex") == len(trace.steps) + 1


@needs_tex
def test_every_symbol_the_step_lines_use_compiles(tmp_path):
    write_beamer(build_trace(build_sigmoid_neuron()), tmp_path / "one.tex")
    picture = "one-frames/frame-000.pdf"
    texts = ["dL/dx = dL/dy ⊙ 1/x = 100×1 array (‖·‖ = 0.12) → n16.grad", "σ(z) Wᵀ x² √2 ≈ ∂L/∂w ∇ − ε",
             "weird_name#1 & 50% {x} $y$ ^~\\ <tag> |a|", "café 中 α β γ"]
    (tmp_path / "symbols.tex").write_text(beamer_snippet([picture] * len(texts), texts))
    assert compile_deck(tmp_path, "symbols.tex") == len(texts)
