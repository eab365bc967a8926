"""Accept benchmark (not a test): how long staff wait when they accept a submission.

    python tests/benchmarks/accept_speed.py [--stories 1000] [--accepts 5]

Makes a real git repository whose base branch holds ``--stories`` stories (one commit), sends
``--accepts`` submissions through the intake's own code, and times ``ReviewDesk.accept`` for
each: reading and validating the story on its branch, ``merge-tree``, ``commit-tree``,
``update-ref``, the register, and bringing the clean checkout of the base branch up to date.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parents[1] / "plugins"))

from intakekit import git, make_repo  # noqa: E402
from sitefactory import story_text  # noqa: E402
from test_review import ANNA, desk_for, submit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000, help="stories on the base branch")
    parser.add_argument("--accepts", type=int, default=5, help="submissions accepted, one after another")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        repo = root / "repo"
        site = make_repo(repo)
        for number in range(args.stories):
            site.write_story(
                f"verhaal-{number:05d}", story_text(f"Verhaal nummer {number}.", title=f"Verhaal {number}")
            )
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"{args.stories} verhalen")
        desk = desk_for(repo, root / "data")
        references = [submit(desk, title=f"Nieuw verhaal {number}") for number in range(args.accepts)]
        times = []
        for reference in references:
            start = time.perf_counter()
            accepted = desk.accept(reference, ANNA)
            times.append(time.perf_counter() - start)
            assert accepted.commit is not None
        count = int(git(repo, "ls-tree", "-d", "--name-only", "main:stories").count("\n"))
        print(f"base branch: {count} story folders (and _registers) after the accepts")
        print(
            f"accept: median {statistics.median(times) * 1000:.0f} ms, "
            f"slowest {max(times) * 1000:.0f} ms over {len(times)} accepts"
        )


if __name__ == "__main__":
    main()
