"""Helpers for tests of the staff area ("redactie"): accounts made with the real command, and an
HTTP client that keeps cookies like a browser, against the real service from ``intakekit``.

* ``add_user(repo, data, name, password, role=…, email=…)`` — runs ``aanhetwoord intake add-user``
  with the password on standard input, as a script would; returns the finished process.
* ``StaffClient(service, address)`` — GET and POST (form-encoded) with a cookie jar, never
  following redirects, sending ``address`` as X-Forwarded-For (the test service trusts
  127.0.0.1 as its proxy), so each test can count failed logins against an address of its own.
  ``login(name, password)`` fills in the real login form, CSRF token included.
"""

from __future__ import annotations

import http.client
import re
import subprocess
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from intakekit import PREFIX, SECRET, Service
from sitefactory import CLI, quiet_env

SESSION_COOKIE = "redactie_sessie"
LOGIN_COOKIE = "redactie_inlog"
PASSWORD = "lang-genoeg-wachtwoord-1"


def add_user(
    repo: Path, data: Path, name: str, password: str, *, role: str | None = None, email: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = quiet_env()
    env.update({f"{PREFIX}DATA_DIR": str(data), f"{PREFIX}SECRET": SECRET})
    extra = [*(["--role", role] if role else []), *(["--email", email] if email else [])]
    return subprocess.run(
        [*CLI, "-f", str(repo / "mkdocs.yml"), "intake", "add-user", name, *extra],
        input=password + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=repo,
        timeout=120,
        check=False,
    )


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    text: str
    body: bytes = b""  # as received (a photo is no text)

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key.lower() == name.lower()), "")

    def cookies(self) -> dict[str, str]:
        """Each Set-Cookie header by cookie name, as sent."""
        found = {}
        for key, value in self.headers:
            if key.lower() == "set-cookie":
                found[value.split("=", 1)[0].strip()] = value
        return found

    @property
    def location(self) -> str:
        return self.header("location")

    def hidden(self, name: str) -> str:
        match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', self.text)
        return unescape(match.group(1)) if match else ""


@dataclass
class StaffClient:
    service: Service
    address: str = "198.51.100.10"
    jar: dict[str, str] = field(default_factory=dict)
    extra_headers: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return urljoin(self.service.base, path.lstrip("/"))

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        parts = urlsplit(self.url(path))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {"X-Forwarded-For": self.address, **self.extra_headers, **(headers or {})}
        if self.jar:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.jar.items())
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        try:
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            body = response.read()
            answer = Answer(response.status, response.getheaders(), body.decode("utf-8", "replace"), body)
        finally:
            connection.close()
        for name, cookie in answer.cookies().items():
            value = cookie.split(";", 1)[0].split("=", 1)[1]
            if value and "max-age=0" not in cookie.lower():
                self.jar[name] = value
            else:
                self.jar.pop(name, None)
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]] | dict[str, str]) -> Answer:
        body = urlencode(list(fields.items()) if isinstance(fields, dict) else fields).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self, name: str, password: str = PASSWORD, next_path: str = "") -> Answer:
        """Log in afresh: a session cookie from before is dropped first, as by a new browser."""
        self.jar.pop(SESSION_COOKIE, None)
        page = self.get("redactie/inloggen" + (f"?volgende={next_path}" if next_path else ""))
        assert page.status == 200, page.text
        return self.post(
            "redactie/inloggen",
            {
                "csrf": page.hidden("csrf"),
                "volgende": page.hidden("volgende"),
                "username": name,
                "password": password,
            },
        )

    def csrf(self, path: str = "redactie/") -> str:
        """The CSRF token on a staff page (the logout form is on every one)."""
        return self.get(path).hidden("csrf")
