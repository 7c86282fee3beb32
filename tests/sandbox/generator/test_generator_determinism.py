"""Worlds are reproducible: a seed (and date) fixes every byte."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.generator import DEFAULT_AS_OF, generate
from sandbox.world import read_manifest

pytestmark = pytest.mark.slow  # worlds generated several times over


def _digests(world: Path) -> dict[str, str]:
    return {str(p.relative_to(world)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(world.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", customers=400, seed=9)
    generate(tmp_path / "b", customers=400, seed=9)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_different_seed_gives_different_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", customers=400, seed=9)
    generate(tmp_path / "b", customers=400, seed=10)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first if not name.startswith("zuora/Product"))


def test_default_date_is_fixed_and_recorded(tmp_path: Path) -> None:
    manifest = generate(tmp_path, customers=50, seed=1)
    assert manifest.as_of == DEFAULT_AS_OF.isoformat() == read_manifest(tmp_path).as_of
    assert read_manifest(tmp_path).seed == 1


def test_files_do_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    script = "import sys; from pathlib import Path; from sandbox.generator import generate; " \
             "generate(Path(sys.argv[1]), customers=150, seed=4)"
    for name, hash_seed in (("a", "1"), ("b", "2")):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": hash_seed})
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
