"""A plain (non-editable) ``pip install`` into a fresh venv works from any directory."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_non_editable_install_ships_ontology_shapes_context_and_queries(tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)], check=True, timeout=900)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    entry = elsewhere / "entry.yaml"
    entry.write_text((ROOT / "data" / "ap-2024-07-02-un-ai-resolutions.yaml").read_text(encoding="utf-8"),
                     encoding="utf-8")
    policykg = env_dir / "bin" / "policykg"
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args: str) -> str:
        done = subprocess.run([str(policykg), *args], cwd=elsewhere, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    # The installed package must not read the source checkout.
    where = run_python(python, "import kg.resources as r; print(r.resource_path('shapes'))", elsewhere)
    assert str(ROOT) not in where and "site-packages" in where
    assert "loaded ap-2024-07-02-un-ai-resolutions" in run("load", "entry.yaml", "--store", "store")
    out = run("query", "@positions_by_holder", "-p", "holder=china", "-f", "csv", "--store", "store")
    assert "opposes" in out
    assert "jsonld" in run("export", "--help")


def run_python(python: Path, code: str, cwd: Path) -> str:
    return subprocess.run([str(python), "-c", code], cwd=cwd, capture_output=True, text=True, check=True).stdout
