"""``aanhetwoord serve``: a saved edit shows in the open browser tab by itself."""

from __future__ import annotations

import re
import time
import urllib.request

import pytest

from browser_support import new_context
from sitefactory import CLI, running_server


@pytest.fixture
def serving(site):
    for number in range(6):
        site.add_story(f"verhaal-{number}", title=f"Verhaal {number}", community=f"Groep {number}")
    config = site.write_config()
    # Port 0: the system picks a free port, and the command says which.
    command = [*CLI, "-f", str(config), "serve", "-a", "127.0.0.1:0"]
    with running_server(command, site.root, "verhalen/verhaal-2/") as server:
        yield site, server.base, server


@pytest.mark.browser
def test_a_saved_title_shows_in_the_open_page_without_reloading_it_by_hand(serving, browser):
    site, base, _ = serving
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(base + "verhalen/verhaal-2/")
        assert page.locator("h1").first.inner_text() == "Verhaal 2"
        other = context.new_page()
        other.goto(base + "gemeenschappen/groep-2/")
        story = site.stories / "verhaal-2" / "index.md"
        story.write_text(story.read_text().replace("title: Verhaal 2", "title: Koffie op het plein"))
        # Live reload: the tabs load the new pages themselves (mid-reload a page may have no body yet).
        page.wait_for_function("!!document.querySelector('h1')?.textContent.includes('Koffie op het plein')")
        other.wait_for_function("!!document.body?.textContent.includes('Koffie op het plein')")
        assert "Verhaal 2" not in page.locator("h1").first.inner_text()
    finally:
        context.close()


def test_serve_says_nothing_about_inaccurate_dirty_builds(serving):
    site, base, server = serving
    story = site.stories / "verhaal-1" / "index.md"
    story.write_text(story.read_text().replace("title: Verhaal 1", "title: Anders"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with urllib.request.urlopen(base + "verhalen/verhaal-1/", timeout=5) as response:
            if "Anders" in response.read().decode():
                break
        time.sleep(0.2)
    else:
        raise AssertionError("the edit did not show")
    output = server.stop()
    assert "Documentation built" in output
    assert "dirty" not in output.lower(), output


def test_with_port_0_the_preview_is_on_the_port_it_says_and_its_pages_name_it(serving):
    site, base, server = serving
    port = int(base.rsplit(":", 1)[1].rstrip("/"))
    assert port > 0
    assert re.search(rf"Serving on http://127\.0\.0\.1:{port}/", server.output())
    with urllib.request.urlopen(base + "verhalen/verhaal-2/", timeout=10) as response:
        page = response.read().decode()
    # MkDocs writes the preview's address into the pages before its server listens.
    assert f'<link rel="canonical" href="http://127.0.0.1:{port}/verhalen/verhaal-2/">' in page
    assert "127.0.0.1:0/" not in page
