"""A resident's photo between tries of the form, and the tidying of the data folder.

A post refused for one field should not make the resident choose the photo again: the checked
and cleaned photo is kept in ``attempts/<id>/foto.jpg`` and the form sends the id back in
``photo_kept``. A submission that is accepted removes it; what nobody comes back for is removed
by :func:`clean_data_folder`.
"""

from __future__ import annotations

import re
import secrets
import shutil
import threading
import time
from dataclasses import replace

from PIL import Image

from ..photos import PhotoError
from ..settings import PhotoSettings
from . import crashpoint, wording
from .abuse import AbuseStore
from .form import Errors
from .photo import FILE_NAME, PreparedPhoto, prepare
from .settings import IntakeSettings
from .sitedata import SiteData
from .upload import Post

KEPT_ID = re.compile(r"^[0-9a-f]{32}$")
FORBIDDEN_IN_FILENAME = re.compile(r"[/\\\x00-\x1f\x7f]|\.\.")

# An attempt's id and its photo.
Kept = tuple[str, PreparedPhoto]


class Attempts:
    """The kept photos in the data folder's ``attempts`` folder."""

    def __init__(self, settings: IntakeSettings, site: SiteData) -> None:
        self.settings = settings
        self.site = site
        self.photo_slots = threading.BoundedSemaphore(settings.photo_workers)

    def photo(self, post: Post, errors: Errors) -> Kept | None:
        """The photo for this attempt: a new upload (checked and cleaned), or the one kept before."""
        if post.photo_filename and FORBIDDEN_IN_FILENAME.search(post.photo_filename):
            # Browsers send only a file's own name; a path here was written by hand.
            errors.add("photo", wording.BAD_FILE_NAME)
            post.discard()
            return None
        if post.photo_too_large:
            errors.add("photo", wording.photo_too_large(self.settings.photo_max_bytes // (1024 * 1024)))
            return None
        if post.photo_path is not None and post.photo_size > 0:
            attempt = secrets.token_hex(16)
            folder = self.settings.attempts_dir / attempt
            folder.mkdir(mode=0o700)
            site = self.site.current()
            try:
                with self.photo_slots:
                    photo = prepare(
                        post.photo_path, folder / FILE_NAME, self._photo_settings(site.settings.photos)
                    )
                crashpoint.reached("photo-cleaned")
            except PhotoError as error:
                shutil.rmtree(folder, ignore_errors=True)
                errors.add("photo", wording.photo_refused(str(error)))
                return None
            finally:
                post.discard()
            self.forget(self.kept(post))
            return attempt, photo
        if post.value("photo_remove"):
            self.forget(self.kept(post))
            return None
        return self.kept(post)

    def kept(self, post: Post) -> Kept | None:
        """The photo kept from an earlier try that the post names, if it is still there."""
        attempt = post.value("photo_kept").strip()
        if not KEPT_ID.match(attempt):
            return None
        path = self.settings.attempts_dir / attempt / FILE_NAME
        try:
            with Image.open(path) as image:
                width, height = image.size
        except OSError:
            return None
        return attempt, PreparedPhoto(path, width, height)

    def forget(self, kept: Kept | None) -> None:
        if kept is not None:
            shutil.rmtree(self.settings.attempts_dir / kept[0], ignore_errors=True)

    def _photo_settings(self, site_photos: PhotoSettings) -> PhotoSettings:
        return replace(site_photos, max_bytes=min(site_photos.max_bytes, self.settings.photo_max_bytes))


def clean_data_folder(settings: IntakeSettings, abuse: AbuseStore, now: float | None = None) -> None:
    """Forget kept photos, stray uploads and used tokens once nobody can use them any more."""
    now = now if now is not None else time.time()
    expired = now - settings.max_age_seconds - 3600
    for folder in (settings.attempts_dir, settings.uploads_dir, settings.work_dir):
        for entry in folder.iterdir():
            try:
                if entry.stat().st_mtime < expired:
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            except OSError:
                continue
    abuse.forget(expired)
