"""Campaign figures computed, not typed: progress, unit statistics, stages, anniversaries, themes.

Union dispatches repeat figures clerks compute by hand (``493/779 sáng kiến … 63,3%``), stage
dates and anniversary lists (``95 năm Ngày thành lập Đảng Cộng sản Việt Nam
(03/02/1930-03/02/2025)``). This module derives every such text from data, formatting each
number and date with :mod:`vn_union_docs.vi`, so the text cannot disagree with itself.

Public API
----------
- ``Progress(achieved, target, unit="sáng kiến", digits=1)``: ``.percent`` (Decimal), ``.text``
  (``493/779 sáng kiến, đạt 63,3%``), ``.remaining``, ``.exceeded``, ``.surplus``, …
- ``UnitStatistics(rows, unit=…, digits=…)`` (alias ``UnitStatistics.from_rows``): totals,
  ``percentages()``, ``below(threshold)``, ``ranking()``, ``table()`` → Markdown pipe table.
- ``anniversary(key, year) -> Anniversary``; ``round_anniversaries(year, every=5)``;
  ``anniversaries_between(start, end, every=5)``; ``join_anniversaries(items)``.
- ``Stage(name, start, end, events=[...])`` with ``.anniversaries`` / ``.anniversaries_text``;
  ``Campaign(stages, document_date=…)`` validates order, overlap and the 50-year rule.
- ``events()`` / ``event(key)`` and ``themes()`` / ``theme(key)``: the data files
  ``data/events.yaml`` and ``data/themes.yaml`` (loaded once, cached).
- For specs: ``build_data(data, document_date=…)``, ``JINJA_GLOBALS``, ``FILTERS``.

Errors derive from ``VnUnionDocsError`` (``UnknownEventError`` / ``UnknownThemeError`` for
unknown keys, with
the closest known key suggested); ``build_data`` gathers them into one ``SpecError``.
"""

from vn_union_docs.campaign.anniversaries import (
    Anniversary,
    anniversaries_between,
    anniversary,
    join_anniversaries,
    round_anniversaries,
)
from vn_union_docs.campaign.base import (
    MAX_YEARS_AHEAD,
    RANGE_SEPARATOR,
)
from vn_union_docs.campaign.events import (
    Event,
    Theme,
    ThemeStage,
    UnknownEventError,
    UnknownThemeError,
    event,
    events,
    load_events,
    load_themes,
    theme,
    themes,
)
from vn_union_docs.campaign.filters import (
    FILTERS,
    JINJA_GLOBALS,
)
from vn_union_docs.campaign.progress import (
    TABLE_HEADERS,
    Progress,
    UnitRow,
    UnitStatistics,
    progress,
)
from vn_union_docs.campaign.spec_data import (
    build_data,
)
from vn_union_docs.campaign.stages import (
    Campaign,
    Stage,
    make_campaign,
    make_stage,
)

__all__ = [
    "FILTERS",
    "JINJA_GLOBALS",
    "MAX_YEARS_AHEAD",
    "RANGE_SEPARATOR",
    "TABLE_HEADERS",
    "Anniversary",
    "Campaign",
    "Event",
    "Progress",
    "Stage",
    "Theme",
    "ThemeStage",
    "UnitRow",
    "UnitStatistics",
    "UnknownEventError",
    "UnknownThemeError",
    "anniversaries_between",
    "anniversary",
    "build_data",
    "event",
    "events",
    "join_anniversaries",
    "load_events",
    "load_themes",
    "make_campaign",
    "make_stage",
    "progress",
    "round_anniversaries",
    "theme",
    "themes",
]
