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
