"""Highlight colours (static/css/reader-tools.css) keep the theme's text readable: WCAG 2.2 AA 4.5:1 for
the text colour of every theme on each of the four highlight backgrounds
(https://www.w3.org/TR/WCAG22/#contrast-minimum), and the paragraph read aloud (``--current``) too."""

import re
from pathlib import Path

import pytest

from tests.test_contrast import _themes, contrast

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "reader-tools.css").read_text()
COLOURS = ("yellow", "green", "blue", "pink")


def _highlights() -> dict[str, dict[str, str]]:
    def block(selector_pattern: str) -> dict[str, str]:
        body = re.search(selector_pattern + r"\s*\{([^}]*)\}", CSS).group(1)
        return dict(re.findall(r"--hl([a-z]+):\s*(#[0-9a-fA-F]{6})", body))

    light = block(r':root, :root\[data-theme="light"\], :root\[data-theme="sepia"\]')
    dark = block(r':root\[data-theme="dark"\]')
    system_dark = block(r'@media \(prefers-color-scheme: dark\)\s*\{\s*:root\[data-theme="system"\]')
    return {"system-light": light, "light": light, "sepia": light, "dark": dark, "system-dark": system_dark}


@pytest.mark.parametrize("theme", ["system-light", "system-dark", "light", "dark", "sepia"])
def test_highlight_colours_meet_wcag_aa(theme):
    fg = _themes()[theme]["fg"]
    backgrounds = _highlights()[theme]
    assert sorted(backgrounds) == sorted(COLOURS)
    for name, background in backgrounds.items():
        ratio = contrast(fg, background)
        assert ratio >= 4.5, f"{theme}: text on {name} highlight is {ratio:.2f}:1"


def test_every_colour_has_its_class():
    for name in COLOURS:
        assert f".hl-{name} {{ --hl: var(--hl{name}); }}" in CSS
