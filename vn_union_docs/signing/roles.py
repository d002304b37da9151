"""The four signing roles of NĐ 30/2020 and how a signature records its role.

The role is written twice so any reader finds it: in the signature field's name
(``ND30_signer`` …) and in the signature's /Reason (``… [ND30:signer]``)."""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["FIELD_PREFIX", "REASONS", "ROLE_NAMES", "Role", "field_name", "reason", "role_of"]

FIELD_PREFIX = "ND30_"


class Role(StrEnum):
    """Who signs, in NĐ 30/2020's terms."""

    signer = "signer"  # người có thẩm quyền (Điều 5; Phụ lục I, II.7.d)
    organisation = "organisation"  # cơ quan, tổ chức: dấu (Phụ lục I, II.8.a)
    attachment = "attachment"  # văn bản kèm theo / phụ lục tệp riêng (II.8.b, III.1.d)
    copy = "copy"  # bản sao điện tử: sao y, sao lục, trích sao (Phần II, I.3)


REASONS = {
    Role.signer: "Chữ ký số của người có thẩm quyền (NĐ 30/2020, Phụ lục I, II.7.d)",
    Role.organisation: "Chữ ký số của cơ quan, tổ chức (NĐ 30/2020, Phụ lục I, II.8.a)",
    Role.attachment: "Chữ ký số của cơ quan, tổ chức trên văn bản kèm theo "
                     "(NĐ 30/2020, Phụ lục I, II.8.b)",
    Role.copy: "Chữ ký số của cơ quan, tổ chức trên bản sao điện tử "
               "(NĐ 30/2020, Phụ lục I, Phần II, I.3)",
}

ROLE_NAMES = {
    Role.signer: "người có thẩm quyền",
    Role.organisation: "cơ quan, tổ chức",
    Role.attachment: "văn bản kèm theo",
    Role.copy: "bản sao",
}

_TAG = re.compile(r"\[ND30:(\w+)\]")


def field_name(role: Role) -> str:
    """The signature field of ``role``: ``ND30_signer`` …"""
    return f"{FIELD_PREFIX}{role.value}"


def reason(role: Role) -> str:
    """The /Reason written into a signature of ``role``."""
    return f"{REASONS[role]} [ND30:{role.value}]"


def role_of(field: str | None, reason_text: str | None) -> Role | None:
    """The role a signature was made in, from its field name or its /Reason."""
    if field and field.startswith(FIELD_PREFIX):
        try:
            return Role(field[len(FIELD_PREFIX):])
        except ValueError:
            pass
    if reason_text and (m := _TAG.search(reason_text)):
        try:
            return Role(m.group(1))
        except ValueError:
            return None
    return None
