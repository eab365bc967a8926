from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sitefactory import Site, make_site  # noqa: E402

# Browser fixtures (one Chromium per test session) for every test module.
pytest_plugins = ["browser_support"]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site with small registers, ready for stories."""
    return make_site(tmp_path)
