"""Events and emulation themes as data (``data/events.yaml``, ``data/themes.yaml``), each with its
source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator
from ruamel.yaml import YAML

from vn_union_docs.campaign.base import _KEY, _suggest
from vn_union_docs.errors import InvalidValueError

# ---------------------------------------------------------------------------- data files


class _DataEntry(BaseModel):
    """What every entry of a data file has: a snake_case key, a source, an optional note;
    text fields listed in ``_required_text`` must not be blank."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    source: str
    note: str | None = None

    @field_validator("key")
    @classmethod
    def _check_key(cls, v: str) -> str:
        if not _KEY.fullmatch(v):
            raise InvalidValueError(f"key must be snake_case ASCII: {v!r}")
        return v

    @field_validator("*", mode="after")
    @classmethod
    def _not_blank(cls, v: Any, info: ValidationInfo) -> Any:
        if info.field_name in cls._required_text and isinstance(v, str):
            if not v.strip():
                raise InvalidValueError("must not be empty")
            return v.strip()
        return v

    _required_text: ClassVar[frozenset[str]] = frozenset({"source"})


class Event(_DataEntry):
    """One anniversary-worthy event of ``data/events.yaml``."""

    date: dt.date
    name: str
    short: str | None = None

    _required_text: ClassVar[frozenset[str]] = frozenset({"name", "source"})


class ThemeStage(BaseModel):
    """A stage (giai đoạn) of an emulation theme, as the data file lists it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> ThemeStage:
        if self.end < self.start:
            raise InvalidValueError(f"{self.name}: end {self.end} is before start {self.start}")
        return self


class Theme(_DataEntry):
    """An emulation theme (phong trào thi đua / chương trình) of ``data/themes.yaml``."""

    name: str
    kind: str
    launched_by: str
    launched: dt.date | None = None
    stages: tuple[ThemeStage, ...] = ()
    slogans: tuple[str, ...] = ()

    _required_text: ClassVar[frozenset[str]] = frozenset(
        {"name", "kind", "launched_by", "source"})

    @model_validator(mode="after")
    def _stages_ordered(self) -> Theme:
        for prev, cur in pairwise(self.stages):
            if cur.start < prev.end:
                raise InvalidValueError(f"{cur.name} starts before {prev.name} ends")
        return self

    @property
    def quoted(self) -> str:
        """``Phong trào thi đua “Đẩy mạnh …”``: the kind and the quoted name."""
        return f"{self.kind} “{self.name}”"

    def __str__(self) -> str:
        return self.name


_Entry = TypeVar("_Entry", Event, Theme)


def _load_yaml(text: str, what: str) -> dict[str, Any]:
    """Parse a data file; duplicate keys are an error (ruamel's default)."""
    data = YAML(typ="safe", pure=True).load(text)
    if not isinstance(data, dict):
        raise InvalidValueError(f"{what}: expected a mapping of keys to entries")
    return data


def _load_entries(text: str, what: str, model: type[_Entry]) -> dict[str, _Entry]:
    raw = _load_yaml(text, what)
    out: dict[str, _Entry] = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict):
            raise InvalidValueError(f"{what}: {key}: expected a mapping")
        out[str(key)] = model(key=str(key), **entry)
    return out


def load_events(text: str, what: str = "events.yaml") -> dict[str, Event]:
    """Parse and validate an events file (``key: {date, name, short, source, note}``)."""
    return _load_entries(text, what, Event)


def load_themes(text: str, what: str = "themes.yaml") -> dict[str, Theme]:
    """Parse and validate a themes file (see the header of ``data/themes.yaml``)."""
    return _load_entries(text, what, Theme)


def _data_text(name: str) -> str:
    data = resources.files("vn_union_docs.campaign").joinpath("data", name)
    return data.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def events() -> Mapping[str, Event]:
    """All known events, by key (read once from ``data/events.yaml``)."""
    return MappingProxyType(load_events(_data_text("events.yaml")))


@lru_cache(maxsize=1)
def themes() -> Mapping[str, Theme]:
    """All known emulation themes, by key (read once from ``data/themes.yaml``)."""
    return MappingProxyType(load_themes(_data_text("themes.yaml")))


class UnknownEventError(InvalidValueError):
    """An event key that ``data/events.yaml`` does not have; the message lists the known keys."""


class UnknownThemeError(InvalidValueError):
    """A theme key that ``data/themes.yaml`` does not have; the message lists the known keys."""


def event(key: str) -> Event:
    """Return the event ``key``, or raise ``UnknownEventError`` suggesting the closest key."""
    known = events()
    if isinstance(key, str) and key in known:
        return known[key]
    raise UnknownEventError(
        f"Không có sự kiện {key!r}.{_suggest(str(key), known)} "
        f"Các khóa đã biết: {', '.join(sorted(known))}."
    )


def theme(key: str) -> Theme:
    """Return the theme ``key``, or raise ``UnknownThemeError`` suggesting the closest key."""
    known = themes()
    if isinstance(key, str) and key in known:
        return known[key]
    raise UnknownThemeError(
        f"Không có phong trào thi đua {key!r}.{_suggest(str(key), known)} "
        f"Các khóa đã biết: {', '.join(sorted(known))}."
    )


