"""Optional: push a new branch and open a pull request (GitHub, Forgejo/Gitea) or merge request (GitLab).

Off unless ``AANHETWOORD_INTAKE_FORGE`` is set. Uses only the standard library. The request
carries the submission id and the title, nothing about the resident: the consent stays in the
private register. Redirects are not followed, so the token is only ever sent to the configured
address. A failure is logged for staff and never shown to the resident: the branch is already
safe in the local repository and can be pushed by hand.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .gitstore import GitError, GitStore
from .settings import ForgeSettings

log = logging.getLogger("aanhetwoord.intake")
USER_AGENT = "aanhetwoord-intake"


@dataclass(frozen=True)
class Change:
    branch: str
    title: str
    description: str


class ForgeError(Exception):
    pass


def pull_request(settings: ForgeSettings, change: Change) -> urllib.request.Request:
    """The HTTP request that opens a pull/merge request for ``change.branch``."""
    headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": USER_AGENT}
    body: dict[str, Any]
    if settings.kind == "gitlab":
        url = f"{settings.api_url}/projects/{quote(settings.repository, safe='')}/merge_requests"
        headers["PRIVATE-TOKEN"] = settings.token
        body = {
            "source_branch": change.branch,
            "target_branch": settings.target,
            "title": change.title,
            "description": change.description,
            "remove_source_branch": True,
        }
    else:
        owner_name = "/".join(quote(part, safe="") for part in settings.repository.split("/", 1))
        url = f"{settings.api_url}/repos/{owner_name}/pulls"
        body = {
            "title": change.title,
            "head": change.branch,
            "base": settings.target,
            "body": change.description,
        }
        if settings.kind == "github":
            headers["Authorization"] = f"Bearer {settings.token}"
            headers["Accept"] = "application/vnd.github+json"
            headers["X-GitHub-Api-Version"] = "2022-11-28"
            body["maintainer_can_modify"] = False
        else:  # Forgejo and Gitea share one API
            headers["Authorization"] = f"token {settings.token}"
    return urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send(request: urllib.request.Request, timeout: float = 30) -> str:
    """Send the request; returns the web address of the new pull/merge request."""
    try:
        with _opener.open(request, timeout=timeout) as response:
            data = json.loads(response.read(1024 * 1024) or b"{}")
    except urllib.error.HTTPError as error:
        detail = error.read(2000).decode("utf-8", "replace")
        raise ForgeError(f"{request.full_url} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ForgeError(f"{request.full_url}: {error}") from None
    return str(data.get("html_url") or data.get("web_url") or "")


def publish(settings: ForgeSettings, store: GitStore, change: Change) -> str | None:
    """Push the branch and open the request; logs and returns None when either fails."""
    try:
        store.push(settings.remote, change.branch)
        address = send(pull_request(settings, change))
    except (GitError, ForgeError) as error:
        log.error("could not publish %s to %s: %s", change.branch, settings.kind, error)
        return None
    log.info("opened %s for %s", address or "a request", change.branch)
    return address
