"""Photos as residents send them: WebP and HEIC with metadata, wide-gamut colours, large files.

Inputs are made here with Pillow and pillow-heif; the colour profile is written byte by byte,
and the expected colours are worked out here from the published formulas of both colour spaces.
"""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from sitefactory import Site

MIB = 1024 * 1024
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Buurman Geheim"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
SECRETS = (b"Telefoonmerk", b"Buurman Geheim", b"xmpmeta")


def story_with_photo(site: Site, slug: str, name: str) -> None:
    site.add_story(
        slug, f"Tekst.\n\n![Binnen]({name})", title=f"Verhaal {slug}", image={"src": name, "alt": "Een foto"}
    )


def published_photos(site: Site, slug: str) -> list[Path]:
    return sorted(p for p in (site.site_dir / "verhalen" / slug).iterdir() if p.suffix in {".webp", ".jpg"})


def phone_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Telefoonmerk"
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 37.5), 3: "E", 4: (5.0, 56.0, 12.25)}  # GPS of a home
    return exif.tobytes()


# Metadata -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [("telefoon.webp", "WEBP"), ("IMG_0002.HEIC", "HEIF")])
def test_exif_gps_and_xmp_in_webp_and_heic_photos_never_reach_the_site(site: Site, name: str, kind: str):
    path = site.stories / "foto" / name
    path.parent.mkdir(parents=True)
    Image.new("RGB", (1000, 750), (30, 90, 200)).save(path, kind, exif=phone_exif(), xmp=XMP, quality=80)
    original = path.read_bytes()
    with Image.open(path) as opened:  # the input really carries what must go
        assert opened.getexif()[0x010F] == "Telefoonmerk" and 0x8825 in opened.getexif()
    assert all(secret in original for secret in SECRETS)

    story_with_photo(site, "foto", name)
    site.build(strict=True)
    photos = published_photos(site, "foto")
    assert {p.suffix for p in photos} == {".webp", ".jpg"} and len(photos) == 5  # 480, 960 twice; social
    for photo in photos:
        raw = photo.read_bytes()
        assert raw != original
        for secret in (*SECRETS, b"Exif", b"GPS"):
            assert secret not in raw, (photo.name, secret)
        with Image.open(photo) as image:
            assert not image.getexif(), photo.name
            assert not {"exif", "xmp", "XML:com.adobe.xmp"} & set(image.info), photo.name


# Colour ---------------------------------------------------------------------------------------


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + _s15(x) + _s15(y) + _s15(z)


def icc_profile(description: str, red, green, blue, gamma: float) -> bytes:
    """A minimal ICC v2 RGB display profile: primaries (adapted to D50) and one gamma curve."""
    text = description.encode("ascii") + b"\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8) + bytes(3) + bytes(67)
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256)) + bytes(2)
    tags = [
        (b"desc", desc),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(*red)),
        (b"gXYZ", _xyz(*green)),
        (b"bXYZ", _xyz(*blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text" + bytes(4) + b"Geen\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table = data = b""
    for signature, body in tags:
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (
        struct.pack(">I", offset + len(data))
        + bytes(4)
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + bytes(48)
    )
    return header + struct.pack(">I", len(tags)) + table + data


# Adobe RGB (1998): its primaries adapted to D50 as in Adobe's own profile, gamma 563/256.
ADOBE_RGB = icc_profile(
    "Adobe RGB (1998)",
    (0.60974, 0.31111, 0.01947),
    (0.20528, 0.62567, 0.06087),
    (0.14919, 0.06322, 0.74457),
    563 / 256,
)
# Adobe RGB (1998) to XYZ and XYZ to linear sRGB (IEC 61966-2-1), both for white D65.
ADOBE_TO_XYZ = [
    [0.5767309, 0.1855540, 0.1881852],
    [0.2973769, 0.6273491, 0.0752741],
    [0.0270343, 0.0706872, 0.9911085],
]
XYZ_TO_SRGB = [
    [3.2404542, -1.5371385, -0.4985314],
    [-0.9692660, 1.8760108, 0.0415560],
    [0.0556434, -0.2040259, 1.0572252],
]


def adobe_to_srgb(colour: tuple[int, int, int]) -> tuple[int, ...]:
    linear = [(value / 255) ** (563 / 256) for value in colour]
    xyz = [sum(row[i] * linear[i] for i in range(3)) for row in ADOBE_TO_XYZ]
    srgb = [min(max(sum(row[i] * xyz[i] for i in range(3)), 0.0), 1.0) for row in XYZ_TO_SRGB]
    return tuple(round(255 * (12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055)) for v in srgb)


def test_the_expected_colour_is_worked_out_right():
    # Adobe RGB's white and black are sRGB's; its brick red is a more saturated red in sRGB.
    assert adobe_to_srgb((255, 255, 255)) == (255, 255, 255)
    assert adobe_to_srgb((0, 0, 0)) == (0, 0, 0)
    assert adobe_to_srgb((200, 80, 50)) == (230, 79, 44)
    assert ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(ADOBE_RGB))).strip() == (
        "Adobe RGB (1998)"
    )


@pytest.mark.parametrize(("name", "kind"), [("kleur.png", "PNG"), ("kleur.jpg", "JPEG")])
def test_a_photo_in_adobe_rgb_is_converted_to_srgb_and_keeps_no_other_profile(
    site: Site, name: str, kind: str
):
    brick = (200, 80, 50)
    path = site.stories / "kleur" / name
    path.parent.mkdir(parents=True)
    Image.new("RGB", (800, 600), brick).save(path, kind, icc_profile=ADOBE_RGB, quality=95)
    story_with_photo(site, "kleur", name)
    site.build(strict=True)
    expected = adobe_to_srgb(brick)  # (230, 79, 44): red goes up by 30
    photos = published_photos(site, "kleur")
    assert len(photos) == 3  # 480 wide as WebP and JPEG, and the link preview
    for photo in photos:
        with Image.open(photo) as image:
            profile = image.info.get("icc_profile")
            if profile:  # no profile means sRGB on the web; a profile must say sRGB
                description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile)))
                assert "sRGB" in description, (photo.name, description)
            centre = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
        assert all(abs(got - want) <= 3 for got, want in zip(centre, expected, strict=True)), (
            photo.name,
            centre,
            expected,
        )
        assert b"Adobe RGB" not in photo.read_bytes()


# Limits and the cache ------------------------------------------------------------------------


def noise_png(path: Path, size: tuple[int, int] = (1000, 800)) -> Path:
    """A photo that does not compress: 1000×800 random pixels are 2.3 MB as PNG."""
    pixels = random.Random(7).randbytes(size[0] * size[1] * 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.frombytes("RGB", size, pixels).save(path, "PNG")
    return path


def test_a_photo_over_photo_max_megabytes_is_refused_and_under_it_is_published(site: Site):
    path = noise_png(site.stories / "groot" / "ruis.png")
    assert 2 * MIB <= path.stat().st_size < 3 * MIB
    story_with_photo(site, "groot", "ruis.png")
    site.add_story("ander", title="Een ander verhaal")

    site.plugin_options["photo_max_megabytes"] = 1
    result = site.build(check=False)
    assert "stories/groot/ruis.png:1: foto: de foto is 2 MB; het mag hoogstens 1 MB zijn" in result.stderr
    assert not (site.site_dir / "verhalen/groot").exists()
    assert (site.site_dir / "verhalen/ander/index.html").exists()

    site.plugin_options["photo_max_megabytes"] = 3
    result = site.build(strict=True)
    assert "MB" not in result.stderr
    assert len(published_photos(site, "groot")) == 5


def test_cache_dir_is_where_processed_photos_are_kept(site: Site):
    noise_png(site.stories / "foto" / "foto.png", size=(600, 400))
    story_with_photo(site, "foto", "foto.png")
    site.plugin_options["cache_dir"] = "bewaar/fotos"
    first = site.build(strict=True)
    assert "foto's: 1 verwerkt, 0 uit de cache" in first.stderr
    entries = [p for p in (site.root / "bewaar/fotos").iterdir() if not p.name.startswith(".")]
    assert len(entries) == 1 and (entries[0] / "photo.json").is_file()
    assert not (site.root / ".cache").exists()
    second = site.build(strict=True)
    assert "foto's: 0 verwerkt, 1 uit de cache" in second.stderr
