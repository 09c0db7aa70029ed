"""Every theme's colours meet WCAG 2.2 AA: 4.5:1 for text on the page and card backgrounds, 3:1 for UI
borders of form fields (https://www.w3.org/TR/WCAG22/#contrast-minimum, #non-text-contrast)."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "static" / "css"


def _vars(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", block))


def _themes() -> dict[str, dict[str, str]]:
    folio = (STATIC / "folio.css").read_text()
    system_light = _vars(re.search(r":root\s*\{([^}]*)\}", folio).group(1))
    system_dark = _vars(re.search(r"prefers-color-scheme: dark\)\s*\{\s*:root\s*\{([^}]*)\}", folio).group(1))
    themes = {"system-light": system_light, "system-dark": system_dark}
    for name in ("light", "dark", "sepia"):
        block = re.search(rf':root\[data-theme="{name}"\]\s*\{{([^}}]*)\}}', folio).group(1)
        themes[name] = _vars(block)
    return themes


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1-21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


@pytest.mark.parametrize("theme", ["system-light", "system-dark", "light", "dark", "sepia"])
def test_theme_meets_wcag_aa(theme):
    colours = _themes()[theme]
    for background in ("bg", "card", "current"):
        if background not in colours:
            continue
        for text in ("fg", "muted", "accent", "ok", "warn", "bad"):
            ratio = contrast(colours[text], colours[background])
            assert ratio >= 4.5, f"{theme}: {text} on {background} is {ratio:.2f}:1"
    assert contrast(colours["bg"], colours["accent"]) >= 4.5, "button text on accent"
    assert contrast(colours["fg"], colours["border"]) >= 4.5, "tag chip text"
    assert contrast(colours["muted"], colours["bg"]) >= 3, "form field borders"
