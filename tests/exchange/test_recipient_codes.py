"""Recipients written with their organisation code (``{name, organ_id}``) next to plain
strings: the batch's placeholders fill both, the spec reader and the checker take them as
recipients, the schema documents them; plain strings are unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from vn_union_docs import SpecError, SpecTemplate, check, load_document
from vn_union_docs.documents.doc_types import DOCUMENT_ADAPTER

ROOT = Path(__file__).resolve().parents[2]
BASE = {"type": "cong_van", "issuer": {"name": "Công đoàn ngành Y tế", "code": "CĐYT",
                                       "organ_id": "000.12.34.H56"},
        "place": "Thái Bình", "subject": "Về việc thử", "body": "Nội dung.",
        "signature": {"name": "Nguyễn Văn A"}}


def test_batch_placeholders_fill_name_and_code() -> None:
    yaml = YAML(typ="safe")
    spec = yaml.load((ROOT / "examples/batch/cong_van_cdcs.yaml").read_text("utf-8"))
    spec["recipients"] = [{"name": "Ban Chấp hành {{ ten_cdcs }}",
                           "organ_id": "000.00.{{ ma_cdcs }}.H79"}, "Ban Nữ công"]
    template = SpecTemplate(spec)
    for code, name in (("0101", "Công đoàn phường An Khánh"), ("0102", "Công đoàn phường An Phú")):
        doc = template.document({"ma_cdcs": code, "ten_cdcs": name, "chu_tich": "A",
                                 "so_doan_vien": 86, "so_sang_kien": 24, "chi_tieu": 40})
        assert doc.recipients == [f"Ban Chấp hành {name}", "Ban Nữ công"]
        assert [(o.name, o.organ_id) for o in doc.recipient_organs] == [
            (f"Ban Chấp hành {name}", f"000.00.{code}.H79")]


def test_plain_strings_unchanged_and_codes_optional() -> None:
    plain = load_document({**BASE, "recipients": ["Các CĐCS"], "distribution": ["Như trên"]})
    assert plain.recipients == ["Các CĐCS"] and plain.recipient_organs == []
    named = load_document({**BASE, "recipients": [{"name": "Các CĐCS"}]})
    assert named.recipients == ["Các CĐCS"] and named.recipient_organs == []
    dumped = load_document({**BASE, "recipients": [{"name": "A", "organ_id": "1"}]}).model_dump()
    assert dumped["recipients"] == ["A"] and "recipient_organs" not in dumped


@pytest.mark.parametrize("item", [{"name": "A", "organ_id": "1", "extra": "x"},
                                  {"organ_id": "000.00.00.G22"}])
def test_other_mappings_are_still_refused(item: dict[str, str]) -> None:
    with pytest.raises(SpecError, match="recipients"):
        load_document({**BASE, "recipients": [item]})
    with pytest.raises(SpecError, match="recipient_organs"):
        load_document({**BASE, "recipient_organs": [{"name": "A", "organ_id": "1"}]})


def test_spec_file_reader_and_checker(tmp_path: Path) -> None:
    spec = tmp_path / "cv.yaml"
    spec.write_text(
        "type: cong_van\nissuer:\n  name: Công đoàn ngành Y tế\n  code: CĐYT\nplace: Thái Bình\n"
        "subject: Về việc thử\nrecipients:\n  - name: Các CĐCS trực thuộc\n"
        "    organ_id: 000.12.34.H57\nbody: Nội dung.\nsignature:\n  name: Nguyễn Văn A\n"
        "distribution:\n  - Như trên\n  - name: LĐLĐ tỉnh (để b/c);\n    organ_id: 000.12.00.H01\n"
        "  - BQT Website: đăng tin\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_document(spec)
    # the quoted-line pitfall is still reported, for the line that is not {name, organ_id}
    assert [p.path for p in caught.value.problems] == ["distribution[2]"]
    findings = [f for f in check(spec) if f.place.startswith("distribution")]
    assert {f.place for f in findings} == {"distribution[1]", "distribution[2]"}
    # distribution[1]: its name ends with «;» (the checker reads the name of a coded item)
    assert any(f.place == "distribution[1]" and ";" in f.message for f in findings)


def test_schema_documents_the_new_keys() -> None:
    defs = DOCUMENT_ADAPTER.json_schema()["$defs"]
    cong_van = next(d for d in defs.values() if "recipients" in d.get("properties", {}))
    props = cong_van["properties"]
    assert props["recipients"]["items"] == {"type": "string"}  # the web form's list
    assert props["recipients"]["x-item-with-code"]["required"] == ["name"]
    assert "organ_id" in props["distribution"]["x-item-with-code"]["properties"]
    assert {"format": "date", "type": "string"} in props["due_date"]["anyOf"]
    assert "SteeringType" in props["steering_type"]["description"]
    assert "recipient_organs" not in props
