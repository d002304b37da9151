"""``export_templates``: the default templates, the short guide and the context document, ready to
restyle.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from vn_union_docs.authoring.context_doc import context_markdown
from vn_union_docs.authoring.parts import GUIDE_NAME
from vn_union_docs.documents.doc_types import FORMS
from vn_union_docs.errors import TemplateError
from vn_union_docs.rendering.render import templates_dir

# --------------------------------------------------------------------------- export

CONTEXT_DOC_NAME = "template-context.md"

GUIDE_TEXT = """\
# Hướng dẫn sửa mẫu văn bản (template)

Thư mục này có các mẫu mặc định của vn-union-docs, mỗi mẫu trình bày (NĐ 30/2020, Phụ lục III)
một tệp: `cong_van.docx` (Mẫu 1.5), `van_ban.docx` (Mẫu 1.4: kế hoạch, thông báo, báo cáo,
tờ trình …), `quyet_dinh.docx` (Mẫu 1.1-1.3: quyết định, nghị quyết), `cong_dien.docx`,
`giay_moi.docx`, `giay_gioi_thieu.docx`, `bien_ban.docx`, `giay_nghi_phep.docx`. Mở bằng Word
hoặc LibreOffice, sửa, lưu lại (giữ định dạng .docx).

Mỗi mẫu ghi các loại văn bản nó dùng cho trong thuộc tính tệp **Category** (File › Properties),
cách nhau bằng dấu phẩy: `quyet_dinh,nghi_quyet`. Muốn một mẫu riêng cho một loại (ví dụ
chỉ báo cáo), sửa Category thành `bao_cao`; để trống thì mẫu dùng được cho mọi loại.

## Phải giữ
- Các thẻ trong ngoặc nhọn: `{{ issuer }}`, `{{ number_line }}`, `{{ place_date }}`…
  Danh sách đầy đủ các biến: `template-context.md` (trong thư mục này).
- `{{p body }}` (nội dung văn bản) đứng **một mình** trong một đoạn.
- Các đoạn chỉ có một thẻ `{%p … %}` (ví dụ `{%p if parent %}`, `{%p for line in distribution %}`,
  `{%p endif %}`): giữ nguyên, mỗi thẻ một đoạn riêng, không gõ thêm chữ vào đoạn đó.
- Các kiểu (style) `VB Body`, `VB Heading 1`… mà phần nội dung dùng: được đổi định dạng,
  không được xóa hay đổi tên.

## Được đổi
- Phông chữ, cỡ chữ, giãn dòng, khoảng cách, lề trang, độ rộng cột của bảng.
- Định dạng của các kiểu (Home › Styles › Modify): ví dụ «VB Body» cỡ 13 pt.
- Thêm dòng cố định: dòng logo, khẩu hiệu, một dòng dưới chữ ký…
- Thêm thẻ: ví dụ một đoạn `Về việc: {{ subject }}`.

## Mẹo
- Gõ cả thẻ một lần; muốn định dạng (đậm, nghiêng) thì bôi đen **cả thẻ**.
- Tắt AutoCorrect «thay nháy thẳng bằng nháy cong» khi gõ thẻ có chuỗi.
- Không để Track Changes trong mẫu: Review › Accept All Changes trước khi lưu.

## Kiểm tra
    vn-union-docs template check cong_van.docx --type cong_van
    vn-union-docs render van-ban.yaml --out out --template cong_van.docx
    vn-union-docs render thu-muc-van-ban --out out --template THƯ_MỤC_NÀY
hoặc ghi `template: cong_van.docx` (hay tên thư mục này) trong tệp dữ liệu (đường dẫn tính
từ tệp dữ liệu). Với một thư mục, mỗi văn bản dùng mẫu khai báo cho loại của nó (thuộc tính
Category của tệp .docx, mẫu xuất ra đã có sẵn), nếu không thì mẫu tên `<loại>.docx`.
"""


def export_templates(directory: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Copy every default template (one per form), ``template-context.md`` (the variables a
    template can use) and ``HUONG-DAN-MAU.md`` (which links to it) to ``directory``.

    Returns the written paths (templates first). Refuses, with ``TemplateError``, to
    overwrite an existing file unless ``overwrite`` is true (it may be someone's edited
    template).
    """
    directory = Path(directory)
    targets = [directory / f"{form}.docx" for form in FORMS] + [
        directory / CONTEXT_DOC_NAME, directory / GUIDE_NAME]
    existing = [p for p in targets if p.exists()]
    if existing and not overwrite:
        names = ", ".join(p.name for p in existing)
        raise TemplateError(f"thư mục «{directory}» đã có {names}; dùng --force để ghi đè")
    directory.mkdir(parents=True, exist_ok=True)
    for form, target in zip(FORMS, targets, strict=False):
        source = templates_dir() / f"{form}.docx"
        if not source.is_file():
            raise TemplateError(f"không tìm thấy mẫu mặc định «{source}»")
        shutil.copyfile(source, target)
    targets[-2].write_text(context_markdown(), encoding="utf-8")  # the guide links to it
    targets[-1].write_text(GUIDE_TEXT, encoding="utf-8")
    return targets


