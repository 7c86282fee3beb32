"""Running a script in a fresh Python interpreter, to see what it imports or keeps apart from the test's process."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def printed_literal(script: str, *args: str) -> Any:
    """The Python literal `script` prints last, run with `args` in a fresh interpreter from the repository's root."""
    run = subprocess.run([sys.executable, "-c", script, *args], cwd=REPO, capture_output=True, text=True, check=True)
    return ast.literal_eval(run.stdout.strip().splitlines()[-1])
