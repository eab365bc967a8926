"""Material's search is a dialog; ours has a name, so screen readers announce it (Lighthouse's and
axe's aria-dialog-name)."""

from __future__ import annotations

from pathlib import Path

from sitefactory import make_site


def test_the_search_dialog_is_named_on_every_kind_of_page(tmp_path: Path):
    site = make_site(tmp_path)
    site.add_story("verhaal")
    site.build(strict=True)
    dialog = '<div class="md-search" data-md-component="search" role="dialog" aria-label="Zoeken">'
    for url in ("", "verhalen/verhaal", "buurten", "themas/samen-leven", "gemeenschappen/de-buurtgroep"):
        page = site.page(url)
        assert page.count('role="dialog"') == 1, url
        assert dialog in page, url
    not_found = (site.site_dir / "404.html").read_text(encoding="utf-8")
    assert not_found.count('role="dialog"') == 1 and dialog in not_found
