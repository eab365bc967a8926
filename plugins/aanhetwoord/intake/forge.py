"""Optional: push a new branch and open a pull request (GitHub, Forgejo/Gitea) or merge request (GitLab).

When the resident withdraws before a merge, the branch is pushed again (it now carries the
withdrawal) and its open request is closed with a note (:func:`close`).

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


def _headers(settings: ForgeSettings) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": USER_AGENT}
    if settings.kind == "gitlab":
        headers["PRIVATE-TOKEN"] = settings.token
    elif settings.kind == "github":
        headers["Authorization"] = f"Bearer {settings.token}"
        headers["Accept"] = "application/vnd.github+json"
        headers["X-GitHub-Api-Version"] = "2022-11-28"
    else:  # Forgejo and Gitea share one API
        headers["Authorization"] = f"token {settings.token}"
    return headers


def _project(settings: ForgeSettings) -> str:
    """The API address of the repository: ``…/projects/<id>`` or ``…/repos/<owner>/<name>``."""
    if settings.kind == "gitlab":
        return f"{settings.api_url}/projects/{quote(settings.repository, safe='')}"
    owner_name = "/".join(quote(part, safe="") for part in settings.repository.split("/", 1))
    return f"{settings.api_url}/repos/{owner_name}"


def _request(
    settings: ForgeSettings, method: str, url: str, body: dict[str, Any] | None = None
) -> urllib.request.Request:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    return urllib.request.Request(url, data=data, headers=_headers(settings), method=method)


def pull_request(settings: ForgeSettings, change: Change) -> urllib.request.Request:
    """The HTTP request that opens a pull/merge request for ``change.branch``."""
    body: dict[str, Any]
    if settings.kind == "gitlab":
        body = {
            "source_branch": change.branch,
            "target_branch": settings.target,
            "title": change.title,
            "description": change.description,
            "remove_source_branch": True,
        }
        return _request(settings, "POST", f"{_project(settings)}/merge_requests", body)
    body = {"title": change.title, "head": change.branch, "base": settings.target, "body": change.description}
    if settings.kind == "github":
        body["maintainer_can_modify"] = False
    return _request(settings, "POST", f"{_project(settings)}/pulls", body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def call(request: urllib.request.Request, timeout: float = 30) -> Any:
    """Send the request; returns the JSON answer."""
    try:
        with _opener.open(request, timeout=timeout) as response:
            return json.loads(response.read(4 * 1024 * 1024) or b"{}")
    except urllib.error.HTTPError as error:
        detail = error.read(2000).decode("utf-8", "replace")
        raise ForgeError(f"{request.full_url} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ForgeError(f"{request.full_url}: {error}") from None


def send(request: urllib.request.Request, timeout: float = 30) -> str:
    """Send the request; returns the web address of the new pull/merge request."""
    data = call(request, timeout)
    if not isinstance(data, dict):
        return ""
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


# Closing a request when the resident withdraws ------------------------------------------------

GITEA_PAGES = 20  # 50 open requests a page: a thousand waiting submissions is far beyond normal


def find_open(settings: ForgeSettings, branch: str) -> list[int]:
    """The numbers (GitLab: iids) of the open pull/merge requests from ``branch``."""
    project = _project(settings)
    if settings.kind == "gitlab":
        url = f"{project}/merge_requests?state=opened&source_branch={quote(branch, safe='')}"
        return [int(item["iid"]) for item in _list(call(_request(settings, "GET", url)))]
    if settings.kind == "github":
        owner = settings.repository.split("/", 1)[0]
        url = f"{project}/pulls?state=open&head={quote(f'{owner}:{branch}', safe='')}"
        return [int(item["number"]) for item in _list(call(_request(settings, "GET", url)))]
    # Forgejo and Gitea cannot filter by branch: read the open requests page by page.
    found: list[int] = []
    for page in range(1, GITEA_PAGES + 1):
        items = _list(call(_request(settings, "GET", f"{project}/pulls?state=open&limit=50&page={page}")))
        found += [
            int(item["number"])
            for item in items
            if isinstance(item.get("head"), dict) and item["head"].get("ref") == branch
        ]
        if len(items) < 50:
            break
    return found


def close_requests(settings: ForgeSettings, number: int, note: str) -> list[urllib.request.Request]:
    """The two calls that put ``note`` on request ``number`` and then close it."""
    project = _project(settings)
    if settings.kind == "gitlab":
        return [
            _request(settings, "POST", f"{project}/merge_requests/{number}/notes", {"body": note}),
            _request(settings, "PUT", f"{project}/merge_requests/{number}", {"state_event": "close"}),
        ]
    return [
        _request(settings, "POST", f"{project}/issues/{number}/comments", {"body": note}),
        _request(settings, "PATCH", f"{project}/pulls/{number}", {"state": "closed"}),
    ]


def close(settings: ForgeSettings, store: GitStore, branch: str, note: str) -> int:
    """Push the branch with its withdrawal commit and close its open requests with ``note``.

    Returns how many were closed; a failure is logged for staff, never raised."""
    try:
        store.push(settings.remote, branch)
    except GitError as error:
        # Still close the request: a closed request is not merged by a click.
        log.error("could not push the withdrawal on %s to %s: %s", branch, settings.remote, error)
    try:
        closed = decline(settings, branch, note)
    except ForgeError as error:
        log.error("could not close the request for %s on %s: %s", branch, settings.kind, error)
        return 0
    if closed == 0:
        log.warning("no open request for %s on %s to close", branch, settings.kind)
    else:
        log.info("closed %d request(s) for %s", closed, branch)
    return closed


def _list(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise ForgeError("the answer is not a list")
    return [item for item in data if isinstance(item, dict)]


# Merging or closing a request when staff decide -----------------------------------------------


def merge_request(settings: ForgeSettings, number: int, title: str) -> urllib.request.Request:
    """The call that merges request ``number`` with a merge commit titled ``title``."""
    project = _project(settings)
    if settings.kind == "gitlab":
        url = f"{project}/merge_requests/{number}/merge"
        return _request(settings, "PUT", url, {"merge_commit_message": title})
    if settings.kind == "github":
        body = {"commit_title": title, "merge_method": "merge"}
        return _request(settings, "PUT", f"{project}/pulls/{number}/merge", body)
    return _request(
        settings, "POST", f"{project}/pulls/{number}/merge", {"Do": "merge", "MergeTitleField": title}
    )


def open_request(settings: ForgeSettings, change: Change) -> int:
    """Open a request for ``change.branch`` and return its number (GitLab: iid)."""
    data = call(pull_request(settings, change))
    if not isinstance(data, dict):
        raise ForgeError("the answer is not an object")
    return int(data["iid"] if settings.kind == "gitlab" else data["number"])


def merge(settings: ForgeSettings, store: GitStore, change: Change, title: str) -> int:
    """Push the branch as it is now (with staff's edits) and merge its open request; opens one
    first when there is none (opening it failed when the resident sent the story).

    Returns the number of the merged request; raises :class:`ForgeError` or :class:`GitError`."""
    store.push(settings.remote, change.branch)
    try:
        numbers = find_open(settings, change.branch)
        number = numbers[0] if numbers else open_request(settings, change)
        call(merge_request(settings, number, title))
    except (KeyError, TypeError, ValueError) as error:
        raise ForgeError(f"unexpected answer from {settings.kind}: {error}") from None
    log.info("merged request %d for %s on %s", number, change.branch, settings.kind)
    return number


def decline(settings: ForgeSettings, branch: str, note: str) -> int:
    """Close the open requests from ``branch`` with ``note``; returns how many. Raises ForgeError."""
    closed = 0
    try:
        for number in find_open(settings, branch):
            for request in close_requests(settings, number, note):
                call(request)
            closed += 1
    except (KeyError, TypeError, ValueError) as error:
        raise ForgeError(f"unexpected answer from {settings.kind}: {error}") from None
    return closed
