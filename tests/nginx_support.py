"""Debian's nginx on 127.0.0.1 with the configuration ``aanhetwoord nginx`` generates.

Shared by the publishing tests and the page-weight benchmark, so both serve the site the way
production would: the same headers, the same caching and the same compression.

* ``write_nginx_conf(work, site_conf)`` – a minimal ``nginx.conf`` around the generated server
  block that keeps every file nginx writes inside ``work`` (and, on request, an access log
  with the bytes sent per request);
* ``run_nginx(nginx, work, conf, port)`` – a context manager: starts nginx in the foreground,
  waits until it listens and stops it afterwards; raises :class:`NginxFailed` with the error
  log when it does not start.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)), None
)
MIME_TYPES = Path("/etc/nginx/mime.types")
# One line per request: what a visitor's connection carried, headers included and body alone.
WEIGHT_LOG_FORMAT = (
    "$request_uri\\t$status\\t$bytes_sent\\t$body_bytes_sent\\t$sent_http_content_type\\t"
    "$sent_http_content_encoding"
)


class NginxFailed(RuntimeError):
    """nginx stopped or did not listen; the message holds its output and error log."""


def write_nginx_conf(work: Path, site_conf: Path, access_log: Path | None = None) -> Path:
    """A minimal nginx.conf that keeps every file nginx writes inside ``work``."""
    types = (
        f"include {MIME_TYPES};"
        if MIME_TYPES.is_file()
        else "types { text/html html; text/css css; application/javascript js; application/json json; "
        "image/jpeg jpg; image/webp webp; image/png png; image/svg+xml svg; application/xml xml; }"
    )
    logging = (
        f"log_format weight '{WEIGHT_LOG_FORMAT}';\n    access_log {access_log} weight;"
        if access_log is not None
        else "access_log off;"
    )
    conf = work / "nginx.conf"
    conf.write_text(
        f"""\
worker_processes 1;
# One process as the current user: no user switch, so it reads the test's own folders.
master_process off;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    {types}
    default_type application/octet-stream;
    {logging}
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {site_conf};
}}
""",
        encoding="utf-8",
    )
    return conf


@contextmanager
def run_nginx(nginx: str, work: Path, conf: Path, port: int, timeout: float = 20) -> Iterator[str]:
    """Run nginx with ``conf`` until the block ends; yields ``http://127.0.0.1:<port>/``."""
    process = subprocess.Popen(
        [nginx, "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log = (work / "error.log").read_text() if (work / "error.log").exists() else ""
                output = process.stdout.read() if process.stdout else ""
                raise NginxFailed(f"nginx stopped: {output}\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise NginxFailed(f"nginx did not start listening within {timeout:.0f} s") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
