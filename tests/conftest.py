from __future__ import annotations

from pathlib import Path

import pytest

from sitefactory import Site, make_site

# Browser fixtures (one Chromium per test session) for every test module.
pytest_plugins = ["browser_support"]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site with small registers, ready for stories."""
    return make_site(tmp_path)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    # pytest-randomly prints its seed in the header, which -q hides: say it again at the end.
    seed = getattr(config.option, "randomly_seed", None)
    if config.pluginmanager.has_plugin("randomly") and isinstance(seed, int):
        terminalreporter.write_line(f"Random test order; repeat it with: -p randomly --randomly-seed={seed}")
