"""Fixtures shared by test folders."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory):
    """The wheel built from this checkout once per session, and a folder it is unpacked into."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(out), str(ROOT)], check=True, capture_output=True, cwd=out)
    (wheel,) = out.glob("graphviz_nn-*.whl")
    site = out / "site"
    zipfile.ZipFile(wheel).extractall(site)
    return wheel, site


@pytest.fixture
def run_from_elsewhere(tmp_path):
    """Run code in a fresh interpreter whose first import path is ``site``, from another folder."""
    def run(site: Path, code: str) -> str:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(exist_ok=True)
        result = subprocess.run(
            [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
            check=True, capture_output=True, text=True, cwd=elsewhere)
        return result.stdout
    return run


# Refused inputs must be refused quickly and cheaply (issue 14): measured on a fresh process.
REFUSAL_SECONDS = 2.0
REFUSAL_PEAK_MB = 500
# A safety net so that a regression cannot take the shared machine's memory with it.
REFUSAL_ADDRESS_SPACE = 4 * 1024 ** 3


def _wall_limit() -> float:
    """2 s on an idle machine; proportionally more when the load average exceeds the cores."""
    import os
    busy = os.getloadavg()[0] / (os.cpu_count() or 1)
    return REFUSAL_SECONDS * max(1.0, busy)


class Refusal:
    """What a refused command did: exit status, standard error, wall time and peak memory."""

    def __init__(self, status, stdout, stderr, seconds, peak_mb, cpu_seconds=0.0, again=None):
        self.status, self.stdout, self.stderr = status, stdout, stderr
        self.seconds, self.peak_mb, self.cpu_seconds = seconds, peak_mb, cpu_seconds
        self.again = again  # runs the same command again (a wall time lost to a busy machine)

    def assert_one_sentence(self, *fragments):
        lines = self.stderr.strip().splitlines()
        assert self.status == 2, (self.status, self.stderr[-2000:])
        assert len(lines) == 1 and "Traceback" not in self.stderr, self.stderr[-2000:]
        for fragment in fragments:
            assert fragment in self.stderr, (fragment, self.stderr)
        assert self.cpu_seconds < REFUSAL_SECONDS, f"refused after {self.cpu_seconds:.2f} s of CPU"
        # wall time on the shared 2-core machine: the limit scales with how many others run
        seconds = self.seconds
        for _ in range(2):
            if seconds < _wall_limit() or self.again is None:
                break
            seconds = min(seconds, self.again().seconds)
        assert seconds < _wall_limit(), f"refused in {seconds:.2f} s (CPU {self.cpu_seconds:.2f} s)"
        return self


# ``python -m graphviz_nn ARGS`` that writes its own peak resident memory (VmHWM, kB, of the
# interpreter it became, not of the process it was forked from) to argv[1] as it exits
_OWN_PEAK = """
import runpy, sys
peak_path = sys.argv.pop(1)
try:
    runpy.run_module("graphviz_nn", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(peak_path, "w") as out:
        out.write(peak)
"""


@pytest.fixture
def refused(tmp_path):
    """Run ``graphviz-nn ARGS`` in a fresh interpreter with an address-space cap; a ``Refusal``
    with the child's own wall time and peak resident memory (``os.wait4``)."""
    import os
    import resource
    import threading
    import time

    def run(*args, cwd=None, timeout=60) -> Refusal:
        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (REFUSAL_ADDRESS_SPACE, REFUSAL_ADDRESS_SPACE))
        out_path, err_path = tmp_path / "refused.out", tmp_path / "refused.err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            start = time.perf_counter()
            peak_path = tmp_path / "refused.peak"
            process = subprocess.Popen([sys.executable, "-c", _OWN_PEAK, str(peak_path), *map(str, args)], cwd=cwd,
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=limit,
                                       env={**os.environ, "PYTHONPATH": str(ROOT)})
            watchdog = threading.Timer(timeout, process.kill)  # a hang fails the test, not the run
            watchdog.start()
            try:
                _, status, usage = os.wait4(process.pid, 0)
            finally:
                watchdog.cancel()
            seconds = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
        # the child's own peak; wait4's ru_maxrss also counts this test process's pages, which the
        # fork gave the child before it ran anything (476 MB late in a full run, whatever the command)
        peak_kb = int(peak_path.read_text()) if peak_path.exists() else usage.ru_maxrss
        peak_path.unlink(missing_ok=True)
        return Refusal(process.returncode, out_path.read_text("utf-8", "replace"),
                       err_path.read_text("utf-8", "replace"), seconds, peak_kb / 1024,
                       usage.ru_utime + usage.ru_stime, again=lambda: run(*args, cwd=cwd, timeout=timeout))

    return run


# Tests of what users may send (issue 25) run with the process's address space capped: a regression
# that allocates without bound fails with MemoryError instead of taking the shared machine down.
MEMORY_HEADROOM = 1536 * 1024 ** 2


def _address_space_now() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@pytest.fixture
def memory_capped():
    """RLIMIT_AS set to what this process uses now plus MEMORY_HEADROOM for one test, then restored."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space_now() + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield cap
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
