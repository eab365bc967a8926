"""A fake forge for the intake tests: a real HTTP server on 127.0.0.1 that keeps pull and merge
requests as GitHub, GitLab and Forgejo/Gitea do (open, list, comment, close, merge), and records every
call, so a test can see what the service asked of it."""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlsplit


class FakeForge(http.server.ThreadingHTTPServer):
    """Open, list, comment on and close pull/merge requests; every call is recorded."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ForgeHandler)
        self.calls: list[dict] = []
        self.requests: dict[int, dict] = {}  # number → {"branch", "state", "notes"}
        self.refuse_merge = False  # answer a merge with 405, as a forge does for a conflict
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def open_request(self, branch: str) -> int:
        with self.lock:
            number = len(self.requests) + 1
            self.requests[number] = {"branch": branch, "state": "open", "notes": []}
            return number


class _ForgeHandler(http.server.BaseHTTPRequestHandler):
    server: FakeForge

    def _answer(self, status: int, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        forge = self.server
        with forge.lock:
            forge.calls.append(
                {
                    "method": self.command,
                    "path": url.path,
                    "query": query,
                    "body": body,
                    "headers": {key.lower(): value for key, value in self.headers.items()},
                }
            )
        path = re.sub(r"^/api/v1", "", url.path)
        gitlab = path.startswith("/projects/")
        if self.command == "POST" and re.fullmatch(r".*/(pulls|merge_requests)", path):
            number = forge.open_request(body["source_branch"] if gitlab else body["head"])
            answer = {"number": number, "iid": number, "html_url": f"{forge.url}/pr/{number}"}
            return self._answer(201, answer)
        if self.command == "GET" and re.fullmatch(r".*/(pulls|merge_requests)", path):
            with forge.lock:
                items = [
                    {"number": number, "iid": number, "head": {"ref": item["branch"]}}
                    for number, item in sorted(forge.requests.items())
                    if item["state"] == "open"
                    and (not gitlab or item["branch"] == query.get("source_branch"))
                    and ("head" not in query or f"gemeente:{item['branch']}" == query["head"])
                ]
            if "page" in query:  # Gitea: no filter by branch, pages of "limit"
                limit, page = int(query["limit"]), int(query["page"])
                items = items[(page - 1) * limit : page * limit]
            return self._answer(200, items)
        note = re.fullmatch(r".*/(?:issues|merge_requests)/(\d+)/(?:comments|notes)", path)
        if self.command == "POST" and note:
            with forge.lock:
                forge.requests[int(note.group(1))]["notes"].append(body["body"])
            return self._answer(201, {"id": 1})
        merge = re.fullmatch(r".*/(?:pulls|merge_requests)/(\d+)/merge", path)
        if self.command in ("POST", "PUT") and merge:
            with forge.lock:
                item = forge.requests.get(int(merge.group(1)))
                if item is None or item["state"] != "open" or forge.refuse_merge:
                    return self._answer(405, {"message": "Pull Request is not mergeable"})
                item["state"] = "merged"
            return self._answer(200, {"merged": True, "state": "merged"})
        change = re.fullmatch(r".*/(?:pulls|merge_requests)/(\d+)", path)
        if self.command in ("PATCH", "PUT") and change:
            if body in ({"state": "closed"}, {"state_event": "close"}):
                with forge.lock:
                    forge.requests[int(change.group(1))]["state"] = "closed"
                return self._answer(200, {})
        self._answer(404, {"message": "Not Found"})

    do_GET = do_POST = do_PATCH = do_PUT = _handle  # noqa: N815 - the stdlib's names

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def fake_forge() -> Iterator[FakeForge]:
    server = FakeForge()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def wait_for(condition: Callable[[], object], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.05)
