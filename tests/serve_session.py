"""A ``mkdocs serve`` session without the web server, for tests: one build per line on stdin.

It does what ``mkdocs serve`` does between saves: load the configuration again, keep the
plugins (``on_startup`` once), build into the same folder. With ``--dirty`` that is
``mkdocs serve --dirty`` (what ``aanhetwoord serve`` runs); without it, every build is clean.

    python tests/serve_session.py CONFIG SITE_DIR [--dirty]
"""

from __future__ import annotations

import sys

from mkdocs.commands.build import build
from mkdocs.config import load_config

SERVE_URL = "http://127.0.0.1:8000/"


def main(config_file: str, site_dir: str, dirty: bool) -> None:
    started = False
    for _ in sys.stdin:
        config = load_config(config_file, site_dir=site_dir)
        config.site_url = SERVE_URL
        if not started:
            config.plugins.on_startup(command="serve", dirty=dirty)
            started = True
        build(config, serve_url=SERVE_URL, dirty=dirty)
        print("built", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--dirty" in sys.argv[3:])
