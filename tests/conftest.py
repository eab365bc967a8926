from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from sitefactory import Site, make_site

# On CI every property test tries the same examples each run, so a run never fails by chance;
# on a developer's machine they try new ones each time and keep what failed in .hypothesis/.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

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
