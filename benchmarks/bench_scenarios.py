"""Hostile scenario files are rejected fast: each against loading the default scenario.

Run: ``.venv/bin/python benchmarks/bench_scenarios.py``. Prints, per hostile input, the
median time to get its ScenarioError and the ratio to loading ``sigmoid-neuron`` measured
side by side in this process (the issue's target: every hostile file within 100 ms).
"""
from __future__ import annotations

import pathlib
import statistics
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "scenario_format"))

from graphviz_nn import ScenarioError, load_scenario  # noqa: E402
from test_hostile_files import EXPRESSIONS, FILES, expression_file  # noqa: E402

TARGET_MS = 100.0


def median_seconds(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    folder = pathlib.Path(tempfile.mkdtemp())
    cases = {name: expression_file(text).encode() for name, text in EXPRESSIONS.items()}
    cases.update(FILES)
    baseline = median_seconds(lambda: load_scenario("sigmoid-neuron"))
    print(f"baseline: load_scenario('sigmoid-neuron') = {baseline * 1e3:.2f} ms (median of 7)")
    print(f"{'hostile input':<30} {'ms':>8} {'× baseline':>11}  within {TARGET_MS:.0f} ms")
    worst = 0.0
    for name, data in cases.items():
        path = folder / "hostile.toml"
        path.write_bytes(data)

        def load():
            try:
                load_scenario(str(path))
            except ScenarioError:
                return
            raise AssertionError(f"{name} was accepted")

        t = median_seconds(load)
        worst = max(worst, t)
        print(f"{name:<30} {t * 1e3:>8.2f} {t / baseline:>11.2f}  {'yes' if t * 1e3 <= TARGET_MS else 'NO'}")
    print(f"worst: {worst * 1e3:.2f} ms = {worst / baseline:.1f} × baseline")
    build_overhead()
    return 0 if worst * 1e3 <= TARGET_MS else 1


def build_overhead() -> None:
    """scenario.build() against the same neuron written with Value operators by hand."""
    from graphviz_nn import Value

    scenario = load_scenario("sigmoid-neuron")

    def by_hand():
        w0, x0, w1, x1, w2 = (Value(v) for v in (2.0, -1.0, -3.0, -2.0, -3.0))
        return 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())

    hand = median_seconds(lambda: [by_hand() for _ in range(1000)])
    built = median_seconds(lambda: [scenario.build() for _ in range(1000)])
    print(f"sigmoid-neuron ×1000: by hand {hand * 1e3:.1f} ms, scenario.build() {built * 1e3:.1f} ms "
          f"= {built / hand:.1f} × by hand (the expression is parsed once, at load)")


if __name__ == "__main__":
    sys.exit(main())
