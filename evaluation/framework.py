"""The framework of the quarterly evaluation of leaders and managers (khung đánh giá hằng quý), kept as data.

Provinces write their own guides on one pattern (KL 198-KL/TW, HD 02-HD/BTCTW): part A, general criteria in
groups, each passed or failed, with points; part B, areas of results with weights, each scored from the
products delivered (quantity, quality, timeliness). A framework is a TOML file in `evaluation/frameworks/`;
`load` reads it and refuses a bad one naming the line, and the functions below score a quarter by it.
Pure data and arithmetic: no Flask, no database.
"""

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import NoReturn

from .levels import QUALITY_LEVELS, Level
from .text import fold

FRAMEWORKS = Path(__file__).parent / "frameworks"
DEFAULT = "default"
MEASURES = ("quantity", "quality", "timeliness")  # số lượng, chất lượng, tiến độ of a product
EMPTY_AREAS = ("redistribute", "zero")
_KEY = re.compile(r"^[a-z0-9_]{1,16}$", re.IGNORECASE)  # an area's key is stored in the tallies' reason column
TENTH = Decimal("0.1")


class FrameworkError(ValueError):
    """A framework file that cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Criterion:
    key: str
    text: str
    points: int


@dataclass(frozen=True)
class Group:
    title: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    weight: int  # its points of part B


@dataclass(frozen=True)
class Framework:
    key: str  # the file's name without .toml
    name: str
    source: str
    forms: frozenset[str]  # the members' forms evaluated each quarter (FormType values)
    positions: frozenset[str]  # and the posts a province adds, folded (no case, no accents)
    general_title: str
    general_points: int
    groups: tuple[Group, ...]
    tasks_title: str
    tasks_points: int
    measures: Mapping[str, int]
    empty_areas: str
    areas: tuple[Area, ...]
    bands: tuple[tuple[int, Level], ...]  # (lowest total, level), highest first
    excellent_needs_every_quarter: bool
    flag_consecutive: int

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(criterion for group in self.groups for criterion in group.criteria)

    def area(self, key: str) -> Area | None:
        return next((area for area in self.areas if area.key == key), None)

    def applies_to(self, form: str, position: str) -> bool:
        """Whether a member with this form (Mẫu 2A...) and post is evaluated each quarter."""
        return form in self.forms or (bool(position) and fold(position) in self.positions)

    def band(self, score: Decimal | int) -> Level:
        """The level a total (/100), or an area's percentage, reaches."""
        return next(level for lowest, level in self.bands if score >= lowest)


# ---- Reading a file -------------------------------------------------------------------------------


def _line_of(text: str, needle: str, occurrence: int = 0) -> int:
    """The line (from 1) of the `occurrence`-th line containing `needle`, else 1."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return found[occurrence] if occurrence < len(found) else 1


class _Reader:
    """Checks one file's values, raising FrameworkError with the line of the value at fault."""

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text

    def fail(self, message: str, needle: str = "", occurrence: int = 0) -> NoReturn:
        line = _line_of(self.text, needle, occurrence) if needle else 1
        raise FrameworkError(f"{self.path.name}, dòng {line}: {message}")

    def table(self, data: dict, name: str) -> dict:
        value = data.get(name)
        if not isinstance(value, dict):
            self.fail(f"thiếu bảng [{name}]")
        return value

    def integer(self, data: dict, name: str, needle: str, occurrence: int = 0, low: int = 0) -> int:
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            self.fail(f"“{name}” phải là một số nguyên từ {low} trở lên", needle or name, occurrence)
        return value

    def text_of(self, data: dict, name: str, needle: str, occurrence: int = 0) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"thiếu “{name}”", needle or name, occurrence)
        return value.strip()


def load(path: Path) -> Framework:
    """Read and check a framework file.

    :raise FrameworkError: naming the line, for a file that is not TOML or whose values do not add up.
    """
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message ends "(at line N, column M)"
        raise FrameworkError(f"{path.name}: {exc}") from exc
    reader = _Reader(path, text)
    scope, year = reader.table(data, "scope"), data.get("year", {})
    general, tasks, levels = reader.table(data, "general"), reader.table(data, "tasks"), reader.table(data, "levels")
    groups = _groups(reader, general)
    areas = _areas(reader, tasks)
    framework = Framework(
        key=path.stem,
        name=reader.text_of(data, "name", "name"),
        source=reader.text_of(data, "source", "source"),
        forms=frozenset(str(form) for form in scope.get("forms", [])),
        positions=frozenset(fold(str(post)) for post in scope.get("positions", [])),
        general_title=reader.text_of(general, "title", "[general]"),
        general_points=reader.integer(general, "points", "[general]", low=1),
        groups=groups,
        tasks_title=reader.text_of(tasks, "title", "[tasks]"),
        tasks_points=reader.integer(tasks, "points", "[tasks]", low=1),
        measures=_measures(reader, tasks),
        empty_areas=tasks.get("empty_areas", "redistribute"),
        areas=areas,
        bands=_bands(reader, levels),
        excellent_needs_every_quarter=bool(year.get("excellent_needs_every_quarter_completed", True)),
        flag_consecutive=year.get("flag_consecutive_not_completed", 2),
    )
    _check_totals(reader, framework)
    return framework


def _groups(reader: _Reader, general: dict) -> tuple[Group, ...]:
    groups, keys = [], set()
    for number, group in enumerate(general.get("groups", [])):
        title = reader.text_of(group, "title", "[[general.groups]]", number)
        criteria = []
        for item in group.get("criteria", []):
            key = str(item.get("key", ""))
            needle = f'key = "{key}"' if key else "criteria"
            if not key or key in keys:
                reader.fail(f"tiêu chí thiếu “key” hoặc trùng “{key}”", needle, 1 if key in keys else 0)
            keys.add(key)
            criteria.append(
                Criterion(key, reader.text_of(item, "text", needle), reader.integer(item, "points", needle, low=1))
            )
        if not criteria:
            reader.fail(f"nhóm “{title}” không có tiêu chí nào", "[[general.groups]]", number)
        groups.append(Group(title, tuple(criteria)))
    if not groups:
        reader.fail("phần A không có nhóm tiêu chí nào ([[general.groups]])", "[general]")
    return tuple(groups)


def _areas(reader: _Reader, tasks: dict) -> tuple[Area, ...]:
    areas: list[Area] = []
    for number, area in enumerate(tasks.get("areas", [])):
        key = str(area.get("key", ""))
        if not _KEY.match(key) or any(seen.key == key for seen in areas):
            reader.fail(
                f"lĩnh vực có “key” không hợp lệ hoặc trùng: {key!r} (chữ không dấu, số, “_”, tối đa 16 ký tự)",
                "[[tasks.areas]]",
                number,
            )
        title = reader.text_of(area, "title", "[[tasks.areas]]", number)
        areas.append(Area(key, title, reader.integer(area, "weight", "[[tasks.areas]]", number, low=1)))
    if not areas:
        reader.fail("phần B không có lĩnh vực nào ([[tasks.areas]])", "[tasks]")
    if tasks.get("empty_areas", "redistribute") not in EMPTY_AREAS:
        reader.fail(f"“empty_areas” phải là một trong: {', '.join(EMPTY_AREAS)}", "empty_areas")
    return tuple(areas)


def _measures(reader: _Reader, tasks: dict) -> dict[str, int]:
    measures = tasks.get("measures", dict.fromkeys(MEASURES, 1))
    if not isinstance(measures, dict) or set(measures) != set(MEASURES) or not all(
        isinstance(weight, int) and weight >= 0 for weight in measures.values()
    ) or not sum(measures.values()):  # fmt: skip
        reader.fail(f"“measures” phải cho trọng số (số nguyên ≥ 0) của {', '.join(MEASURES)}", "measures")
    return measures


def _bands(reader: _Reader, levels: dict) -> tuple[tuple[int, Level], ...]:
    lowest = [reader.integer(levels, level.value, level.value, low=1) for level in QUALITY_LEVELS[:3]]
    if not 100 >= lowest[0] > lowest[1] > lowest[2]:
        reader.fail("mức điểm phải giảm dần: excellent > good > completed, không quá 100", "[levels]")
    return (*zip(lowest, QUALITY_LEVELS[:3], strict=True), (0, Level.NOT_COMPLETED))


def _check_totals(reader: _Reader, framework: Framework) -> None:
    if framework.general_points + framework.tasks_points != 100:
        reader.fail("điểm phần A và phần B phải cộng lại bằng 100", "points")
    if (criteria := sum(c.points for c in framework.criteria)) != framework.general_points:
        reader.fail(f"điểm các tiêu chí phần A cộng lại {criteria}, phải bằng {framework.general_points}", "[general]")
    if (weights := sum(a.weight for a in framework.areas)) != framework.tasks_points:
        reader.fail(f"trọng số các lĩnh vực phần B cộng lại {weights}, phải bằng {framework.tasks_points}", "[tasks]")
    if not isinstance(framework.flag_consecutive, int) or framework.flag_consecutive < 0:
        reader.fail("“flag_consecutive_not_completed” phải là số nguyên ≥ 0", "flag_consecutive_not_completed")


def available() -> list[str]:
    """The keys of the framework files in the repository, the default first."""
    keys = sorted(path.stem for path in FRAMEWORKS.glob("*.toml"))
    return sorted(keys, key=lambda key: key != DEFAULT)


@cache
def get(key: str) -> Framework:
    """A framework by its key (read once per process: the files change only with a release).

    :raise FrameworkError: for an unknown key or a bad file.
    """
    if key not in available():
        raise FrameworkError(f"không có khung đánh giá “{key}”")
    return load(FRAMEWORKS / f"{key}.toml")


# ---- Scoring a quarter ----------------------------------------------------------------------------


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def general_score(framework: Framework, passed: Mapping[str, bool]) -> Decimal:
    """Part A: the points of every criterion passed."""
    return Decimal(sum(c.points for c in framework.criteria if passed.get(c.key)))


def product_percent(framework: Framework, measures: Mapping[str, int | None]) -> Decimal | None:
    """A product's result (0–100), the measures weighted as the framework says; None until all are scored."""
    if any(measures.get(name) is None for name in MEASURES):
        return None
    total = sum((framework.measures[name] * Decimal(measures[name] or 0) for name in MEASURES), Decimal(0))
    return total / sum(framework.measures.values())


def area_percents(framework: Framework, products: Iterable[tuple[str, int, Decimal]]) -> dict[str, Decimal]:
    """Each area's result (0–100): its products' results weighted by their weights, for (area, weight,
    percent) triples. An area without products is absent."""
    sums: dict[str, Decimal] = {}
    weights: dict[str, int] = {}
    for area, weight, percent in products:
        sums[area] = sums.get(area, Decimal(0)) + weight * percent
        weights[area] = weights.get(area, 0) + weight
    return {area: sums[area] / weights[area] for area in sums if weights[area]}


def tasks_score(framework: Framework, percents: Mapping[str, Decimal]) -> Decimal:
    """Part B from the areas' results: each area earns its weight times its result; an area without
    products is shared among the others ("redistribute") or earns nothing ("zero")."""
    scored = [area for area in framework.areas if area.key in percents]
    if not scored:
        return Decimal(0)
    earned = sum((area.weight * percents[area.key] / 100 for area in scored), Decimal(0))
    if framework.empty_areas == "redistribute":
        earned = earned * framework.tasks_points / sum(area.weight for area in scored)
    return _tenth(earned)


@dataclass(frozen=True)
class Score:
    general: Decimal
    tasks: Decimal
    areas: dict[str, Decimal]  # each area's result (0–100), rounded to a tenth

    @property
    def total(self) -> Decimal:
        return self.general + self.tasks


def score(framework: Framework, passed: Mapping[str, bool], products: Iterable[tuple[str, int, Mapping]]) -> Score:
    """A quarter's score from the criteria passed and the products' (area, weight, measures)."""
    percents = []
    for area, weight, measures in products:
        if (percent := product_percent(framework, measures)) is not None:
            percents.append((area, weight, percent))
    by_area = area_percents(framework, percents)
    return Score(
        general_score(framework, passed),
        tasks_score(framework, by_area),
        {area: _tenth(percent) for area, percent in by_area.items()},
    )
