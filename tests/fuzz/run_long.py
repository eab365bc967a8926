"""A long fuzzing run of the property tests: many new generated stories per property.

    .venv/bin/python tests/fuzz/run_long.py              # 5,000 examples per property
    .venv/bin/python tests/fuzz/run_long.py --examples 20000 -x

Extra arguments go to pytest. Failing examples are kept in ``.hypothesis/`` and tried first
on the next run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per property (default 5000)")
    args, pytest_args = parser.parse_known_args()
    env = {**os.environ, "AANHETWOORD_FUZZ_EXAMPLES": str(args.examples), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "pytest", "tests/test_front_matter_properties.py", "-q", *pytest_args]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
