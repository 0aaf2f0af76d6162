"""README.md: its first two commands are ``make demo`` and ``make test``."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

_FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)


def readme_commands(text: str) -> list[str]:
    """Shell commands of the README's fenced code blocks, in order.

    Drops blank lines and ``#`` comments and a leading ``$ `` prompt; blocks
    tagged as Python (or another non-shell language) are skipped.
    """
    commands = []
    for match in _FENCE.finditer(text):
        info = text[match.start():text.index("\n", match.start())].strip("`~ \t").lower()
        if info and info.split()[0] not in ("sh", "bash", "shell", "console", "shell-session"):
            continue
        for line in match[2].splitlines():
            line = line.strip()
            if line.startswith("$ "):
                line = line[2:].strip()
            elif info in ("console", "shell-session"):
                continue  # output line of a console transcript
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_readme_commands_parser():
    text = (
        "Intro\n\n```python\nimport traverse\n```\n\n```sh\n# two commands\n$ make demo\n"
        "make test\n```\n\n```console\n$ traverse distances sample/ce4\n 1 2019-01-03\n```\n"
    )
    assert readme_commands(text) == ["make demo", "make test", "traverse distances sample/ce4"]


def test_readme_first_two_commands_are_make_demo_and_make_test():
    assert README.is_file(), f"{README} is missing: it should start with `make demo`, `make test`"
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert commands[:2] == ["make demo", "make test"], commands[:5]


def test_readme_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target


def test_readme_python_example_runs_and_keeps_the_lro_site(tmp_path, capsys):
    from traverse.geodesy import LANDER_LRO, enu_to_lonlat
    from traverse.synthetic.sample import write_sample_archive

    text = README.read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.DOTALL)[1]
    assert 'control="lro"' in block
    write_sample_archive(tmp_path / "sample" / "ce4")
    namespace: dict = {}
    exec(compile(block.replace('"sample/ce4"', repr(str(tmp_path / "sample" / "ce4"))),
                 "README.md", "exec"), namespace)
    trav = namespace["trav"]
    assert trav.site == LANDER_LRO and "lunar_day" in capsys.readouterr().out
    st = trav.stations
    lon, lat, _ = enu_to_lonlat(st["x_east_m"], st["y_north_m"], st["z_up_m"], LANDER_LRO)
    assert abs(st["lon"] - lon).max() < 1e-9 and abs(st["lat"] - lat).max() < 1e-9
