"""scripts/setup.sh: the first installation tells in French what it does, package by package, and
still stops on pip's errors (shown as pip writes them)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from core.config import PROJECT_ROOT

FAKE_PIP = """#!/usr/bin/env bash
if [ "${FAIL:-}" = 1 ]; then echo "ERROR: No matching distribution found for streamlit==9.9" >&2; exit 1; fi
echo "Collecting streamlit==1.67.0 (from -r requirements.txt (line 2))"
echo "  Downloading streamlit-1.67.0-py3-none-any.whl (10.1 MB)"
echo "Collecting altair<6,>=4.0 (from streamlit==1.67.0)"
echo "  Using cached altair-5.5.0-py3-none-any.whl.metadata (11 kB)"
echo "Installing collected packages: altair, streamlit"
echo "Successfully installed altair-5.5.0 streamlit-1.67.0"
"""


def _project(tmp_path: Path) -> Path:
    """A copy of the script and the requirements, with a .venv whose python plays pip."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    shutil.copy(PROJECT_ROOT / "requirements.txt", tmp_path / "requirements.txt")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PIP)
    python.chmod(0o755)
    return tmp_path


def _setup(project: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", "source scripts/setup.sh requirements.txt"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_first_installation_names_each_package_in_french_then_is_quiet(tmp_path):
    project = _project(tmp_path)
    direct = sum(1 for line in (project / "requirements.txt").read_text().splitlines() if line[:1].isalnum())
    first = _setup(project)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == (
        f"Installation de {direct} paquets (requirements.txt) et de leurs dépendances : "
        "quelques minutes la première fois…"
    )
    assert lines[1:4] == ["  1. streamlit==1.67.0", "  2. altair<6,>=4.0", "  mise en place des paquets téléchargés…"]
    assert lines[4].startswith("Dépendances installées en ") and lines[4].endswith(" s.")
    again = _setup(project)  # installed: nothing to do, nothing said
    assert again.returncode == 0 and again.stdout == ""


def test_a_pip_error_stops_the_setup_and_is_shown(tmp_path):
    failed = _setup(_project(tmp_path), FAIL="1")
    assert failed.returncode != 0
    assert "No matching distribution found for streamlit==9.9" in failed.stderr
    assert "Dépendances installées" not in failed.stdout
