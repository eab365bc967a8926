"""Photo pipeline benchmark (not a test): cold CPU time per 12 MP JPEG, and a warm rebuild of 100.

    python tests/benchmarks/photo_speed.py [--photos 100] [--cold 8]

Targets: cold ≤ 150 ms CPU per 12 MP JPEG for all its variants; a warm rebuild of a site with
100 photos decodes none and spends < 1 s on photos.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from aanhetwoord.photos import PhotoCache, PhotoSettings, process, process_all  # noqa: E402


def phone_photo(path: Path, seed: int) -> Path:
    """A 4000×3000 JPEG with shapes and grain, so it compresses like a photo, not a flat colour."""
    rng = random.Random(seed)
    small = Image.new("RGB", (400, 300), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(small)
    for _ in range(60):
        x, y = rng.randrange(400), rng.randrange(300)
        draw.ellipse(
            (x, y, x + rng.randrange(10, 120), y + rng.randrange(10, 90)),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    image = small.resize((4000, 3000), Image.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise((4000, 3000), 24).convert("RGB")
    Image.blend(image, grain, 0.12).save(path, "JPEG", quality=90)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100, help="photos in the warm rebuild")
    parser.add_argument("--cold", type=int, default=8, help="photos timed one by one, cold")
    args = parser.parse_args()
    settings = PhotoSettings()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        sources = [phone_photo(root / f"foto-{n}.jpg", n) for n in range(max(args.photos, args.cold))]
        megapixels = Image.open(sources[0]).size
        print(f"source: {megapixels[0]}×{megapixels[1]} JPEG, {sources[0].stat().st_size // 1024} KB")

        cpu = []
        for number, source in enumerate(sources[: args.cold]):
            start = time.process_time()
            process(source, root / "cold" / str(number), settings)
            cpu.append(time.process_time() - start)
        mean = sum(cpu) / len(cpu)
        median = sorted(cpu)[len(cpu) // 2]
        print(
            f"cold: {mean * 1000:.0f} ms CPU per photo for all variants (median {median * 1000:.0f}, "
            f"min {min(cpu) * 1000:.0f}, max {max(cpu) * 1000:.0f}; target ≤ 150 ms)"
        )

        cache = PhotoCache(root / "cache", settings)
        start = time.perf_counter()
        first = process_all(sources[: args.photos], cache)
        print(
            f"first build of {args.photos} photos on all cores: {time.perf_counter() - start:.2f} s "
            f"({first.stats.decoded} decoded)"
        )
        start = time.perf_counter()
        warm = process_all(sources[: args.photos], cache)
        elapsed = time.perf_counter() - start
        print(
            f"warm rebuild of {args.photos} photos: {elapsed:.3f} s, {warm.stats.decoded} decoded "
            f"(target: 0 decoded, < 1 s)"
        )


if __name__ == "__main__":
    main()
