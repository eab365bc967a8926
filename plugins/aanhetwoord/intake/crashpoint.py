"""Test-only: kill the service at a named step of a submission, as ``kill -9`` would.

The crash-safety tests start the real service with ``AANHETWOORD_INTAKE_TEST_CRASH_AT`` set to
one of :data:`STEPS`; when a submission reaches that step the process sends itself SIGKILL, so
nothing is cleaned up, flushed or rolled back. Without that variable (always, in production)
:func:`reached` does nothing but one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENVIRONMENT_VARIABLE = "AANHETWOORD_INTAKE_TEST_CRASH_AT"

# In the order a submission with a photo reaches them.
STEPS = (
    "upload-written",  # the raw upload (with its EXIF) is on disk, not yet checked
    "photo-cleaned",  # the clean copy is written, the raw upload not yet removed
    "pending-row",  # the register has a pending row, git has nothing yet
    "objects-written",  # the story and photo are blobs in the object store
    "index-written",  # the temporary index file exists
    "commit-written",  # the commit exists, the branch does not
    "branch-created",  # the branch exists, the register row is still pending
    "row-complete",  # the row is complete, the resident has no answer yet
)


def reached(step: str) -> None:
    if os.environ.get(ENVIRONMENT_VARIABLE) == step:
        os.kill(os.getpid(), signal.SIGKILL)
