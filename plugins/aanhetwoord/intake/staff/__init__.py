"""The staff area ("redactie") of the intake service: accounts, login, sessions and the inbox.

Staff review what residents send in the same process as the public form, under ``/redactie/``,
with sessions of their own that no page of the public form can open.

* :mod:`accounts` — staff accounts, passwords hashed with argon2id, in ``staff.sqlite3`` in the
  private data folder (never in the repository);
* :mod:`audit` — who did what and when, for beheerders to read;
* :mod:`sessions` — server-side sessions behind a signed cookie, each with its CSRF token;
* :mod:`throttle` — failed logins slowed, then blocked, per account and per address;
* :mod:`guard` — :func:`staff_only`, the one way a staff page is protected;
* :mod:`area` — the pages: login, logout, the inbox, accounts and the audit log;
* :mod:`wording` — what staff read, in plain Dutch.
"""

from .accounts import Role, StaffMember
from .guard import staff_only

__all__ = ["Role", "StaffMember", "staff_only"]
