"""Photos: every story photo checked, stripped of metadata, resized and cached.

Residents send phone photos: large, rotated, HEIC, with the GPS position of their home in
the EXIF. Nothing of the original reaches the site: each photo is decoded, turned upright,
converted to sRGB and re-encoded at a few widths as WebP with a JPEG fallback. A crafted
file (a decompression bomb, a truncated file, something that is not a photo) becomes a
plain message naming the file.

Results are cached by the hash of the source bytes and the settings, so a rebuild with
unchanged photos decodes none.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from .settings import PhotoSettings
from .text import slugify
from .workers import run_all, worker_count

register_heif_opener()

# Bump when the output of the pipeline changes, so old cache entries are not reused.
PIPELINE_VERSION = 2
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
FONTS = Path(__file__).parent / "fonts"
_SRGB = ImageCms.createProfile("sRGB")

# A card takes a few milliseconds to draw; a worker process takes longer than that to start, so
# below this many cards per worker the cards are drawn in this process.
CARDS_PER_WORKER = 40
CARDS_PER_BATCH = 20


@functools.lru_cache(maxsize=16)
def fingerprint(settings: PhotoSettings) -> str:
    """What a processed photo depends on besides its bytes: the settings and this pipeline."""
    text = json.dumps([PIPELINE_VERSION, asdict(settings)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Variant:
    file: str
    width: int
    height: int
    format: str  # "webp" or "jpeg"


@dataclass(frozen=True)
class Photo:
    """A processed photo: its variants live in ``folder`` (a cache entry)."""

    folder: Path
    width: int  # of the largest variant
    height: int
    variants: tuple[Variant, ...]
    social: str  # 1200×630 JPEG for link previews

    def of_format(self, kind: str) -> list[Variant]:
        return [variant for variant in self.variants if variant.format == kind]

    def files(self) -> list[str]:
        return [variant.file for variant in self.variants] + [self.social]


class PhotoError(Exception):
    """A photo that cannot be published; the message says why in plain Dutch."""


@dataclass
class PhotoStats:
    decoded: int = 0
    cached: int = 0
    pruned: int = 0


@dataclass
class PhotoResults:
    photos: dict[Path, Photo] = field(default_factory=dict)
    errors: dict[Path, str] = field(default_factory=dict)
    stats: PhotoStats = field(default_factory=PhotoStats)


def open_photo(path: Path, settings: PhotoSettings) -> Image.Image:
    """Open a photo after the cheap checks: size on disk, format by content, pixel count."""
    size = path.stat().st_size
    if size > settings.max_bytes:
        megabyte = 1024 * 1024
        raise PhotoError(
            f"de foto is {size // megabyte} MB; het mag hoogstens {settings.max_bytes // megabyte} MB zijn"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path, formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(_too_many_pixels(settings)) from None
        except UnidentifiedImageError:
            raise PhotoError("dit is geen foto in een bekend formaat (JPEG, PNG, WebP of HEIC)") from None
    width, height = image.size
    if width * height > settings.max_pixels:
        image.close()
        raise PhotoError(_too_many_pixels(settings))
    return image


def _too_many_pixels(settings: PhotoSettings) -> str:
    return (
        f"de foto heeft te veel pixels; het mag hoogstens {settings.max_pixels // 1_000_000} megapixel zijn"
    )


def process(source: Path, target: Path, settings: PhotoSettings) -> Photo:
    """Decode ``source`` once and write every variant into the folder ``target``."""
    stem = slugify(source.stem, fallback="foto")
    try:
        image = open_photo(source, settings)
        with image:
            prepared = _prepare(image, max(settings.widths))
    except PhotoError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise PhotoError(f"de foto is beschadigd of niet compleet ({error})") from None

    target.mkdir(parents=True, exist_ok=True)
    variants: list[Variant] = []
    widths = [width for width in sorted(settings.widths, reverse=True) if width <= prepared.width]
    widths = widths or [prepared.width]  # a small photo is kept at its own size, never enlarged
    current = prepared
    biggest: Image.Image | None = None
    for width in widths:
        if current.width != width:
            # Each width from the one above it; Hamming is sharp for downscaling and fast.
            current = current.resize(
                (width, max(1, round(current.height * width / current.width))), Image.HAMMING
            )
        current.info = {}
        biggest = biggest or current
        webp = f"{stem}-{width}.webp"
        current.save(target / webp, "WEBP", quality=settings.webp_quality, method=1)
        variants.append(Variant(webp, current.width, current.height, "webp"))
        jpeg = f"{stem}-{width}.jpg"
        flatten(current).save(target / jpeg, "JPEG", quality=settings.jpeg_quality)
        variants.append(Variant(jpeg, current.width, current.height, "jpeg"))

    social = f"{stem}-social.jpg"
    # The link preview is cut from the largest variant: less to resample than the decoded photo.
    base = biggest if biggest is not None and biggest.width >= settings.social_size[0] else prepared
    ImageOps.fit(flatten(base), settings.social_size, Image.HAMMING).save(
        target / social, "JPEG", quality=settings.jpeg_quality
    )
    largest = variants[0]
    return Photo(
        target, largest.width, largest.height, tuple(sorted(variants, key=lambda v: v.width)), social
    )


def _prepare(image: Image.Image, largest_width: int) -> Image.Image:
    """Upright, sRGB, RGB(A), and decoded no larger than needed."""
    orientation = image.getexif().get(0x0112, 1)
    if image.format == "JPEG":
        # JPEG can decode at 1/2, 1/4 or 1/8 scale directly: much faster for phone photos.
        turned = orientation in (5, 6, 7, 8)
        image.draft("RGB", (1, largest_width) if turned else (largest_width, 1))
    image.load()
    upright = ImageOps.exif_transpose(image) if orientation != 1 else image
    profile = upright.info.get("icc_profile")
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    if profile:
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = upright.convert(mode) if upright.mode != mode else upright
            upright = (
                ImageCms.profileToProfile(converted, source_profile, _SRGB, outputMode=mode) or converted
            )
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: keep the pixels as they are rather than refuse the photo
    # No copy: the decoded pixels stay valid after the file is closed, and are never changed in place.
    result = upright.convert(mode) if upright.mode != mode else upright
    result.info = {}
    return result


def flatten(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: put transparent photos on white."""
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


CARD_GROUND = (0, 105, 92)
CARD_COMMUNITY = (255, 236, 179)
CARD_TITLE = (255, 255, 255)


@functools.lru_cache(maxsize=4)
def _card_parts(size: tuple[int, int]) -> tuple[Image.Image, ImageFont.FreeTypeFont, ImageFont.FreeTypeFont]:
    """The empty card and its fonts: made once per process, then only copied and used."""
    ground = Image.new("RGB", size, CARD_GROUND)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 64)
    regular = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 40)
    return ground, bold, regular


def social_card(title: str, community: str, target: Path, settings: PhotoSettings) -> None:
    """A link-preview image for a story without a photo: its title and community, drawn locally.

    The folder of ``target`` must exist."""
    ground, bold, regular = _card_parts(tuple(settings.social_size))
    card = ground.copy()
    draw = ImageDraw.Draw(card)
    draw.text((80, 80), community, font=regular, fill=CARD_COMMUNITY)
    y = 160
    for line in _wrap(title, bold, ground.width - 160, draw)[:4]:
        draw.text((80, y), line, font=bold, fill=CARD_TITLE)
        y += 80
    card.save(target, "JPEG", quality=settings.jpeg_quality)


def _draw_card(title: str, community: str, target: Path, settings: PhotoSettings) -> str | None:
    """Runs in a worker process: None when the card is drawn, else what went wrong."""
    try:
        social_card(title, community, target, settings)
    except Exception as error:  # noqa: BLE001 - one card must never stop the build
        return f"{type(error).__name__}: {error}"
    return None


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, draw: ImageDraw.ImageDraw) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


# The cache ---------------------------------------------------------------------------------


class PhotoCache:
    """Processed photos in ``root/<hash>/``, reused while the source bytes and settings stay the same."""

    def __init__(
        self, root: Path, settings: PhotoSettings, known: dict[tuple[str, int, int, int], str] | None = None
    ) -> None:
        self.root = root
        self.settings = settings
        # Keys of files already hashed in this process, by their size, time and inode.
        self.known = known

    def key(self, source: Path) -> str:
        if self.known is None:
            return self._digest(source)
        stat = source.stat()
        stamp = (str(source), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        key = self.known.get(stamp)
        if key is None:
            key = self.known[stamp] = self._digest(source)
        return key

    def _digest(self, source: Path) -> str:
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(fingerprint(self.settings).encode())
        return digest.hexdigest()[:32]

    def load(self, key: str) -> Photo | None:
        meta = self.root / key / "photo.json"
        if not meta.is_file():
            return None
        data = json.loads(meta.read_text())
        return Photo(
            folder=self.root / key,
            width=data["width"],
            height=data["height"],
            variants=tuple(Variant(**variant) for variant in data["variants"]),
            social=data["social"],
        )

    def store(self, key: str, photo: Photo, built: Path) -> Photo:
        """Move a freshly built entry into place; the metadata file is written last."""
        meta = {
            "width": photo.width,
            "height": photo.height,
            "variants": [asdict(variant) for variant in photo.variants],
            "social": photo.social,
        }
        (built / "photo.json").write_text(json.dumps(meta))
        final = self.root / key
        if final.exists():
            shutil.rmtree(built, ignore_errors=True)  # another build made it meanwhile
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            os.replace(built, final)
        return self.load(key) or photo

    def prune(self, keep: Iterable[str]) -> int:
        keep = set(keep)
        removed = 0
        if not self.root.is_dir():
            return 0
        for entry in self.root.iterdir():
            if entry.is_dir() and entry.name not in keep and not entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed


def _work(source: Path, scratch: Path, settings: PhotoSettings) -> Photo | str:
    """Runs in a worker process: returns the photo, or the message for a bad one."""
    try:
        return process(source, scratch, settings)
    except PhotoError as error:
        return str(error)
    except Exception as error:  # noqa: BLE001 - one hostile file must never stop the build
        return f"de foto kan niet worden verwerkt ({type(error).__name__})"


def process_all(
    sources: Iterable[Path],
    cache: PhotoCache,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    prune: bool = True,
) -> PhotoResults:
    """Process every photo not yet in the cache, in parallel on all cores.

    With ``prune`` (a whole site's photos), cache entries none of them uses are removed."""
    results = PhotoResults()
    keys: dict[Path, str] = {}
    todo: dict[str, Path] = {}  # one source per key: the same photo in two stories is made once
    for source in dict.fromkeys(sources):
        try:
            keys[source] = key = cache.key(source)
        except OSError as error:
            results.errors[source] = f"de foto kan niet worden gelezen ({error.strerror})"
            continue
        cached = cache.load(key)
        if cached is not None:
            results.photos[source] = cached
            results.stats.cached += 1
        else:
            todo.setdefault(key, source)

    if todo:
        cache.root.mkdir(parents=True, exist_ok=True)
        scratch_root = Path(tempfile.mkdtemp(prefix=".new-", dir=cache.root))
        jobs = list(todo.items())
        # Each photo takes long enough that a worker pays for itself from the second one.
        count = worker_count(len(jobs), 1, workers)
        arguments = [(source, scratch_root / key, cache.settings) for key, source in jobs]
        made: dict[str, Photo | str] = {}
        try:
            outcomes = run_all(_work, arguments, count)
            _collect(jobs, outcomes, scratch_root, cache, made, results.stats, progress)  # type: ignore[arg-type]
        finally:
            shutil.rmtree(scratch_root, ignore_errors=True)
        for source, key in keys.items():
            outcome = made.get(key)
            if isinstance(outcome, str):
                results.errors[source] = outcome
            elif outcome is not None:
                results.photos[source] = outcome

    if prune:
        results.stats.pruned = cache.prune(keys[source] for source in results.photos)
    return results


def _collect(
    jobs: list[tuple[str, Path]],
    outcomes: Iterable[Photo | str],
    scratch_root: Path,
    cache: PhotoCache,
    made: dict[str, Photo | str],
    stats: PhotoStats,
    progress: Callable[[int, int], None] | None,
) -> None:
    for done, ((key, _), outcome) in enumerate(zip(jobs, outcomes, strict=True), start=1):
        if isinstance(outcome, str):
            made[key] = outcome
        else:
            made[key] = cache.store(key, outcome, scratch_root / key)
            stats.decoded += 1
        if progress is not None:
            progress(done, len(jobs))


@dataclass
class SocialCards:
    files: dict[str, Path] = field(default_factory=dict)  # slug → card
    errors: dict[str, str] = field(default_factory=dict)  # slug → why its card could not be drawn
    # Cards still being drawn (``background=True``): in ``files`` already, on disk after ``finish``.
    pending: PendingCards | None = None

    def finish(self) -> dict[str, str]:
        """Wait for the cards still being drawn; slug → why its card could not be drawn (it is
        then a plain card without words, so no page points at a file that is not there)."""
        if self.pending is None:
            return {}
        failed = self.pending.finish()
        self.pending = None
        errors = {slug: failed[target] for slug, target in self.files.items() if target in failed}
        self.errors.update(errors)
        return errors


CardJob = tuple[str, str, Path, PhotoSettings]  # title, community, file it is drawn into, settings


@dataclass
class CardBatch:
    drawing: Future[list[str | None]]  # in a worker
    targets: list[Path]  # where each card goes once drawn
    jobs: list[CardJob]


class PendingCards:
    """Cards drawn in worker processes while the build goes on.

    The build keeps a core of its own, so the pages are not slowed down; when it is done, it
    draws the cards no worker has started yet itself (see :meth:`finish`)."""

    def __init__(self, pool: ProcessPoolExecutor, batches: list[CardBatch], settings: PhotoSettings) -> None:
        self.pool = pool
        self.batches = batches
        self.settings = settings

    def finish(self) -> dict[Path, str]:
        failed: dict[Path, str] = {}
        try:
            # Workers take batches from the front, this process from the back: they meet halfway.
            here: dict[int, list[str | None]] = {}
            for index in reversed(range(len(self.batches))):
                batch = self.batches[index]
                if not batch.drawing.cancel():
                    break  # started, and so are all before it
                here[index] = _draw_cards(batch.jobs)
            for index, batch in enumerate(self.batches):
                outcomes = here.get(index)
                if outcomes is None:
                    try:
                        outcomes = batch.drawing.result()
                    except Exception as error:  # noqa: BLE001 - a worker that died fails its batch
                        outcomes = [f"{type(error).__name__}: {error}"] * len(batch.jobs)
                for target, job, outcome in zip(batch.targets, batch.jobs, outcomes, strict=True):
                    if outcome is None:
                        os.replace(job[2], target)
                        continue
                    failed[target] = str(outcome)
                    Path(job[2]).unlink(missing_ok=True)
                    ground = _card_parts(tuple(self.settings.social_size))[0]
                    ground.save(target, "JPEG", quality=self.settings.jpeg_quality)
        finally:
            self.pool.shutdown(cancel_futures=True)
        return failed

    def cancel(self) -> None:
        """The build stopped: no more drawing, and nothing half made left behind."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        for batch in self.batches:
            for job in batch.jobs:
                Path(job[2]).unlink(missing_ok=True)


def _draw_cards(jobs: list[CardJob]) -> list[str | None]:
    """A batch of cards (in a worker process, or here): each None when drawn, else what went wrong."""
    return [_draw_card(*job) for job in jobs]


def social_cards(
    stories: Iterable[tuple[str, str, str]],
    root: Path,
    settings: PhotoSettings,
    workers: int | None = None,
    background: bool = False,
) -> SocialCards:
    """Link-preview cards for stories without a photo, as (slug, title, community) → file.

    Cards are cached by their text, and cards no story uses any more are removed. Missing
    cards are drawn in a pool of ``workers`` processes when there are enough of them; with
    ``background``, a pool one process smaller draws them while the build goes on, and
    ``finish`` draws what it has not started and waits for the rest.
    """
    settings_key = fingerprint(settings)
    wanted: dict[str, Path] = {}
    todo: dict[Path, tuple[str, str]] = {}  # one drawing for stories with the same card
    for slug, title, community in stories:
        key = hashlib.sha256(json.dumps([title, community, settings_key]).encode()).hexdigest()[:32]
        target = wanted[slug] = root / f"{key}.jpg"
        if target not in todo and not target.exists():
            todo[target] = (title, community)
    jobs = {
        target: (title, community, root / f".{target.name[:-4]}.tmp.jpg", settings)
        for target, (title, community) in todo.items()
    }
    if jobs:
        root.mkdir(parents=True, exist_ok=True)
    count = worker_count(len(jobs), CARDS_PER_WORKER, workers)
    if background and count > 1:
        # The first card is drawn here: when it cannot be drawn, most likely none can (the
        # settings), and that is told before any page points at a card.
        first = next(iter(jobs))
        if _draw_card(*jobs[first]) is None:
            os.replace(jobs.pop(first)[2], first)
            # One core stays with the build: with its pages slowed down, the build would take longer.
            pool = ProcessPoolExecutor(max_workers=count - 1)
            # In batches: sent one by one, a card would cost nearly as much to hand over as to draw;
            # small ones, so the build and the workers finish close together.
            items = list(jobs.items())
            size = max(1, min(CARDS_PER_BATCH, len(items) // (count * 8)))
            batches = [
                CardBatch(
                    pool.submit(_draw_cards, [job for _, job in items[start : start + size]]),
                    [target for target, _ in items[start : start + size]],
                    [job for _, job in items[start : start + size]],
                )
                for start in range(0, len(items), size)
            ]
            _remove_unused(root, {*wanted.values(), *(job[2] for job in jobs.values())})
            return SocialCards(dict(wanted), pending=PendingCards(pool, batches, settings))
        Path(jobs[first][2]).unlink(missing_ok=True)
    failed: dict[Path, str] = {}
    outcomes = run_all(_draw_card, list(jobs.values()), count)
    for (target, job), outcome in zip(jobs.items(), outcomes, strict=True):
        if outcome is None:
            os.replace(job[2], target)
        else:
            failed[target] = str(outcome)
            Path(job[2]).unlink(missing_ok=True)
    cards = SocialCards()
    for slug, target in wanted.items():
        if target in failed:
            cards.errors[slug] = failed[target]
        else:
            cards.files[slug] = target
    _remove_unused(root, set(cards.files.values()))
    return cards


def _remove_unused(root: Path, used: set[Path]) -> None:
    """Cards no story uses any more go (and scratch files a stopped build left behind)."""
    if root.is_dir():
        for entry in root.glob("*.jpg"):
            if entry not in used:
                entry.unlink(missing_ok=True)
