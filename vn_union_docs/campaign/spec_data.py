"""``build_data``: a spec's ``data:`` section turned into the objects its body uses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from vn_union_docs.campaign.anniversaries import _as_anniversary
from vn_union_docs.campaign.base import DateLike, _date
from vn_union_docs.campaign.events import Theme, theme
from vn_union_docs.campaign.progress import Progress, UnitStatistics
from vn_union_docs.campaign.stages import Campaign, Stage, _as_stage
from vn_union_docs.errors import InvalidValueError, Problem, SpecError

# ---------------------------------------------------------------------------- specs


# Vietnamese names clerks' spreadsheets use, accepted for the keys of data: (issue 13.10).
SECTION_ALIASES: dict[str, str] = {
    "tien_do": "progress", "don_vi": "units", "giai_doan": "stages",
    "ky_niem": "anniversaries", "phong_trao": "theme",
}
"""Vietnamese alias → section key of ``data:``."""
FIELD_ALIASES: dict[str, str] = {
    "dat": "achieved", "thuc_hien": "achieved", "chi_tieu": "target",
    "don_vi_tinh": "unit", "so_le": "digits", "ten": "name", "bat_dau": "start",
    "ket_thuc": "end", "su_kien": "events", "nam": "year", "khoa": "key", "dong": "rows",
    "loai": "kind", "phat_dong": "launched_by",
}
"""Vietnamese alias → field name, inside the sections of ``data:``."""


def _canonical_fields(value: Any, path: str, problems: list[Problem]) -> Any:
    """``value`` with the Vietnamese field names replaced by the English ones."""
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            name = FIELD_ALIASES.get(key, key) if isinstance(key, str) else key
            if name in out:
                problems.append(Problem(f"{path}.{key}", f"«{key}» và «{name}» là cùng một "
                                        "trường; chỉ giữ một"))
                continue
            out[name] = _canonical_fields(item, f"{path}.{name}", problems)
        return out
    if isinstance(value, list | tuple):
        return [_canonical_fields(item, f"{path}[{i}]", problems) for i, item in enumerate(value)]
    return value


def canonical_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """``data:`` with its Vietnamese aliases (``tien_do: {dat, chi_tieu}``) replaced by the
    documented names (``progress: {achieved, target}``); other keys pass through."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = SECTION_ALIASES.get(key, key)
        if name in out:
            problems.append(Problem(f"data.{key}", f"«{key}» và «{name}» là cùng một mục; "
                                    "chỉ giữ một"))
            continue
        known = name in ("progress", "units", "stages", "anniversaries", "theme")
        out[name] = _canonical_fields(value, f"data.{name}", problems) if known else value
    return out, problems


def build_data(data: Mapping[str, Any], document_date: DateLike | None = None) -> dict[str, Any]:
    """Turn a spec's raw ``data:`` mapping into the objects its body uses; raises one
    ``SpecError`` with every problem (see ``build_data_partial`` for the keys that did
    build)."""
    out, problems = build_data_partial(data, document_date)
    if problems:
        raise SpecError(problems=problems)
    return out


def build_data_partial(data: Mapping[str, Any], document_date: DateLike | None = None
                       ) -> tuple[dict[str, Any], list[Problem]]:
    """Turn a spec's raw ``data:`` mapping into the objects its body uses.

    Returns the objects of the keys that built and the problems of the others (a key with
    a problem is left out, so one bad key does not break the text that uses the good ones).
    Vietnamese aliases (``SECTION_ALIASES``, ``FIELD_ALIASES``) are accepted.

    Accepted keys (all optional; any other key passes through unchanged)::

        progress:            # one Progress …
          achieved: 493
          target: 779
          unit: sáng kiến    # optional (default "sáng kiến")
          digits: 1          # optional
        # … or several, by name: progress: {giai_doan_1: {achieved:…, target:…}, …}
        units:               # -> UnitStatistics
          - {name: CĐCS Bệnh viện A, achieved: 12, target: 20}
        # or units: {unit: sáng kiến, digits: 1, rows: [...]}
        stages:              # -> list[Stage], validated together as a Campaign
          - name: Giai đoạn 1
            start: 2023-02-03          # a YAML date or "03/02/2023"
            end: 2025-02-03
            events: [{key: thanh_lap_dang, year: 2025}, …]
        anniversaries: [{key: thi_dua_ai_quoc, year: 2023}]   # -> list[Anniversary]
        theme: day_manh_ket_cau_ha_tang                       # -> Theme

    Numbers are ints or Vietnamese-notation text (``"1.619"``); a YAML float such as
    ``1.619`` is refused, since a clerk writing ``1.619`` means 1619. ``document_date``
    (default today) drives the 50-year rule. All problems are raised together as one
    ``SpecError`` whose paths start with ``data.``.
    """
    if not isinstance(data, Mapping):
        return {}, [Problem("data", "cần một bảng khóa: giá trị (mapping)")]
    doc = None if document_date is None else _date(document_date, "ngày văn bản")
    data, problems = canonical_data(data)
    out: dict[str, Any] = dict(data)

    def attempt(path: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(Problem(f"{path}.{loc}" if loc else path, err["msg"]))
            return None
        except (ValueError, TypeError) as exc:
            # A Campaign reports one problem per line.
            problems.extend(Problem(path, line) for line in str(exc).splitlines() if line)
            return None

    if "progress" in data:
        out["progress"] = attempt("data.progress", lambda: _build_progress(data["progress"]))
    if "units" in data:
        out["units"] = attempt("data.units", lambda: _build_units(data["units"]))
    if "stages" in data:
        raw = data["stages"]
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            problems.append(Problem("data.stages", "cần một danh sách giai đoạn"))
        else:
            built = [
                attempt(f"data.stages[{i}]", functools.partial(_stage_from, s))
                for i, s in enumerate(raw)
            ]
            if all(b is not None for b in built):
                out["stages"] = attempt(
                    "data.stages", lambda: list(Campaign(tuple(built), doc).stages)
                )
    if "anniversaries" in data:
        raw = data["anniversaries"]
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            problems.append(Problem("data.anniversaries", "cần một danh sách {key, year}"))
        else:
            out["anniversaries"] = [
                attempt(f"data.anniversaries[{i}]", functools.partial(_as_anniversary, a))
                for i, a in enumerate(raw)
            ]
    if "theme" in data:
        out["theme"] = attempt("data.theme", lambda: _build_theme(data["theme"]))
    failed = {re.split(r"[.\[]", p.path.removeprefix("data."), maxsplit=1)[0]
              for p in problems if p.path.startswith("data.")}
    return {k: v for k, v in out.items() if k not in failed}, problems


_PROGRESS_KEYS = {"achieved", "target", "unit", "digits"}


def _no_floats(value: Any, path: str = "") -> Any:
    """Refuse YAML floats in counts: ``1.619`` in YAML is 1,619 (one point six), not 1619."""
    if isinstance(value, float):
        raise InvalidValueError(
            f"{path or 'giá trị'} = {value!r} là số thập phân kiểu YAML; viết số nguyên "
            f'(1619) hoặc đặt trong ngoặc kép theo cách viết Việt Nam ("1.619", "12,5")'
        )
    if isinstance(value, Mapping):
        return {k: _no_floats(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_floats(v, path) for v in value]
    return value


def _stage_from(raw: object) -> Stage:
    return _as_stage(_no_floats(raw))


def _progress_from(raw: object) -> Progress:
    if not isinstance(raw, Mapping):
        raise InvalidValueError("cần {achieved, target}")
    unknown = set(raw) - _PROGRESS_KEYS
    if unknown:
        raise InvalidValueError(f"khóa không hợp lệ: {', '.join(sorted(map(str, unknown)))}")
    if "achieved" not in raw or "target" not in raw:
        raise InvalidValueError("cần cả achieved và target")
    values: Mapping[str, Any] = _no_floats(raw)
    return Progress(
        values["achieved"], values["target"], values.get("unit", "sáng kiến"),
        values.get("digits", 1),
    )


def _build_progress(raw: object) -> Progress | dict[str, Progress]:
    if isinstance(raw, Progress):
        return raw
    if isinstance(raw, Mapping) and raw and all(isinstance(v, Mapping) for v in raw.values()):
        return {str(k): _progress_from(v) for k, v in raw.items()}
    return _progress_from(raw)


def _build_units(raw: object) -> UnitStatistics:
    if isinstance(raw, UnitStatistics):
        return raw
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"unit", "digits", "rows"}
        if unknown or "rows" not in raw:
            raise InvalidValueError("cần một danh sách đơn vị, hoặc {unit, digits, rows}")
        return UnitStatistics(
            _no_floats(raw["rows"]), raw.get("unit", "sáng kiến"), raw.get("digits", 1)
        )
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        return UnitStatistics(_no_floats(raw))
    raise InvalidValueError("cần một danh sách đơn vị {name, achieved, target}")


def _build_theme(raw: object) -> Theme:
    if isinstance(raw, Theme):
        return raw
    if isinstance(raw, str):
        return theme(raw)
    if isinstance(raw, Mapping):  # a theme not in the data file, written out in the spec
        return Theme(**{"source": "spec", **raw})
    raise InvalidValueError(
        "cần khóa của một phong trào thi đua hoặc {key, name, kind, launched_by}")


