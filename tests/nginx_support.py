"""Debian's nginx on 127.0.0.1 with the configuration ``aanhetwoord nginx`` generates.

Shared by the tests of the nginx configuration and the page-weight benchmark, so both serve the
site the way production would: the same headers, the same caching and the same compression.

* ``write_nginx_conf(work, site_conf)`` – a minimal ``nginx.conf`` around the generated server
  block that keeps every file nginx writes inside ``work`` (and, on request, an access log
  with the bytes sent per request);
* ``run_nginx(nginx, work, configure)`` – a context manager: writes the configuration for a port
  (``configure(port)`` returns the ``nginx.conf``), starts nginx in the foreground, waits until
  it listens and stops it afterwards. nginx cannot listen on port 0 and say which port it got,
  so it gets a port that is free at that moment; when another program takes it first, nginx is
  started again on another. Raises :class:`NginxFailed` with the error log when it does not start.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sitefactory import ADDRESS_IN_USE, stop_process, unused_port

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
def run_nginx(nginx: str, work: Path, configure: Callable[[int], Path], timeout: float = 20) -> Iterator[str]:
    """Run nginx with ``configure(port)`` until the block ends; yields ``http://127.0.0.1:<port>/``."""
    for _attempt in range(5):
        port = unused_port()
        process = _start(nginx, work, configure(port), port, timeout)
        if process is not None:
            break
    else:
        raise NginxFailed("nginx found no free port in five tries")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_process(process, 10)


def _start(nginx: str, work: Path, conf: Path, port: int, timeout: float) -> subprocess.Popen | None:
    """nginx, listening on ``port``; None when another program had taken that port."""
    error_log, pid_file = work / "error.log", work / "nginx.pid"
    error_log.unlink(missing_ok=True)
    pid_file.unlink(missing_ok=True)
    process = subprocess.Popen(
        [nginx, "-p", str(work), "-e", str(error_log), "-c", str(conf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            log = error_log.read_text() if error_log.exists() else ""
            output = process.stdout.read() if process.stdout else ""
            if ADDRESS_IN_USE in log + output:
                return None
            raise NginxFailed(f"nginx stopped: {output}\n{log}")
        # nginx writes its pid file once it has bound its ports: what answers then is this nginx,
        # not a program that took the port first (nginx tries to bind for a few seconds).
        if _pid(pid_file) == process.pid:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return process
            except OSError:
                pass
        if time.monotonic() > deadline:
            process.kill()
            process.wait(timeout=10)
            raise NginxFailed(f"nginx did not start listening within {timeout:.0f} s")
        time.sleep(0.1)


def _pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
