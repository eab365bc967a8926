"""Intake benchmark (not a test): submissions per second, each with a 12-megapixel phone photo.

    python tests/benchmarks/intake_speed.py [--submissions 24] [--clients 1 4]

Starts the real service (``aanhetwoord intake`` in a subprocess, on 127.0.0.1) against a real
git repository, and posts complete stories with a 4000×3000 JPEG, one client after another and
then several at once. Every post must end on its own branch. Each submission decodes, turns and
re-encodes the photo without metadata, validates the story, and commits a branch.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "plugins"))

from photo_speed import phone_photo  # noqa: E402

from intakekit import branches, make_repo, running_service, story_fields  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=24, help="posts per run")
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[1, 4], help="clients at once, one run each"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        photo = phone_photo(root / "foto.jpg", 1).read_bytes()
        print(f"photo: 4000×3000 JPEG, {len(photo) // 1024} KB")
        repo = root / "repo"
        make_repo(repo)
        with running_service(repo, root / "data", rate_limit=1_000_000, min_seconds=0) as service:

            def send(number: int) -> float:
                start = time.perf_counter()
                reply = service.submit(
                    story_fields(
                        service.token(),
                        title=f"Verhaal {number}",
                        photo_alt="Gekleurde vormen",
                        photo_consent="ja",
                    ),
                    [("photo", "IMG_0001.JPG", photo, "image/jpeg")],
                    address=f"10.1.{number // 250}.{number % 250}",
                )
                if reply.status != 200:
                    raise SystemExit(f"post {number} answered {reply.status}:\n{reply.text[:2000]}")
                return time.perf_counter() - start

            send(-1)  # warm up: imports, registers, first git calls
            done = 1
            for clients in args.clients:
                start = time.perf_counter()
                with ThreadPoolExecutor(max_workers=clients) as pool:
                    latencies = sorted(pool.map(send, range(done, done + args.submissions)))
                elapsed = time.perf_counter() - start
                done += args.submissions
                median = latencies[len(latencies) // 2]
                print(
                    f"{clients} client{'s' if clients > 1 else ''} at once: {args.submissions / elapsed:.2f} "
                    f"submissions/s ({args.submissions} in {elapsed:.1f} s; per submission median "
                    f"{median * 1000:.0f} ms, slowest {latencies[-1] * 1000:.0f} ms)"
                )
            made = len(branches(repo, "inzending/"))
            assert made == done, (made, done)
            print(f"{made} branches made, one per submission")


if __name__ == "__main__":
    main()
