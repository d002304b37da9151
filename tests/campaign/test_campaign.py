"""Tests of vn_union_docs.campaign: progress, unit statistics, stages, anniversaries, data files.

The examples come from issue 5 and the seeds in shared/seeds (000–004).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

# Imported as a submodule (not "from vn_union_docs import campaign") so the test does not
# depend on the package's lazy attribute hook.
import vn_union_docs.campaign as campaign
from vn_union_docs import vi
from vn_union_docs.errors import SpecError
from vn_union_docs.markup import MarkdownText

D = dt.date
SEED_004_DATE = D(2023, 5, 16)  # Kế hoạch 222/KH-CDYT, Thái Bình, ngày 16 tháng 5 năm 2023

# Seed 004, "II. CHỦ ĐỀ VÀ THỜI GIAN THI ĐUA", as data (stage 2 ends 2030, not 3030).
SEED_004_STAGES = [
    {
        "name": "Giai đoạn 1",
        "start": D(2023, 2, 3),
        "end": D(2025, 2, 3),
        "events": [
            {"key": "thanh_lap_dang", "year": 2025},
            {"key": "cach_mang_thang_tam", "year": 2025},
            {"key": "quoc_khanh", "year": 2025},
            {"key": "cong_doan_viet_nam", "year": 2024},
        ],
    },
    {
        "name": "Giai đoạn 2",
        "start": D(2025, 2, 3),
        "end": D(2030, 2, 3),
        "events": [
            {"key": "thanh_lap_dang", "year": 2030},
            {"key": "cach_mang_thang_tam", "year": 2030},
            {"key": "quoc_khanh", "year": 2030},
            {"key": "cong_doan_viet_nam", "year": 2029},
        ],
    },
]


# ---------------------------------------------------------------------------- progress


def test_seed_000_progress() -> None:
    p = campaign.Progress(493, 779)
    assert p.percent == Decimal("63.3")
    assert p.text == "493/779 sáng kiến, đạt 63,3%"
    assert p.remaining == 286
    assert not p.exceeded and not p.completed


def test_seed_003_percentage_is_computed_not_copied() -> None:
    # Seed 003 printed 45,94%; its own counts give 45,97%.
    p = campaign.Progress(3992, 8684, digits=2)
    assert p.percent == Decimal("45.97")
    assert p.text == "3.992/8.684 sáng kiến, đạt 45,97%"


def test_seed_002_stage_1_exceeded() -> None:
    p = campaign.Progress(3572, 3000, digits=0)
    assert p.percent_text == "119%"
    assert p.achieved_text == "3.572 sáng kiến"
    assert p.exceeded and p.completed
    assert p.surplus == 572 and p.remaining == 0


def test_seed_002_stage_2_target() -> None:
    p = campaign.Progress(0, 5191)
    assert p.target_text == "5.191 sáng kiến"
    assert p.remaining_text == "5.191 sáng kiến"


def test_seed_001_figure() -> None:
    # Seed 001 gives 1.619 sáng kiến at 118% but not the target; any target 1.367–1.377 fits.
    assert campaign.Progress(1619, 1372, digits=0).percent_text == "118%"
    assert campaign.Progress(1619, 1372).achieved_text == "1.619 sáng kiến"


def test_progress_reads_vietnamese_text_and_rejects_bad_input() -> None:
    assert campaign.Progress("1.619", "2.000").achieved == 1619
    assert campaign.Progress(5, 10, unit="").text == "5/10, đạt 50,0%"
    with pytest.raises(ValueError, match="chỉ tiêu"):
        campaign.Progress(1, 0)
    with pytest.raises(ValueError, match="âm"):
        campaign.Progress(-1, 10)
    with pytest.raises(ValueError):
        campaign.Progress(True, 10)


@given(st.integers(0, 10**7), st.integers(1, 10**7), st.integers(0, 3))
def test_progress_agrees_with_vi(achieved: int, target: int, digits: int) -> None:
    p = campaign.Progress(achieved, target, digits=digits)
    assert p.percent == vi.percent(achieved, target, digits)
    assert p.text.endswith(vi.format_percent(achieved, target, digits))
    assert p.remaining + achieved >= target
    assert p.exceeded == (achieved > target)


# ---------------------------------------------------------------------------- unit statistics

ROWS = [
    {"name": "CĐCS Bệnh viện A", "achieved": 30, "target": 40},
    {"name": "CĐCS Trung tâm B", "achieved": 25, "target": 20},
    ("CĐCS Trạm C", 10, 40),
    ("CĐCS D", 15, 20),
]


def test_unit_statistics_totals_and_percentages() -> None:
    s = campaign.UnitStatistics.from_rows(ROWS)
    assert (s.total_achieved, s.total_target) == (80, 120)
    assert s.total.text == "80/120 sáng kiến, đạt 66,7%"
    assert s.percentages() == {
        "CĐCS Bệnh viện A": Decimal("75.0"),
        "CĐCS Trung tâm B": Decimal("125.0"),
        "CĐCS Trạm C": Decimal("25.0"),
        "CĐCS D": Decimal("75.0"),
    }
    assert [r.name for r in s.below(50)] == ["CĐCS Trạm C"]
    assert [r.name for r in s.completed()] == ["CĐCS Trung tâm B"]


def test_unit_ranking_shares_ranks() -> None:
    ranking = campaign.UnitStatistics(ROWS).ranking()
    assert [(rank, r.name) for rank, r in ranking] == [
        (1, "CĐCS Trung tâm B"),
        (2, "CĐCS Bệnh viện A"),
        (2, "CĐCS D"),
        (4, "CĐCS Trạm C"),
    ]


def test_below_uses_printed_percentage() -> None:
    # 4999/10000 prints as 50,0%: not listed as below 50%.
    s = campaign.UnitStatistics([("A", 4999, 10000), ("B", 4949, 10000)])
    assert [r.name for r in s.below(50)] == ["B"]


def test_unit_statistics_errors_name_the_row() -> None:
    with pytest.raises(ValueError, match="dòng 2"):
        campaign.UnitStatistics([("A", 1, 2), {"name": "B", "achieved": 1}])
    with pytest.raises(ValueError, match="lặp"):
        campaign.UnitStatistics([("A", 1, 2), ("A", 1, 2)])
    with pytest.raises(ValueError, match="B"):
        campaign.UnitStatistics([("A", 1, 2), ("B", 1, 0)])


def _parse_table(md: str) -> list[list[str]]:
    """Cells of the first table, as markdown-it-py (tables enabled) reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    rows: list[list[str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "tr_open":
            rows.append([])
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            rows[-1].append("".join(c.content for c in tok.children or []))
    return rows


def test_table_is_markdown_with_total_row() -> None:
    table = campaign.UnitStatistics(ROWS).table()
    assert isinstance(table, MarkdownText)
    assert table.splitlines()[1] == "|:-:|---|--:|--:|--:|"  # figures right-aligned
    assert table.splitlines()[-1].startswith("|  | **Tổng cộng** |")  # total row in bold
    rows = _parse_table(table)
    assert rows[0] == ["TT", "Đơn vị", "Chỉ tiêu", "Thực hiện", "Tỷ lệ"]
    assert rows[1] == ["1", "CĐCS Bệnh viện A", "40", "30", "75,0%"]
    assert rows[-1] == ["", "Tổng cộng", "120", "80", "66,7%"]
    assert len(rows) == 1 + len(ROWS) + 1


def test_table_escapes_unit_names() -> None:
    name = "CĐCS A | B *C* {{ x }} <b>"
    md = campaign.UnitStatistics([(name, 1619, 1000), ("- D", 1, 2)]).table()
    rows = _parse_table(md)
    assert rows[1] == ["1", name, "1.000", "1.619", "161,9%"]
    assert rows[2][1] == "- D"
    assert all(len(r) == 5 for r in rows)  # the | did not add a column
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<em>" not in html and "<b>" not in html


def test_table_sorted_by_ranking() -> None:
    rows = _parse_table(campaign.UnitStatistics(ROWS).table(sort=True))
    assert [r[1] for r in rows[1:-1]] == [
        "CĐCS Trung tâm B",
        "CĐCS Bệnh viện A",
        "CĐCS D",
        "CĐCS Trạm C",
    ]


# ---------------------------------------------------------------------------- anniversaries


@pytest.mark.parametrize(
    ("key", "year", "text"),
    [
        (
            "thanh_lap_dang",
            2025,
            "95 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930-03/02/2025)",
        ),
        (
            "thi_dua_ai_quoc",
            2023,  # seed 000 and 002
            "75 năm Ngày Chủ tịch Hồ Chí Minh ra Lời kêu gọi thi đua ái quốc (11/6/1948-11/6/2023)",
        ),
        (
            "cong_doan_viet_nam",
            2024,
            "95 năm Ngày thành lập Công đoàn Việt Nam (28/7/1929-28/7/2024)",
        ),
        ("quoc_te_lao_dong", 2025, "139 năm Ngày Quốc tế Lao động (01/5/1886-01/5/2025)"),
        ("thay_thuoc_viet_nam", 2025, "70 năm Ngày Thầy thuốc Việt Nam (27/02/1955-27/02/2025)"),
    ],
)
def test_anniversary_text(key: str, year: int, text: str) -> None:
    assert campaign.anniversary(key, year).text == text


def test_anniversary_fields() -> None:
    a = campaign.anniversary("quoc_khanh", 2030)
    assert a.years == 85
    assert a.event == "Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert a.date == D(2030, 9, 2) and a.start == D(1945, 9, 2)
    assert a.range_text == "02/9/1945-02/9/2030"


def test_unknown_event_lists_keys_and_suggests() -> None:
    with pytest.raises(campaign.UnknownEventError) as info:
        campaign.anniversary("thanh_lap_dnag", 2025)
    msg = str(info.value)
    assert "'thanh_lap_dang'?" in msg
    assert "quoc_khanh" in msg and "cong_doan_viet_nam" in msg
    assert isinstance(info.value, ValueError)


def test_anniversary_year_must_follow_event() -> None:
    with pytest.raises(ValueError, match="1930"):
        campaign.anniversary("thanh_lap_dang", 1930)


def test_round_anniversaries_2025() -> None:
    keys = [a.key for a in campaign.round_anniversaries(2025)]
    for key in (
        "thanh_lap_dang",
        "giai_phong_mien_nam",
        "sinh_nhat_bac",
        "cach_mang_thang_tam",
        "quoc_khanh",
        "thay_thuoc_viet_nam",
    ):
        assert key in keys
    assert "cong_doan_viet_nam" not in keys  # 96 years in 2025
    dates = [a.date for a in campaign.round_anniversaries(2025)]
    assert dates == sorted(dates)
    assert all(a.years % 5 == 0 for a in campaign.round_anniversaries(2025))
    assert all(a.years % 10 == 0 for a in campaign.round_anniversaries(2025, every=10))


def test_anniversaries_between_seed_004_stage_1() -> None:
    found = campaign.anniversaries_between(D(2023, 2, 3), D(2025, 2, 3))
    pairs = {(a.key, a.year) for a in found}
    assert {
        ("thi_dua_ai_quoc", 2023),
        ("cong_doan_viet_nam", 2024),
        ("thanh_lap_dang", 2025),
    } <= pairs
    assert ("cach_mang_thang_tam", 2025) not in pairs  # 19/8/2025 is after the stage
    assert all(D(2023, 2, 3) <= a.date <= D(2025, 2, 3) for a in found)


def test_join_anniversaries() -> None:
    a, b = campaign.anniversary("thanh_lap_dang", 2025), campaign.anniversary("dien_bien_phu", 2024)
    c = campaign.anniversary("giai_phong_mien_nam", 2025)
    assert campaign.join_anniversaries([a]) == a.text
    assert campaign.join_anniversaries([a, b, c]) == f"{a.text}, {b.text} và {c.text}"
    # equal counts side by side share the count
    q = campaign.anniversary("cach_mang_thang_tam", 2025)
    k = campaign.anniversary("quoc_khanh", 2025)
    assert campaign.join_anniversaries([q, k]) == f"{q.text} và {k.event_text}"
    assert campaign.join_anniversaries([q, k], merge_same_count=False) == f"{q.text} và {k.text}"


# ---------------------------------------------------------------------------- stages


def test_seed_004_stages_reproduced() -> None:
    c = campaign.make_campaign(SEED_004_STAGES, document_date=SEED_004_DATE)
    s1, s2 = c.stages
    assert s1.heading == "Giai đoạn 1 (từ ngày 03/02/2023 đến 03/02/2025)"
    assert s1.anniversaries_text == (
        "95 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930-03/02/2025); "
        "80 năm Cách mạng Tháng Tám thành công (19/8/1945-19/8/2025) và "
        "Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam (02/9/1945-02/9/2025); "
        "95 năm Ngày thành lập Công đoàn Việt Nam (28/7/1929-28/7/2024)"
    )
    assert s2.heading == "Giai đoạn 2 (từ ngày 03/02/2025 đến 03/02/2030)"
    assert s2.anniversaries_text == (
        "100 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930-03/02/2030); "
        "85 năm Cách mạng Tháng Tám thành công (19/8/1945-19/8/2030) và "
        "Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam (02/9/1945-02/9/2030); "
        "100 năm Ngày thành lập Công đoàn Việt Nam (28/7/1929-28/7/2029)"
    )
    # the seed's slip: the Quốc khánh range in the 2030 stage cannot end in 2025
    assert "02/9/2025" not in s2.anniversaries_text
    assert [(a.key, a.years) for a in s2.anniversaries] == [
        ("thanh_lap_dang", 100),
        ("cach_mang_thang_tam", 85),
        ("quoc_khanh", 85),
        ("cong_doan_viet_nam", 100),
    ]


def test_stage_accepts_texts_and_pairs() -> None:
    s = campaign.Stage("Giai đoạn 1", "03/02/2023", "2025-02-03", events=[("thanh_lap_dang", 2025)])
    assert (s.start, s.end) == (D(2023, 2, 3), D(2025, 2, 3))
    assert s.anniversaries[0].years == 95


def test_seed_004_year_3030_rejected() -> None:
    stages = [dict(SEED_004_STAGES[0]), dict(SEED_004_STAGES[1], end=D(3030, 2, 3))]
    with pytest.raises(ValueError) as info:
        campaign.Campaign(tuple(stages), SEED_004_DATE)
    msg = str(info.value)
    assert "Giai đoạn 2" in msg and "03/02/3030" in msg and "50 năm" in msg


def test_fifty_year_rule_boundary_and_anniversaries() -> None:
    ok = campaign.Stage("GĐ", D(2023, 1, 1), D(2073, 5, 16))
    campaign.Campaign((ok,), SEED_004_DATE)  # exactly 50 years: allowed
    late = campaign.Stage("GĐ", D(2023, 1, 1), D(2073, 5, 17))
    with pytest.raises(ValueError, match="17/5/2073"):
        campaign.Campaign((late,), SEED_004_DATE)
    far = campaign.Stage("GĐ", D(2023, 1, 1), D(2024, 1, 1), events=[("quoc_khanh", 3030)])
    with pytest.raises(ValueError, match="02/9/3030"):
        far.check(SEED_004_DATE)
    with pytest.raises(ValueError, match="3030"):
        campaign.Stage("GĐ", "01/01/2023", "03/02/3030", document_date=SEED_004_DATE)


def test_overlapping_stages_rejected() -> None:
    s1 = campaign.Stage("Giai đoạn 1", D(2023, 2, 3), D(2025, 2, 3))
    s2 = campaign.Stage("Giai đoạn 2", D(2025, 2, 2), D(2030, 2, 3))
    with pytest.raises(ValueError, match="chồng lên nhau") as info:
        campaign.Campaign((s1, s2), SEED_004_DATE)
    assert "Giai đoạn 2" in str(info.value) and "02/02/2025" in str(info.value)


def test_touching_stages_allowed_and_order_checked() -> None:
    s1 = campaign.Stage("Giai đoạn 1", D(2023, 2, 3), D(2025, 2, 3))
    s2 = campaign.Stage("Giai đoạn 2", D(2025, 2, 3), D(2030, 2, 3))
    assert len(campaign.Campaign((s1, s2), SEED_004_DATE)) == 2
    with pytest.raises(ValueError, match="thứ tự"):
        campaign.Campaign((s2, s1), SEED_004_DATE)


def test_stage_end_before_start_rejected() -> None:
    with pytest.raises(ValueError, match="Giai đoạn 1"):
        campaign.Stage("Giai đoạn 1", D(2025, 2, 3), D(2023, 2, 3))


def test_stage_outside_anniversaries_reported_not_rejected() -> None:
    s1 = campaign.make_campaign(SEED_004_STAGES, SEED_004_DATE)[0]
    # seed 004's stage 1 ends 03/02/2025 but salutes 19/8/2025 and 02/9/2025
    assert [a.key for a in s1.anniversaries_outside] == ["cach_mang_thang_tam", "quoc_khanh"]


# ---------------------------------------------------------------------------- data files


def _raw(name: str) -> dict:
    data = resources.files("vn_union_docs.campaign").joinpath("data", name)
    text = data.read_text(encoding="utf-8")
    return YAML(typ="safe", pure=True).load(text)


ISSUE_EVENTS = {
    "thanh_lap_dang": D(1930, 2, 3),
    "cong_doan_viet_nam": D(1929, 7, 28),
    "cach_mang_thang_tam": D(1945, 8, 19),
    "quoc_khanh": D(1945, 9, 2),
    "giai_phong_mien_nam": D(1975, 4, 30),
    "sinh_nhat_bac": D(1890, 5, 19),
    "dien_bien_phu": D(1954, 5, 7),
    "thuong_binh_liet_si": D(1947, 7, 27),
    "phu_nu_viet_nam": D(1930, 10, 20),
    "nha_giao_viet_nam": D(1982, 11, 20),
    "thay_thuoc_viet_nam": D(1955, 2, 27),
    "quoc_te_lao_dong": D(1886, 5, 1),
    "quoc_te_phu_nu": D(1910, 3, 8),
    "thanh_lap_doan": D(1931, 3, 26),
    "thi_dua_ai_quoc": D(1948, 6, 11),
}


def test_events_file_schema() -> None:
    raw = _raw("events.yaml")
    for key, entry in raw.items():
        assert set(entry) >= {"date", "name", "source"}, key
        assert isinstance(entry["date"], D), f"{key}: date must be an unquoted ISO date"
        assert D(1800, 1, 1) < entry["date"] < D.today(), key
        assert entry["name"].strip() and entry["source"].strip(), key
    loaded = campaign.events()
    assert set(loaded) == set(raw)
    for key, day in ISSUE_EVENTS.items():
        assert loaded[key].date == day, key


def test_themes_file_schema() -> None:
    raw = _raw("themes.yaml")
    for key, entry in raw.items():
        assert set(entry) >= {
            "name",
            "kind",
            "launched_by",
            "launched",
            "stages",
            "slogans",
            "source",
        }
        assert entry["launched"] is None or isinstance(entry["launched"], D), key
        for stage in entry["stages"]:
            assert isinstance(stage["start"], D) and isinstance(stage["end"], D), key
            assert stage["start"] <= stage["end"], key
    loaded = campaign.themes()
    assert set(loaded) == set(raw)
    t = campaign.theme("day_manh_ket_cau_ha_tang")
    assert t.name == (
        "Đẩy mạnh phát triển kết cấu hạ tầng đồng bộ, hiện đại; thực hành tiết kiệm, chống lãng phí"
    )
    assert [s.end for s in t.stages] == [D(2025, 2, 3), D(2030, 2, 3)]
    assert "01 triệu sáng kiến" in campaign.theme("mot_trieu_sang_kien").name
    names = {x.name for x in loaded.values()}
    assert {
        "Lao động giỏi, lao động sáng tạo",
        "Xanh - Sạch - Đẹp, bảo đảm an toàn, vệ sinh lao động",
        "Giỏi việc nước, đảm việc nhà",
    } <= names


def test_duplicate_keys_are_rejected() -> None:
    entry = "  date: 1930-02-03\n  name: X\n  source: s\n"
    text = f"a:\n{entry}a:\n{entry}"
    with pytest.raises(Exception, match=r"(?i)duplicate"):
        campaign.load_events(text)


def test_schema_rejects_bad_entries() -> None:
    with pytest.raises(ValueError):
        campaign.load_events("x:\n  date: 1930-02-30\n  name: X\n  source: s\n")
    with pytest.raises(ValueError):
        campaign.load_events("x:\n  date: 1930-02-03\n  name: X\n")  # no source
    with pytest.raises(ValueError):
        campaign.load_events("Bad-Key:\n  date: 1930-02-03\n  name: X\n  source: s\n")


def test_unknown_theme() -> None:
    with pytest.raises(campaign.UnknownThemeError, match="mot_trieu_sang_kien"):
        campaign.theme("mot_trieu_sang_kein")


# ---------------------------------------------------------------------------- specs and Jinja


def test_build_data_shapes() -> None:
    data = {
        "progress": {"achieved": 493, "target": 779},
        "units": [{"name": "CĐCS A", "achieved": 1, "target": 2}],
        "stages": SEED_004_STAGES,
        "theme": "day_manh_ket_cau_ha_tang",
        "anniversaries": [{"key": "thi_dua_ai_quoc", "year": 2023}],
        "other": {"x": 1},
    }
    out = campaign.build_data(data, document_date=SEED_004_DATE)
    assert out["progress"].text == "493/779 sáng kiến, đạt 63,3%"
    assert isinstance(out["units"], campaign.UnitStatistics)
    assert [s.name for s in out["stages"]] == ["Giai đoạn 1", "Giai đoạn 2"]
    assert out["theme"].key == "day_manh_ket_cau_ha_tang"
    assert out["anniversaries"][0].years == 75
    assert out["other"] == {"x": 1}
    named = campaign.build_data(
        {
            "progress": {
                "giai_doan_1": {"achieved": 3572, "target": 3000, "digits": 0},
                "giai_doan_2": {"achieved": 0, "target": 5191},
            }
        }
    )
    assert named["progress"]["giai_doan_1"].text == "3.572/3.000 sáng kiến, đạt 119%"


def test_build_data_gathers_problems() -> None:
    data = {
        "progress": {"achieved": 1.619, "target": 2000},  # YAML float: a trap
        "stages": [dict(SEED_004_STAGES[0]), dict(SEED_004_STAGES[1], end="03/02/3030")],
        "theme": "ket_cau_ha_tang",
    }
    with pytest.raises(SpecError) as info:
        campaign.build_data(data, document_date=SEED_004_DATE)
    paths = [p.path for p in info.value.problems]
    assert paths == ["data.progress", "data.stages", "data.theme"]
    assert "03/02/3030" in str(info.value)


def _env() -> SandboxedEnvironment:
    env = SandboxedEnvironment()
    env.globals.update(campaign.JINJA_GLOBALS)
    env.filters.update(vi.FILTERS)
    env.filters.update(campaign.FILTERS)
    return env


def test_jinja_use_in_sandbox() -> None:
    data = campaign.build_data(
        {
            "progress": {"achieved": 493, "target": 779},
            "units": [{"name": "A | *B*", "achieved": 1, "target": 2}],
            "stages": SEED_004_STAGES,
        },
        document_date=SEED_004_DATE,
    )
    body = (
        "{{ progress.text }}|{{ 3572 | tien_do(3000, digits=0) }}|"
        "{{ stages[1].anniversaries_text }}|{{ 'thanh_lap_dang' | ky_niem(2025) }}|"
        "{{ anniversary('thi_dua_ai_quoc', 2023).years }}|{{ Progress(1, 4).percent_text }}"
    )
    out = _env().from_string(body).render(**data).split("|")
    assert out[0] == "493/779 sáng kiến, đạt 63,3%"
    assert out[1] == "3.572/3.000 sáng kiến, đạt 119%"
    assert out[2].startswith("100 năm Ngày thành lập Đảng") and "02/9/2030" in out[2]
    assert out[3].startswith("95 năm") and out[4] == "75" and out[5] == "25,0%"
    table = _env().from_string("{{ units | bang_thong_ke }}").render(**data)
    assert "A \\| \\*B\\*" in table
    rows_table = _env().from_string("{{ rows | bang_thong_ke(digits=0) }}").render(rows=ROWS)
    assert _parse_table(rows_table)[-1] == ["", "Tổng cộng", "120", "80", "67%"]
    assert isinstance(campaign.FILTERS["bang_thong_ke"](ROWS), MarkdownText)
