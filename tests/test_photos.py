"""Story photos: safe, private and responsive. Inputs are made here with Pillow and pillow-heif."""

from __future__ import annotations

import re
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image

from aanhetwoord.photos import PhotoCache, process_all
from aanhetwoord.settings import PhotoSettings

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Buurman Geheim"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def gps_jpeg(path: Path, size: tuple[int, int] = (2000, 1500), orientation: int = 1) -> Path:
    """A phone-like photo with the GPS position of someone's home, a comment and XMP."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Telefoonmerk"
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 37.5), 3: "E", 4: (5.0, 56.0, 12.25)}
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif.tobytes(), xmp=XMP, comment=b"thuisadres Lindelaan 12", quality=90)
    return path


def story_with_photo(site, slug: str, name: str, alt: str = "Een foto van de buurt", **fields) -> None:
    site.add_story(
        slug,
        f"Tekst.\n\n![Binnen]({name})",
        title=f"Verhaal {slug}",
        image={"src": name, "alt": alt},
        **fields,
    )


def published_files(site, slug: str) -> list[Path]:
    return sorted(p for p in (site.site_dir / "verhalen" / slug).iterdir() if p.name != "index.html")


def assert_no_metadata(path: Path) -> None:
    raw = path.read_bytes()
    with Image.open(path) as image:
        assert not image.getexif(), path.name
        assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"Telefoonmerk", b"Lindelaan", b"Buurman Geheim"):
        assert marker not in raw, (path.name, marker)


def test_gps_exif_xmp_and_comments_never_reach_the_site(site):
    gps_jpeg(site.stories / "foto" / "telefoon.jpg")
    story_with_photo(site, "foto", "telefoon.jpg")
    site.build(strict=True)
    files = published_files(site, "foto")
    assert "telefoon.jpg" not in {f.name for f in files}  # the original is never copied
    assert {f.suffix for f in files} == {".webp", ".jpg"}
    for path in files:
        assert_no_metadata(path)


def test_widths_are_480_960_1600_and_never_upscaled(site):
    gps_jpeg(site.stories / "groot" / "groot.jpg", size=(4000, 3000))
    gps_jpeg(site.stories / "klein" / "klein.jpg", size=(700, 500))
    story_with_photo(site, "groot", "groot.jpg")
    story_with_photo(site, "klein", "klein.jpg")
    site.build(strict=True)
    big = {(Image.open(p).size, p.suffix) for p in published_files(site, "groot") if "social" not in p.name}
    assert big == {((w, w * 3 // 4), suffix) for w in (480, 960, 1600) for suffix in (".webp", ".jpg")}
    small = {Image.open(p).size for p in published_files(site, "klein") if "social" not in p.name}
    assert small == {(480, 343)}


def test_an_orientation_6_photo_comes_out_upright(site):
    path = site.stories / "gedraaid" / "gedraaid.jpg"
    image = Image.new("RGB", (1200, 800), "blue")
    image.paste((255, 0, 0), (0, 0, 600, 800))  # stored left half red: shown at the top once turned
    exif = Image.Exif()
    exif[0x0112] = 6
    path.parent.mkdir(parents=True)
    image.save(path, "JPEG", exif=exif.tobytes())
    story_with_photo(site, "gedraaid", "gedraaid.jpg")
    site.build(strict=True)
    [largest] = [p for p in published_files(site, "gedraaid") if p.name.endswith("-480.jpg")]
    with Image.open(largest) as upright:
        assert upright.size == (480, 720)
        top, bottom = upright.getpixel((240, 60)), upright.getpixel((240, 660))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_png_with_transparency_keeps_it_in_webp_and_gets_white_in_jpeg(site):
    path = site.stories / "doorzichtig" / "logo.png"
    path.parent.mkdir(parents=True)
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    image.paste((0, 128, 0, 255), (100, 100, 300, 300))
    image.save(path)
    story_with_photo(site, "doorzichtig", "logo.png")
    site.build(strict=True)
    files = published_files(site, "doorzichtig")
    webp = next(p for p in files if p.name.endswith("-480.webp"))
    jpeg = next(p for p in files if p.name.endswith("-480.jpg"))
    with Image.open(webp) as picture:
        assert picture.mode == "RGBA" and picture.getpixel((5, 5))[3] == 0
    with Image.open(jpeg) as picture:
        assert picture.getpixel((5, 5)) == (255, 255, 255)


def test_a_heic_photo_from_a_phone_works(site):
    path = site.stories / "iphone" / "IMG_0001.HEIC"
    path.parent.mkdir(parents=True)
    pillow_heif.from_pillow(Image.new("RGB", (1000, 750), (30, 90, 200))).save(str(path), quality=70)
    story_with_photo(site, "iphone", "IMG_0001.HEIC")
    site.build(strict=True)
    names = [p.name for p in published_files(site, "iphone")]
    assert any(name.endswith("-img-0001-960.webp") for name in names)
    assert not any(name.lower().endswith(".heic") for name in names)


def make_bomb(path: Path) -> None:
    """100 megapixels in a tiny file: decoding it would take gigabytes of memory."""
    Image.new("1", (10_000, 10_000)).save(path, "PNG", optimize=True)


def make_truncated(path: Path) -> None:
    gps_jpeg(path)
    path.write_bytes(path.read_bytes()[:5000])


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("bom.png", make_bomb, "te veel pixels"),
        ("kapot.jpg", make_truncated, "beschadigd of niet compleet"),
        ("tekening.svg", lambda p: p.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>'), "geen foto"),
        ("stiekem.jpg", lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n"), "geen foto"),
        ("oud.gif", lambda p: Image.new("RGB", (10, 10)).save(p, "GIF"), "geen foto"),
    ],
)
def test_a_bad_photo_is_an_error_naming_the_file_and_the_other_stories_build(site, name, make, message):
    folder = site.stories / "slecht"
    folder.mkdir(parents=True)
    make(folder / name)
    story_with_photo(site, "slecht", name)
    gps_jpeg(site.stories / "goed" / "goed.jpg", size=(800, 600))
    story_with_photo(site, "goed", "goed.jpg")
    result = site.build(check=False)
    assert result.returncode == 0
    assert re.search(rf"stories/slecht/{re.escape(name)}:1: foto: .*{message}", result.stderr), result.stderr
    assert not (site.site_dir / "verhalen/slecht").exists()
    assert (site.site_dir / "verhalen/goed/index.html").exists()
    assert site.build(strict=True, check=False).returncode != 0


def test_the_pixel_limit_is_configurable(site):
    gps_jpeg(site.stories / "groot" / "groot.jpg", size=(2000, 1500))
    story_with_photo(site, "groot", "groot.jpg")
    site.plugin_options["photo_max_megapixels"] = 2
    result = site.build(check=False)
    assert "hoogstens 2 megapixel" in result.stderr


def test_a_cover_without_alt_text_is_refused(site):
    gps_jpeg(site.stories / "zonder" / "foto.jpg", size=(800, 600))
    site.add_story("zonder", title="Zonder alt", image={"src": "foto.jpg"})
    result = site.build(check=False)
    assert "stories/zonder/index.md:" in result.stderr and "image.alt" in result.stderr
    assert not (site.site_dir / "verhalen/zonder").exists()


def test_the_story_page_serves_a_responsive_picture_with_dimensions_and_credit(site):
    gps_jpeg(site.stories / "plaatje" / "omslag.jpg", size=(3000, 2000))
    gps_jpeg(site.stories / "plaatje" / "binnen.jpg", size=(1200, 900))
    site.add_story(
        "plaatje",
        "Eerst tekst.\n\n![Mensen aan tafel](binnen.jpg)",
        title="Met foto's",
        image={"src": "omslag.jpg", "alt": "Het buurthuis", "credit": "Sam Fotograaf"},
    )
    site.build(strict=True)
    html = site.page("verhalen/plaatje")
    pictures = re.findall(r"<picture>.*?</picture>", html, re.S)
    assert len(pictures) == 2
    cover, inline = pictures
    assert 'type="image/webp"' in cover
    assert re.search(
        r'srcset="[^"]+-omslag-480\.webp 480w, [^"]+-omslag-960\.webp 960w, [^"]+-omslag-1600\.webp 1600w"',
        cover,
    )
    assert re.search(r'<img src="[^"]+-omslag-1600\.jpg" srcset="[^"]+480w, [^"]+960w, [^"]+1600w"', cover)
    assert 'sizes="' in cover and 'width="1600" height="1067"' in cover
    assert 'alt="Het buurthuis"' in cover and 'fetchpriority="high"' in cover and "loading" not in cover
    assert 'loading="lazy"' in inline and 'width="960" height="720"' in inline  # never upscaled to 1600
    assert "Foto: <bdi>Sam Fotograaf</bdi>" in html
    for match in re.findall(r'(?:src|srcset)="([^"]+)"', cover):
        for url in match.split(", "):
            assert (site.site_dir / "verhalen/plaatje" / url.split(" ")[0]).is_file()


def test_every_story_gets_a_1200_by_630_link_preview(site):
    gps_jpeg(site.stories / "met" / "foto.jpg", size=(1600, 1600))
    story_with_photo(site, "met", "foto.jpg")
    site.add_story("zonder", title="Een verhaal zonder foto", community="Het Koor")
    site.build(strict=True)
    for slug in ("met", "zonder"):
        html = site.page(f"verhalen/{slug}")
        url = re.search(
            r'<meta property="og:image" content="https://verhalen\.example\.org/(verhalen/[^"]+)"', html
        )
        assert url, slug
        with Image.open(site.site_dir / url.group(1)) as preview:
            assert preview.size == (1200, 630)


def test_a_second_build_decodes_no_photo_and_unused_entries_are_pruned(site):
    for number in range(3):
        gps_jpeg(site.stories / f"s{number}" / "foto.jpg", size=(1000 + number, 800))
        story_with_photo(site, f"s{number}", "foto.jpg")
    first = site.build(strict=True)
    assert "foto's: 3 verwerkt, 0 uit de cache" in first.stderr
    second = site.build(strict=True)
    assert "foto's: 0 verwerkt, 3 uit de cache" in second.stderr
    cache = site.root / ".cache/aanhetwoord/photos"
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 3
    (site.stories / "s2" / "index.md").unlink()
    (site.stories / "s2" / "foto.jpg").unlink()
    site.build(strict=True)
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 2


def test_the_same_photo_in_two_stories_is_made_once(tmp_path):
    first = gps_jpeg(tmp_path / "a" / "foto.jpg", size=(800, 600))
    second = tmp_path / "b" / "foto.jpg"
    second.parent.mkdir()
    second.write_bytes(first.read_bytes())
    results = process_all([first, second], PhotoCache(tmp_path / "cache", PhotoSettings()), workers=2)
    assert results.stats.decoded == 1
    assert results.photos[first] == results.photos[second]


def test_check_decodes_photos_too_and_keeps_the_cache_of_other_stories(site):

    gps_jpeg(site.stories / "goed" / "goed.jpg", size=(800, 600))
    story_with_photo(site, "goed", "goed.jpg")
    site.build(strict=True)
    folder = site.stories / "kapot"
    folder.mkdir()
    make_truncated(folder / "kapot.jpg")
    story_with_photo(site, "kapot", "kapot.jpg")
    result = site.cli("check", "stories/kapot")
    assert result.returncode == 1
    assert "stories/kapot/kapot.jpg:1: foto: de foto is beschadigd of niet compleet" in result.stdout
    again = site.build(check=False)
    assert "foto's: 0 verwerkt, 1 uit de cache" in again.stderr  # the check pruned nothing
