"""The staff pages in docs/beheer/ are Dutch and keep their facts: every setting and command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs" / "beheer"

INTAKE_SETTINGS = (
    "HOST", "PORT", "REPOSITORY", "DATA_DIR", "BASE", "AUTHOR_NAME", "AUTHOR_EMAIL", "SECRET",
    "MIN_SECONDS", "MAX_AGE_SECONDS", "RATE_LIMIT", "RATE_WINDOW_SECONDS", "TRUSTED_PROXIES",
    "PHOTO_MAX_MB", "MAX_REQUEST_MB", "BODY_MAX_CHARS", "PURGE_DAYS", "PUBLIC_URL", "ROOT_PATH",
    "CONTACT", "PHOTO_WORKERS", "LOG_LEVEL", "FORGE", "FORGE_URL", "FORGE_TOKEN", "FORGE_REPOSITORY",
    "FORGE_REMOTE", "FORGE_TARGET", "LOGIN_ATTEMPTS", "PUBLISH_COMMAND", "PUBLISH_TIMEOUT_SECONDS",
    "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM", "STAFF_EMAIL",
    "STAFF_DIGEST", "MAIL_RETRY_SECONDS",
)  # fmt: skip

COMMANDS = {
    "intake.md": (
        "aanhetwoord intake",
        "aanhetwoord intake list",
        "aanhetwoord intake list --email",
        "aanhetwoord intake check",
        "aanhetwoord intake purge",
        "aanhetwoord intake mail",
        "aanhetwoord withdraw <slug>",
        "git gc --prune=now",
        "sudo systemctl enable --now aanhetwoord-intake.service aanhetwoord-intake-purge.timer",
    ),
    "publiceren.md": (
        "aanhetwoord check",
        "mkdocs build --strict",
        "mkdocs gh-deploy --strict --no-history",
        "rsync -a --delete --delay-updates site/",
        "aanhetwoord nginx --output aanhetwoord.conf",
        "aanhetwoord withdraw SLUG",
        "aanhetwoord report",
        "sudo nginx -t && sudo systemctl reload nginx",
    ),
    "redactie.md": (
        "aanhetwoord intake add-user anna.jansen --role beheerder --email",
        "aanhetwoord intake mail",
        "git diff HEAD^1 >",
        "git reset --hard",
    ),
}


def test_every_intake_setting_is_in_the_table_of_the_staff_page():
    text = (DOCS / "intake.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `AANHETWOORD_INTAKE_([A-Z_]+)` \|", text, flags=re.MULTILINE))
    assert rows == set(INTAKE_SETTINGS)


@pytest.mark.parametrize("page", sorted(COMMANDS))
def test_the_staff_pages_are_dutch_and_name_their_commands(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    for command in COMMANDS[page]:
        assert command in text, command
    prose = [
        line
        for line in re.sub(r"```.*?```", "", text, flags=re.DOTALL).splitlines()
        if line and not line.startswith(("|", "#", "---", "search:", "  exclude"))
    ]
    words = re.findall(r"[a-z]+", " ".join(prose).lower())
    # Common English words that plain Dutch prose hardly uses, against common Dutch ones.
    english = sum(words.count(w) for w in ("the", "and", "when", "with", "which", "every"))
    dutch = sum(words.count(w) for w in ("de", "het", "en", "een", "je", "niet", "van"))
    assert dutch > 10 * english, (dutch, english)


def test_the_redactie_guide_names_the_mail_settings_and_the_other_pages_link_to_it():
    text = (DOCS / "redactie.md").read_text(encoding="utf-8")
    for name in (
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_USER",
        "SMTP_PASSWORD",
        "SMTP_STARTTLS",
        "MAIL_FROM",
        "STAFF_EMAIL",
    ):
        assert f"`AANHETWOORD_INTAKE_{name}`" in text, name
    assert "15 minuten" in text  # how long a locked account stays locked (throttle.WINDOW_SECONDS)
    for page in ("intake.md", "publiceren.md", "voorvertoning.md"):
        assert "](redactie.md)" in (DOCS / page).read_text(encoding="utf-8"), page
