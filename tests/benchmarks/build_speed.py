"""Build-speed benchmark: the aanhetwoord plugin against bare MkDocs + Material.

Generates N synthetic stories (deterministically) and builds three ways, in rounds:

* "floor": bare MkDocs + Material, as a site without the plugin would be: the story bodies
  as plain pages under ``docs/verhalen/`` (out of the nav), MkDocs' default Markdown
  extensions, search on. This is what MkDocs + Material cost anyway;
* "warm": a site like this repository's ``mkdocs.yml``, with the stories in ``stories/`` and
  the ``aanhetwoord`` plugin making the story, list, overview and term pages, its cache
  (``.cache/``) kept from the build before, as an editor rebuilds;
* "cold": the same site with an empty ``.cache/``, as CI and every preview build it: the
  link-preview cards are drawn afresh.

Each build runs in a fresh ``mkdocs build`` subprocess, as a user would run it, into an empty
output folder; wall clock, CPU (the build and its worker processes) and peak RSS come from
``os.wait4`` of that child. A round builds floor, warm and cold back to back, so a slow spell
on the shared machine hits all three alike; each ratio is the median of the per-round ratios
(warm/floor and cold/floor within one round). Each build first waits (``--wait-idle``) for
other jobs on the machine to quiet down. ``--profile N`` runs one plugin build in-process
under cProfile instead.

    python tests/benchmarks/build_speed.py [--sizes 1000 4000] [--repeat 3] [--keep DIR]
    python tests/benchmarks/build_speed.py --profile 1000 [--cold] [--profile-out stats.prof]

A script, not a pytest test: its name does not start with ``test_``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
THEME_OVERRIDES = ROOT / "theme_overrides"
SEED = 20260501

# Targets for the plugin (issue 15); printed beside the figures.
TARGET_WARM_AT_1000 = 1.3
TARGET_COLD_AT_1000 = 1.6
TARGET_SCALING_4000_1000 = 3.5

# The plugin site's extensions, as in this repository's mkdocs.yml; the floor has MkDocs' defaults.
MARKDOWN_EXTENSIONS: list[Any] = ["admonition", "attr_list", {"toc": {"permalink": False}}]

AREAS = ["Binnenstad", "Linde-Noord", "Linde-Zuid"]
NEIGHBOURHOOD_NAMES = [
    "Oude Haven",
    "Marktkwartier",
    "Stadswal",
    "Ganzenweide",
    "Weverskamp",
    "Bleekveld",
    "Akkerzoom",
    "Molenakker",
    "Dijkflats",
    "Lindeplein",
    "Vogelwijk",
    "Bloemendries",
]
THEME_NAMES = [
    "Samen leven",
    "Sport en bewegen",
    "Taal en meedoen",
    "Zorg voor elkaar",
    "Eten en koken",
    "Geloof en cultuur",
    "Jong en oud",
    "Werk en geld",
    "Natuur en duurzaamheid",
]
COMMUNITY_KINDS = [
    "Buurtvereniging",
    "Koor",
    "Kookclub",
    "Wandelgroep",
    "Vrouwengroep",
    "Repair Café",
    "Huiswerkclub",
    "Moestuin",
    "Schaakclub",
    "Jongerenwerk",
    "Taalcafé",
    "Seniorenclub",
    "Appgroep",
    "Voetbalteam",
    "Naaiatelier",
    "Fietsclub",
    "Bewonerscommissie",
    "Theehuis",
    "Muziekgroep",
    "Klusploeg",
    "Leesclub",
    "Dansgroep",
    "Voedselhulp",
    "Oppasclub",
    "Buurtkeuken",
]
COMMUNITY_PLACES = [
    "De Schakel",
    "Het Prieel",
    "Waterhoen",
    "De Losse Snaar",
    "Al-Hidaya",
    "Yasmine",
    "De Kelder",
    "Stadswal",
    "Lindeplein",
    "Akkerzoom",
    "Ganzenweide",
    "Molenakker",
    "Weverskamp",
    "Bleekveld",
    "De Zonnebloem",
    "Het Anker",
    "De Brug",
    "De Linde",
    "Het Baken",
    "De Eik",
    "Zuiderlicht",
    "Noorderhof",
    "De Vijver",
    "Het Veld",
    "De Dijk",
    "Oostpoort",
    "Westwal",
    "De Kade",
    "Het Plein",
    "De Markt",
    "Kerkstraat",
    "Havenstraat",
    "Molenweg",
    "Lindelaan",
    "Beukenhof",
    "Esdoornlaan",
    "Kastanjeplein",
    "Wilgenhof",
    "Populierenlaan",
    "Rozenstraat",
    "Tulpstraat",
    "Dahliahof",
    "Merelstraat",
    "Spreeuwhof",
    "Zwanenplein",
    "Reigerstraat",
    "Meeuwenlaan",
    "Uilenhof",
    "De Ster",
    "Het Kompas",
]
FIRST_NAMES = [
    "Fatima",
    "Dewi",
    "Jan",
    "Ayşe",
    "Mohamed",
    "Els",
    "Kees",
    "Noor",
    "Sanne",
    "Yusuf",
    "Marija",
    "Piet",
    "Lotte",
    "Hamza",
    "Ineke",
    "Bram",
    "Zeynep",
    "Anouk",
    "Samir",
    "Greet",
]
WORDS = (
    "we de het een en van in op met voor naar bij uit over onder samen buurt buren mensen huis "
    "straat school kinderen ouders opa oma vrienden groep club koffie thee soep brood markt "
    "fiets bus lift trap tuin plein park water haven winkel bibliotheek moskee kerk buurthuis "
    "avond ochtend middag week maand jaar zomer winter dinsdag zaterdag zondag altijd vaak soms "
    "nooit weer nog al ook toen nu later eerst daarna gewoon echt heel veel weinig klein groot "
    "nieuw oud mooi fijn gezellig lastig moeilijk makkelijk belangrijk helpen praten lachen koken "
    "eten drinken spelen leren lezen schrijven zingen wandelen fietsen werken wonen wachten "
    "beginnen stoppen vragen zeggen denken weten kennen zien horen maken brengen halen delen "
    "geven krijgen houden zoeken vinden afspraak briefje telefoon appgroep rooster sleutel tafel "
    "stoel deur raam keuken kamer zaal gemeente wijkagent corporatie vrijwilliger begeleider"
).split()


# Generation ---------------------------------------------------------------------------------


@dataclass
class StorySpec:
    slug: str
    title: str
    front_matter: dict[str, Any]
    body: str


@dataclass
class Corpus:
    stories: list[StorySpec]
    neighbourhoods: list[dict[str, str]]
    themes: list[dict[str, str]]
    communities: list[str] = field(default_factory=list)


def _sentence(rng: random.Random, low: int = 6, high: int = 16) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def _paragraph(rng: random.Random, words: int) -> str:
    sentences: list[str] = []
    count = 0
    while count < words:
        sentence = _sentence(rng)
        if rng.random() < 0.08:  # some emphasis, so inline parsing has work to do
            head, _, tail = sentence.partition(" ")
            sentence = f"**{head}** {tail}" if tail else sentence
        sentences.append(sentence)
        count += sentence.count(" ") + 1
    return " ".join(sentences)


def _body(rng: random.Random) -> str:
    total = rng.randint(300, 600)
    paragraphs = rng.randint(3, 6)
    sizes = [total // paragraphs] * paragraphs
    blocks = [_paragraph(rng, size) for size in sizes]
    heading_at = rng.randint(1, paragraphs - 1)
    blocks.insert(heading_at, "## " + _sentence(rng, 2, 5).rstrip(".?!"))
    if rng.random() < 0.4:
        items = [f"- {_sentence(rng, 3, 9)}" for _ in range(rng.randint(3, 5))]
        blocks.insert(rng.randint(heading_at + 1, len(blocks)), "\n".join(items))
    return "\n\n".join(blocks) + "\n"


def _community_pool(rng: random.Random, size: int) -> list[str]:
    """Unique names (also after case folding); a number suffix once the combinations run out."""
    combos = [f"{kind} {place}" for kind in COMMUNITY_KINDS for place in COMMUNITY_PLACES]
    rng.shuffle(combos)
    names = combos[:size]
    round_number = 2
    while len(names) < size:
        names += [f"{name} {round_number}" for name in combos[: size - len(names)]]
        round_number += 1
    return names


def _registers() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    neighbourhoods = [
        {
            "name": name,
            "slug": name.lower().replace(" ", "-"),
            "area": AREAS[index // 4],
            "code": f"BU1999{index // 4 + 1:02d}{index % 4 + 1:02d}",
        }
        for index, name in enumerate(NEIGHBOURHOOD_NAMES)
    ]
    themes = [{"name": name, "slug": name.lower().replace(" ", "-")} for name in THEME_NAMES]
    return neighbourhoods, themes


def generate(count: int, seed: int = SEED) -> Corpus:
    rng = random.Random(seed)
    neighbourhoods, themes = _registers()
    communities = _community_pool(rng, max(count // 5, 1))
    # Long tail: a few communities tell many stories, most tell one or two (Zipf-like).
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(communities))]
    first_day = date(2022, 1, 1)
    stories: list[StorySpec] = []
    for number in range(count):
        published = first_day + timedelta(days=rng.randrange(3 * 365))
        title_words = rng.choices(WORDS, k=rng.randint(4, 8))
        title = " ".join(title_words).capitalize()
        slug = f"{'-'.join(title_words[:3])}-{number:05d}"
        fields: dict[str, Any] = {
            "title": title,
            "date": published.isoformat(),
            "community": rng.choices(communities, weights=weights)[0],
            "neighbourhoods": [rng.choice(NEIGHBOURHOOD_NAMES)],
            "themes": rng.sample(THEME_NAMES, rng.randint(1, 2)),
            "consent": {
                "date": (published - timedelta(days=rng.randint(5, 60))).isoformat(),
                "reference": f"TOE-{published.year}-{number:05d}",
                "photos": False,
            },
        }
        if rng.random() < 0.5:
            fields["summary"] = _sentence(rng, 15, 30)[:280]
        if rng.random() < 0.3:
            fields["storytellers"] = rng.sample(FIRST_NAMES, rng.randint(1, 3))
        if rng.random() < 0.1:
            fields["updates"] = [
                {
                    "date": (published + timedelta(days=rng.randint(30, 300))).isoformat(),
                    "text": _paragraph(rng, 40),
                }
                for _ in range(rng.randint(1, 2))
            ]
        stories.append(StorySpec(slug, title, fields, _body(rng)))
    return Corpus(stories, neighbourhoods, themes, communities)


# Sites --------------------------------------------------------------------------------------


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


def _theme(custom_dir: Path | None) -> dict[str, Any]:
    theme: dict[str, Any] = {"name": "material", "language": "nl", "font": False}
    if custom_dir is not None:
        theme["custom_dir"] = str(custom_dir)
    return theme


def _home(docs: Path) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Welkom\n\n<!-- aanhetwoord:home -->\n", encoding="utf-8")


def write_plugin_site(corpus: Corpus, root: Path) -> Path:
    registers = root / "stories" / "_registers"
    registers.mkdir(parents=True, exist_ok=True)
    (registers / "buurten.yml").write_text(_dump(corpus.neighbourhoods), encoding="utf-8")
    (registers / "themas.yml").write_text(_dump(corpus.themes), encoding="utf-8")
    for story in corpus.stories:
        folder = root / "stories" / story.slug
        folder.mkdir()
        text = f"---\n{_dump(story.front_matter)}---\n\n{story.body}"
        (folder / "index.md").write_text(text, encoding="utf-8")
    _home(root / "docs")
    config = {
        "site_name": "Benchmark",
        "site_url": "https://verhalen.example.org/",
        "docs_dir": "docs",
        "theme": _theme(THEME_OVERRIDES),
        "nav": [
            {"Home": "index.md"},
            {"Verhalen": "verhalen/index.md"},
            {"Buurten": "buurten/index.md"},
            {"Thema's": "themas/index.md"},
            {"Gemeenschappen": "gemeenschappen/index.md"},
        ],
        "plugins": [
            {"search": {"lang": "nl"}},
            {
                "aanhetwoord": {
                    "stories": "stories",
                    "neighbourhoods": "stories/_registers/buurten.yml",
                    "themes": "stories/_registers/themas.yml",
                }
            },
        ],
        "markdown_extensions": MARKDOWN_EXTENSIONS,
    }
    path = root / "mkdocs.yml"
    path.write_text(_dump(config), encoding="utf-8")
    return path


def write_floor_site(corpus: Corpus, root: Path) -> Path:
    """Bare Material: each story's title and body as a page; no extensions or theme of ours."""
    pages = root / "docs" / "verhalen"
    pages.mkdir(parents=True)
    for story in corpus.stories:
        (pages / f"{story.slug}.md").write_text(f"# {story.title}\n\n{story.body}", encoding="utf-8")
    docs = root / "docs"
    (docs / "index.md").write_text("# Welkom\n\nDe verhalen van de buurt.\n", encoding="utf-8")
    config = {
        "site_name": "Benchmark",
        "site_url": "https://verhalen.example.org/",
        "docs_dir": "docs",
        "theme": {"name": "material", "language": "nl"},
        "nav": [{"Home": "index.md"}],
        # The stories stay out of the nav, like the plugin's story pages; no info line per page.
        "not_in_nav": "/verhalen/\n",
        "plugins": [{"search": {"lang": "nl"}}],
    }
    path = root / "mkdocs.yml"
    path.write_text(_dump(config), encoding="utf-8")
    return path


# Timing -------------------------------------------------------------------------------------


@dataclass
class Timing:
    wall: float
    cpu: float  # the build's own and its worker processes'
    rss: float = 0.0  # peak resident memory of the build, MiB


def _mkdocs() -> str:
    local = Path(sys.executable).parent / "mkdocs"
    return str(local) if local.exists() else (shutil.which("mkdocs") or "mkdocs")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    # Builds run as on a user's machine: with compiled modules kept, so no build pays for
    # compiling the plugin's source again (the floor's modules are compiled at install).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONUTF8", "1")
    return env


def _busy_fraction(seconds: float) -> float:
    """Share of all CPUs in use over ``seconds`` (Linux /proc/stat), by whatever is running."""

    def sample() -> tuple[int, int]:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8])

    busy_before, total_before = sample()
    time.sleep(seconds)
    busy_after, total_after = sample()
    return (busy_after - busy_before) / max(total_after - total_before, 1)


def wait_until_idle(max_wait: float, threshold: float = 0.1) -> None:
    """On a shared machine, other jobs (tests, browsers) inflate timings: wait for a quiet spell.

    Quiet means three seconds in a row below ``threshold`` of all CPUs; after ``max_wait``
    seconds the build runs anyway, with a note, so the benchmark always ends.
    """
    if max_wait <= 0 or not Path("/proc/stat").exists():
        return
    deadline = time.monotonic() + max_wait
    quiet = 0
    while quiet < 3:
        if time.monotonic() > deadline:
            print("  (machine still busy; timing anyway)", file=sys.stderr)
            return
        quiet = quiet + 1 if _busy_fraction(1.0) < threshold else 0


def time_build(config: Path, max_wait: float = 0, cold: bool = False) -> Timing:
    """One ``mkdocs build`` in a fresh process; ``cold`` empties the plugin's cache first."""
    site_dir = config.parent / "site"
    # Start from an empty site folder so clearing the previous output is not timed.
    shutil.rmtree(site_dir, ignore_errors=True)
    if cold:
        shutil.rmtree(config.parent / ".cache", ignore_errors=True)
    wait_until_idle(max_wait)
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            [_mkdocs(), "build", "-q", "-f", str(config)],
            cwd=config.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_env(),
        )
        # The resource use of this build alone (with the worker processes it waited for).
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            sys.exit(f"build failed: {config}\n{log.read().decode(errors='replace')}")
    return Timing(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def check_output(config: Path, count: int) -> None:
    """Every story must have its page, else the plugin dropped some and the timing lies."""
    built = sum(1 for _ in (config.parent / "site" / "verhalen").glob("*/index.html"))
    if built != count:
        sys.exit(f"{config}: expected {count} story pages, found {built}")


@dataclass
class Round:
    floor: Timing
    warm: Timing
    cold: Timing

    @property
    def warm_ratio(self) -> float:
        return self.warm.wall / self.floor.wall

    @property
    def cold_ratio(self) -> float:
        return self.cold.wall / self.floor.wall


@dataclass
class Result:
    size: int
    rounds: list[Round]

    def median(self, kind: str, value: str = "wall") -> float:
        return statistics.median(getattr(getattr(run, kind), value) for run in self.rounds)

    @property
    def warm_ratio(self) -> float:
        return statistics.median(run.warm_ratio for run in self.rounds)

    @property
    def cold_ratio(self) -> float:
        return statistics.median(run.cold_ratio for run in self.rounds)

    def peak(self, kind: str) -> float:
        return max(getattr(run, kind).rss for run in self.rounds)


def measure(size: int, workdir: Path, repeat: int, max_wait: float = 0) -> Result:
    started = time.perf_counter()
    corpus = generate(size)
    floor_config = write_floor_site(corpus, workdir / f"n{size}" / "floor")
    plugin_config = write_plugin_site(corpus, workdir / f"n{size}" / "plugin")
    print(f"  n={size}: generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    # Fill the plugin's cache once, and let the file system settle, before anything is timed.
    time_build(plugin_config)
    check_output(plugin_config, size)
    rounds: list[Round] = []
    for run in range(repeat):
        floor = time_build(floor_config, max_wait)
        if run == 0:
            check_output(floor_config, size)
        warm = time_build(plugin_config, max_wait)
        cold = time_build(plugin_config, max_wait, cold=True)
        rounds.append(Round(floor, warm, cold))
        print(
            f"  n={size} round {run + 1}/{repeat}: floor {floor.wall:.2f} s, warm {warm.wall:.2f} s "
            f"({rounds[-1].warm_ratio:.2f}×), cold {cold.wall:.2f} s ({rounds[-1].cold_ratio:.2f}×)",
            file=sys.stderr,
        )
    return Result(size, rounds)


def report(results: list[Result], repeat: int) -> None:
    print(f"\nMedians of {repeat} round(s); each round builds floor, warm and cold back to back.")
    print("Ratios are medians of the per-round ratios to that round's floor.")
    print("wall s (CPU s, peak RSS MiB); CPU includes the build's worker processes.\n")
    print(f"{'N':>6}  {'floor':>22}  {'warm':>22}  {'cold':>22}  {'warm/floor':>10}  {'cold/floor':>10}")
    for result in results:

        def cell(kind: str, result: Result = result) -> str:
            return f"{result.median(kind):6.2f} ({result.median(kind, 'cpu'):6.2f}, {result.peak(kind):4.0f})"

        print(
            f"{result.size:>6}  {cell('floor'):>22}  {cell('warm'):>22}  {cell('cold'):>22}"
            f"  {result.warm_ratio:>10.2f}  {result.cold_ratio:>10.2f}"
        )
        if result.size == 1000:
            print(
                f"{'':>6}  targets at 1,000: warm ≤ {TARGET_WARM_AT_1000} "
                f"{_verdict(result.warm_ratio, TARGET_WARM_AT_1000)}, cold ≤ {TARGET_COLD_AT_1000} "
                f"{_verdict(result.cold_ratio, TARGET_COLD_AT_1000)}"
            )
    for result in results:
        if len(result.rounds) > 1:
            warm = ", ".join(f"{run.warm_ratio:.2f}" for run in result.rounds)
            cold = ", ".join(f"{run.cold_ratio:.2f}" for run in result.rounds)
            print(f"{result.size:>6}  per round: warm/floor {warm}; cold/floor {cold}")
    by_size = {result.size: result for result in results}
    if 1000 in by_size and 4000 in by_size:
        small, large = by_size[1000], by_size[4000]
        warm = large.median("warm") / small.median("warm")
        cold = large.median("cold") / small.median("cold")
        floor = large.median("floor") / small.median("floor")
        print(
            f"\nT(4000)/T(1000): warm {warm:.2f} (target ≤ {TARGET_SCALING_4000_1000}) "
            f"{_verdict(warm, TARGET_SCALING_4000_1000)}; cold {cold:.2f}; floor {floor:.2f} for reference"
        )


def _verdict(value: float, limit: float) -> str:
    return "OK" if value <= limit else "MISSED"


# Profile ------------------------------------------------------------------------------------


def profile(size: int, workdir: Path, out: Path | None, cold: bool = False) -> None:
    """One plugin build in this process under cProfile; the CLI's own steps, minus the timing.

    By default a first build fills the plugin's cache, so the profile shows a rebuild as
    editors run it; ``cold`` profiles the first build instead.
    """
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config_path = write_plugin_site(generate(size), workdir / f"n{size}" / "plugin")
    if not cold:
        time_build(config_path)
    config = load_config(config_file=str(config_path))
    config.plugins.on_startup(command="build", dirty=False)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        build(config)
    finally:
        profiler.disable()
        config.plugins.on_shutdown()
    check_output(config_path, size)
    if out is not None:
        profiler.dump_stats(out)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("cumulative")
    stats.print_stats(30)
    print(stream.getvalue())


# Command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000], help="story counts to build")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (floor, warm, cold) per size")
    parser.add_argument("--keep", type=Path, help="keep the sites in this folder")
    parser.add_argument("--profile", type=int, metavar="N", help="profile a plugin build of N stories")
    parser.add_argument("--profile-out", type=Path, help="also save the profile for pstats or snakeviz")
    parser.add_argument("--cold", action="store_true", help="profile the first build (empty cache)")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=120,
        metavar="SECONDS",
        help="before each build, wait up to this long for other jobs to quiet down (0: don't)",
    )
    args = parser.parse_args(argv)

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if any(args.keep.iterdir()):
            sys.exit(f"{args.keep} is not empty")
    with tempfile.TemporaryDirectory(prefix="ahw-bench-") as temp:
        workdir = args.keep or Path(temp)
        if args.profile:
            profile(args.profile, workdir, args.profile_out, args.cold)
            return
        results = [measure(size, workdir, args.repeat, args.wait_idle) for size in args.sizes]
        report(results, args.repeat)


if __name__ == "__main__":
    main()
