"""Step debugger latency: ``n`` until the screen has updated, and time to the first complete screen.

Three measurements, side by side in one run (machines are noisy; compare within a run):

1. key → screen: a real key event is queued to the running (headless) app and the clock
   stops when Textual hands the next screen update to the display (``App._display``), so
   event dispatch, the session move, every pane's repaint and Textual's frame pacing are in.
2. work per step: the same move and a full repaint of the screen, done synchronously
   (``action_next`` then the compositor rendering every line): the part the app controls.
3. first screen: ``bash scripts/run.sh`` (the README's run command: set-up check, then the app),
   ``graphviz-nn`` and ``graphviz-nn tui mlp-moons``
   started in a real terminal (tmux), timed until the header, a box and the footer are on
   screen; plus the in-process time to the first screen for the 5,000-node graph.

Graphs: a 5,000-node scalar graph (a chain of neurons' worth of gates, no groups, so it is
drawn gate by gate) and the ``mlp-moons`` scenario, at gate level and at neuron level (its
network view: 33 neurons, 304 weights, drawn as four boxes a layer and a crossbar per layer pair)
and at layer level. ``--network`` runs only that view beside the sigmoid neuron; ``--imports``
prints ``python -X importtime`` for the app and the command line (total, top ten modules).
Targets (issues 12, 21, 23), printed beside each figure: p95 key → screen < 33 ms (two frames at
60 Hz) for every view, first screen < 0.8 s on a quiet machine.
Run: ``python benchmarks/bench_tui.py [--steps 200]``.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from textual import events

from graphviz_nn import Value
from graphviz_nn.debugger import build_trace
from graphviz_nn.tui.app import DebuggerApp

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 36)


def scalar_graph(n_nodes: int = 5000, seed: int = 0):
    """At least ``n_nodes`` scalar nodes, all reaching the loss: tanh(a·w + b) gates in a chain,
    each also reading one of the 15 values before it (fan-out, long edges, partial sums)."""
    rng = random.Random(seed)
    values = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(16)]
    count = len(values)
    while count < n_nodes + 8:  # a few of the first inputs may go unused
        a, b = values[-1], rng.choice(values[-16:-1])
        w = Value(rng.uniform(-1, 1))
        out = (a * w + b).tanh()  # leaf w, *, +, tanh: four nodes
        values.append(out)
        count += 4
    loss = values[-1] * values[-2]
    return loss


class NeuronLevelApp(DebuggerApp):
    """The app opened at neuron level (as after pressing l): mlp-moons drawn as its network."""

    def open_target(self, make) -> bool:
        opened = super().open_target(make)
        if opened:
            self.session.set_level("neuron")
            self.refresh_view()
        return opened


class LayerLevelApp(DebuggerApp):
    """The app opened at layer level (l twice): mlp-moons drawn as one box per layer."""

    def open_target(self, make) -> bool:
        opened = super().open_target(make)
        if opened:
            self.session.set_level("layer")
            self.refresh_view()
        return opened


STEP_TARGET_MS = 33  # p95 key → screen: two frames at 60 Hz (issues 12, 21, 23)
FIRST_SCREEN_TARGET_MS = 800  # issue 23, on a quiet machine


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def summary(name, seconds, target_ms=None):
    """One line: median, p95 and max; with a target, the p95 beside it and whether it is met."""
    ms = [s * 1000 for s in seconds]
    p95 = percentile(ms, 0.95)
    line = f"{name:<38} median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   max {max(ms):7.2f} ms"
    if target_ms is not None:
        line += f"   target p95 < {target_ms} ms: {'met' if p95 < target_ms else 'NOT met'}"
    return line


def import_times(statement: str, runs: int = 7) -> tuple[float, list]:
    """``python -X importtime -c statement``: the median total (ms) and the ten modules with the
    most time of their own (median ms), from ``runs`` fresh interpreters."""
    totals, own = [], {}
    for _ in range(runs):
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], capture_output=True,
                             text=True, cwd=ROOT).stderr
        total = 0
        for line in err.splitlines():
            parts = line.removeprefix("import time:").split("|")
            if len(parts) != 3 or not parts[0].strip().isdigit():
                continue
            us = int(parts[0])
            total += us
            own.setdefault(parts[2].strip(), []).append(us)
        totals.append(total)
    top = sorted(own, key=lambda m: -statistics.median(own[m]))[:10]
    return statistics.median(totals) / 1000, [(m, statistics.median(own[m]) / 1000) for m in top]


async def key_to_screen(app: DebuggerApp, steps: int) -> tuple[list, list, float]:
    """(key→screen latencies, synchronous work per step, first-screen seconds) for one app."""
    shown = asyncio.Event()
    start = time.perf_counter()
    first = []
    original = app._display

    def spy(screen, renderable):
        if renderable is not None:
            shown.set()
            if not first:
                first.append(time.perf_counter() - start)
        original(screen, renderable)

    app._display = spy
    latencies, work = [], []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for i in range(steps):
            if app.session.state.k >= len(app.session.trace.steps):  # mlp-moons has 56 steps: start again
                app.session.restart()
                app.refresh_view()
                await pilot.pause()
            shown.clear()
            t0 = time.perf_counter()
            key = events.Key("n", "n")
            key.set_sender(app)
            app._driver.send_message(key)
            await asyncio.wait_for(shown.wait(), 10)
            latencies.append(time.perf_counter() - t0)
            await asyncio.sleep(0.005)
        app.session.restart()
        for i in range(steps):
            if app.session.state.k >= len(app.session.trace.steps):
                app.session.restart()
            t0 = time.perf_counter()
            app.action_next()
            app.screen._compositor.render_strips()
            work.append(time.perf_counter() - t0)
    return latencies, work, (first[0] if first else float("nan"))


def tmux_first_screen(command: str, expect: str, repeats: int = 3) -> list:
    """Seconds from launching ``command`` in a fresh tmux pane until ``expect`` and the footer show."""
    if shutil.which("tmux") is None:
        return []
    times = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
    env["TERM"] = "xterm-256color"
    for _ in range(repeats):
        sock = f"bench-{uuid.uuid4().hex[:8]}"
        tmux = ["tmux", "-L", sock]
        subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", str(SIZE[0]),
                               "-y", str(SIZE[1]), "bash --norc --noprofile"], env=env, check=True)
        try:
            time.sleep(0.3)
            t0 = time.perf_counter()
            subprocess.run(tmux + ["send-keys", "-t", "b", f"cd {ROOT} && {command}", "Enter"], env=env, check=True)
            while time.perf_counter() - t0 < 30:
                screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "b"], env=env,
                                        capture_output=True, text=True).stdout
                if expect in screen and "Quit" in screen and "▶" in screen:  # an edge's arrow: the graph is drawn
                    times.append(time.perf_counter() - t0)
                    break
                time.sleep(0.01)
            subprocess.run(tmux + ["send-keys", "-t", "b", "q"], env=env)
            time.sleep(0.3)
        finally:
            subprocess.run(tmux + ["kill-server"], env=env, capture_output=True)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--network", action="store_true",
                        help="only the mlp-moons network view beside the sigmoid neuron (issue 21)")
    parser.add_argument("--imports", action="store_true",
                        help="only the import times of the app and of the command line (python -X importtime)")
    args = parser.parse_args()
    exe = Path(sys.executable).with_name("graphviz-nn")
    if args.imports:
        for statement in ("import graphviz_nn.tui.app",
                          "from graphviz_nn.cli import COMMAND_MODULES, build_parser; "
                          "build_parser(COMMAND_MODULES['tui']); import graphviz_nn.tui.app"):
            total, top = import_times(statement)
            print(f"python -X importtime -c {statement!r}: {total:.0f} ms in all (median of 7); "
                  f"most time of their own:")
            for module, ms in top:
                print(f"    {ms:6.1f} ms  {module}")
        return 0
    if args.network:
        network = asyncio.run(key_to_screen(NeuronLevelApp(scenario="mlp-moons"), args.steps))
        neuron = asyncio.run(key_to_screen(DebuggerApp(scenario="sigmoid-neuron"), args.steps))
        print(f"terminal {SIZE[0]}×{SIZE[1]}; {args.steps} steps each (mlp-moons' 56 steps start again at the end)")
        print(summary("n key→screen, mlp-moons network", network[0], STEP_TARGET_MS))
        print(summary("n key→screen, sigmoid-neuron", neuron[0], STEP_TARGET_MS))
        print(summary("n work+repaint, mlp-moons network", network[1]))
        print(summary("n work+repaint, sigmoid-neuron", neuron[1]))
        ratio = statistics.median(network[0]) / statistics.median(neuron[0])
        print(f"{'key→screen, network vs neuron':<38} ratio {ratio:5.2f} (median; same process, side by side)")
        return 0

    loss = scalar_graph()
    n_nodes = len(build_trace(loss).nodes)
    print(f"5,000-node scalar graph: {n_nodes} nodes; terminal {SIZE[0]}×{SIZE[1]}; {args.steps} steps each")
    views = [  # every view the issue names: the key's latency target holds for each
        ("5,000 nodes", lambda: DebuggerApp(outputs=loss, title="5,000 nodes", layout_engine="builtin"), args.steps),
        ("mlp-moons gate level", lambda: DebuggerApp(scenario="mlp-moons"), args.steps),
        ("mlp-moons network", lambda: NeuronLevelApp(scenario="mlp-moons"), args.steps),
        ("mlp-moons layer level", lambda: LayerLevelApp(scenario="mlp-moons"), args.steps),
        ("sigmoid-neuron", lambda: DebuggerApp(scenario="sigmoid-neuron"), min(args.steps, 25)),
    ]
    results = {name: asyncio.run(key_to_screen(make(), steps)) for name, make, steps in views}
    for name in results:
        print(summary(f"n key→screen, {name}", results[name][0], STEP_TARGET_MS))
    for name in results:
        print(summary(f"n work+repaint, {name}", results[name][1]))
    big, neuron = results["5,000 nodes"], results["sigmoid-neuron"]
    ratio = statistics.median(big[1]) / statistics.median(neuron[1])
    print(f"{'work per step, 5,000 vs 13 nodes':<38} ratio {ratio:5.2f} (1.0 = independent of graph size)")
    print(f"{'first screen in process, 5,000 nodes':<38} {big[2] * 1000:7.0f} ms (trace, layout, first paint)")
    print(f"{'first screen in process, mlp-moons':<38} {results['mlp-moons gate level'][2] * 1000:7.0f} ms")
    for label, command, expect in (("bash scripts/run.sh (tmux)", "bash scripts/run.sh", "step 0 of"),
                                   ("graphviz-nn (tmux)", str(exe), "step 0 of"),
                                   ("graphviz-nn tui mlp-moons (tmux)", f"{exe} tui mlp-moons", "step 0 of")):
        times = tmux_first_screen(command, expect)
        if times:
            median = statistics.median(times) * 1000
            print(f"{'first screen, ' + label:<38} median {median:7.0f} ms   max {max(times) * 1000:7.0f} ms  "
                  f"({len(times)} runs)   target < {FIRST_SCREEN_TARGET_MS} ms on a quiet machine: "
                  f"{'met' if median < FIRST_SCREEN_TARGET_MS else 'NOT met'}")
        elif shutil.which("tmux") is None:
            print(f"first screen, {label}: tmux not installed, skipped")
        else:
            print(f"first screen, {label}: {expect!r} never appeared within 30 s")
    return 0

if __name__ == "__main__":
    sys.exit(main())
