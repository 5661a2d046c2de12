"""The forms shipped with the code: ``seeds/<code>.toml``, one file per form, its texts in
French, English and Ukrainian side by side, for translators to review (see any of them).

A seed file holds a form's settings (where it is served, whether it is listed, retention…)
and its document (``forms.document``). ``flask forms load`` reads them.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent / "seeds"
# What a seed file says about the form row (models.forms.Form); the rest is the document.
SETTINGS = (
    "kind",
    "slug",
    "short_address",
    "listed",
    "on_posters",
    "personal_data",
    "retention_months",
)


@dataclass(frozen=True)
class Seed:
    code: str
    settings: dict[str, Any]
    document: dict[str, Any]
    path: Path


def read(path: Path) -> Seed:
    with path.open("rb") as file:
        data = tomllib.load(file)
    code = data.pop("code", path.stem)
    settings = {name: data.pop(name) for name in SETTINGS if name in data}
    return Seed(code, settings, data, path)


def seeds(folder: Path = SEEDS) -> list[Seed]:
    return [read(path) for path in sorted(folder.glob("*.toml"))]
