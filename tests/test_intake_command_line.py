"""``aanhetwoord intake`` on the command line: --host and --port, a busy port, its help."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from intakekit import SECRET, make_repo
from sitefactory import CLI, LISTENING, quiet_env, run_cli, stop_process


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("commandline") / "repo"
    make_repo(folder)
    return folder


def env(repo: Path, **more: str) -> dict[str, str]:
    values = {"DATA_DIR": str(repo.parent / "data"), "SECRET": SECRET, **more}
    return {f"AANHETWOORD_INTAKE_{key}": value for key, value in values.items()}


def start(repo: Path, *args: str, **more: str) -> tuple[subprocess.Popen, int]:
    """Start the service and wait until it says where it listens; returns the process and its port."""
    process = subprocess.Popen(
        [*CLI, "intake", *args],
        cwd=repo,
        env={**quiet_env(), **env(repo, **more)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    seen = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen += line
        if match := LISTENING.search(line):
            return process, int(match.group(1))
    stop_process(process)
    raise AssertionError(f"the service did not start:\n{seen}")


@pytest.fixture
def busy_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_busy_port_is_said_in_plain_dutch(repo: Path, busy_port: int):
    for args, more in ((["--port", str(busy_port)], {}), ([], {"PORT": str(busy_port)})):
        result = run_cli(repo, "intake", *args, env=env(repo, **more), timeout=60)
        assert result.returncode == 1
        assert result.stderr == (
            f"aanhetwoord intake: poort {busy_port} op 127.0.0.1 is al in gebruik. Draait het formulier al, "
            "of een ander programma? Stop dat eerst, of kies een andere poort met --port of "
            "AANHETWOORD_INTAKE_PORT.\n"
        )
        assert result.stdout == ""


def test_an_address_of_another_computer_is_said_in_plain_dutch(repo: Path):
    result = run_cli(repo, "intake", "--host", "192.0.2.1", "--port", "0", env=env(repo), timeout=60)
    assert result.returncode == 1
    assert "het adres 192.0.2.1 hoort niet bij deze computer" in result.stderr
    assert "Traceback" not in result.stderr and "Errno" not in result.stderr


def test_the_options_win_over_the_environment(repo: Path, busy_port: int):
    # The environment names a busy port and another computer's address; the options are used.
    process, port = start(repo, "--host", "127.0.0.1", "--port", "0", HOST="192.0.2.1", PORT=str(busy_port))
    try:
        assert port not in (busy_port, 0)
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            pass
    finally:
        stop_process(process)


def test_a_port_that_is_no_number_is_refused(repo: Path):
    result = run_cli(repo, "intake", "--port", "tachtig", env=env(repo))
    assert result.returncode == 2
    assert "'tachtig' is geen poort: kies een getal van 0 tot en met 65535" in result.stderr


def test_the_help_says_that_without_an_action_the_service_starts(repo: Path):
    result = run_cli(repo, "intake", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "Zonder ACTIE start dit het formulier (de dienst)" in text
    assert "Met een ACTIE start het formulier niet" in text
    assert "--host" in text and "--port" in text and "anders 8700" in text
    for action in ("purge", "list", "check", "mail"):
        assert f" {action} " in text
