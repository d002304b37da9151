"""edXML envelopes (QCVN 102:2016/BTTTT, namespace ``http://www.mic.gov.vn/TBT/QCVN_102_2016``):
the data (``Envelope``), writing it as XML in the standard's element order, and reading it back.

Element names and order follow ``edxml-notes.md`` (public samples of the exchange SDKs): the
root ``edXML`` holds ``edXMLEnvelope`` (``edXMLHeader`` with ``MessageHeader``,
``TraceHeaderList`` and the XML-DSig ``Signature``; ``edXMLBody`` with ``edXMLManifest``) and,
after it, ``AttachmentEncoded`` with the files in base64.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from vn_union_docs.errors import VnUnionDocsError

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DS = "http://www.w3.org/2000/09/xmldsig#"
_MAX_ENVELOPE_BYTES = 200 << 20


class ExchangeError(VnUnionDocsError):
    """An envelope cannot be built, read or trusted (missing code, bad signature, changed
    attachment, not an edXML file)."""


@dataclass(frozen=True)
class Organ:
    """An agency as edXML names it: its code in the national list (mã định danh) and name."""

    organ_id: str
    name: str
    in_charge: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file carried in the envelope."""

    content_id: str
    name: str
    content_type: str
    description: str
    data: bytes


@dataclass(frozen=True)
class Staff:
    """Who sends the envelope (the văn thư): the TraceHeader's ``StaffInfo``."""

    department: str = ""
    name: str = ""
    email: str = ""
    mobile: str = ""


@dataclass
class Envelope:
    """Every header field of a document envelope, and its attachments."""

    sender: Organ
    recipients: list[Organ]
    number: int
    notation: str
    place: str
    date: dt.date
    type_code: str
    type_name: str
    subject: str
    competence: str
    position: str
    full_name: str
    priority: int = 0
    copies: int = 0
    pages: int = 0
    appendixes: list[str] = field(default_factory=list)
    to_places: list[str] = field(default_factory=list)
    due_date: dt.date | None = None
    steering_type: int | None = None
    timestamp: str = ""
    business_type: int = 0
    """``BussinessDocType``: 0 a new document (replacements and revocations are not made)."""
    business_reason: str = ""
    paper: int = 0
    """``Paper``: 1 when the paper original is also sent, else 0."""
    staff: Staff = field(default_factory=Staff)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def document_id(self) -> str:
        """``OrganId,yyyy/mm/dd,number/notation``."""
        return f"{self.sender.organ_id},{self.date:%Y/%m/%d},{self.number:02d}/{self.notation}"


def _sub(parent: Any, name: str, text: object = None) -> Any:
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _organ(parent: Any, name: str, organ: Organ) -> None:
    node = _sub(parent, name)
    _sub(node, "OrganId", organ.organ_id)
    _sub(node, "OrganizationInCharge", organ.in_charge)
    _sub(node, "OrganName", organ.name)
    for empty in ("OrganAdd", "Email", "Telephone", "Fax", "Website"):
        _sub(node, empty, "")


def build(envelope: Envelope) -> Any:
    """The envelope as an lxml tree (unsigned; a ``Signature`` placeholder where it goes)."""
    root = etree.Element(f"{{{NS}}}edXML", nsmap={None: NS})
    env = _sub(root, "edXMLEnvelope")
    header = _sub(env, "edXMLHeader")
    message = _sub(header, "MessageHeader")
    _organ(message, "From", envelope.sender)
    for recipient in envelope.recipients:
        _organ(message, "To", recipient)
    _sub(message, "DocumentId", envelope.document_id)
    code = _sub(message, "Code")
    _sub(code, "CodeNumber", f"{envelope.number:02d}")
    _sub(code, "CodeNotation", envelope.notation)
    promulgation = _sub(message, "PromulgationInfo")
    _sub(promulgation, "Place", envelope.place)
    _sub(promulgation, "PromulgationDate", f"{envelope.date:%Y/%m/%d}")
    doc_type = _sub(message, "DocumentType")
    _sub(doc_type, "Type", "1")  # 1: văn bản hành chính
    _sub(doc_type, "TypeDetail", envelope.type_code)
    _sub(doc_type, "TypeName", envelope.type_name)
    _sub(message, "Subject", envelope.subject)
    _sub(message, "Content", "")
    signer = _sub(message, "SignerInfo")
    _sub(signer, "Competence", envelope.competence)
    _sub(signer, "Position", envelope.position)
    _sub(signer, "FullName", envelope.full_name)
    if envelope.due_date is not None:
        _sub(message, "DueDate", f"{envelope.due_date:%Y/%m/%d}")
    if envelope.steering_type is not None:
        _sub(message, "SteeringType", envelope.steering_type)
    other = _sub(message, "OtherInfo")
    _sub(other, "Priority", envelope.priority)
    _sub(other, "SphereOfPromulgation", "")
    _sub(other, "TyperNotation", "")
    _sub(other, "PromulgationAmount", envelope.copies)
    _sub(other, "PageAmount", envelope.pages)
    _sub(other, "Direction", "false")
    appendixes = _sub(other, "Appendixes")
    for name in envelope.appendixes:
        _sub(appendixes, "Appendix", name)
    places = _sub(message, "ToPlaces")
    for place in envelope.to_places:
        _sub(places, "Place", place)
    traces = _sub(header, "TraceHeaderList")
    trace = _sub(traces, "TraceHeader")
    _sub(trace, "OrganId", envelope.sender.organ_id)
    _sub(trace, "Timestamp", envelope.timestamp)
    business = _sub(traces, "Bussiness")  # the standard's spelling
    _sub(business, "DocumentId", envelope.document_id)
    _sub(business, "BussinessDocType", envelope.business_type)
    _sub(business, "BussinessDocReason", envelope.business_reason)
    _sub(business, "Paper", envelope.paper)
    staff = _sub(business, "StaffInfo")
    _sub(staff, "Department", envelope.staff.department)
    _sub(staff, "Staff", envelope.staff.name)
    _sub(staff, "Email", envelope.staff.email)
    _sub(staff, "Mobile", envelope.staff.mobile)
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})
    body = _sub(env, "edXMLBody")
    manifest = _sub(body, "edXMLManifest")
    for item in envelope.attachments:
        reference = _sub(manifest, "Reference")
        _sub(reference, "ContentId", f"cid:{item.content_id}")
        _sub(reference, "ContentType", item.content_type)
        _sub(reference, "Description", item.description)
        _sub(reference, "AttachmentName", item.name)
    encoded = _sub(root, "AttachmentEncoded")
    for item in envelope.attachments:
        attachment = _sub(encoded, "Attachment")
        _sub(attachment, "ContentId", item.content_id)
        _sub(attachment, "AttachmentName", item.name)
        _sub(attachment, "Description", item.description)
        _sub(attachment, "ContentType", item.content_type)
        _sub(attachment, "ContentTransferEncoded", base64.b64encode(item.data).decode("ascii"))
    return root


def _text(node: Any, path: str) -> str:
    found = node.find(path, {"e": NS})
    return (found.text or "") if found is not None else ""


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y/%m/%d").date()


def parse(data: bytes) -> Any:
    """The envelope's XML tree; raises ``ExchangeError`` for what is not an edXML envelope."""
    if len(data) > _MAX_ENVELOPE_BYTES:
        raise ExchangeError("tệp edXML quá lớn (tối đa 200 MB)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ExchangeError(f"tệp không phải XML hợp lệ: {exc}") from None
    if root.tag != f"{{{NS}}}edXML":
        raise ExchangeError(f"tệp không phải gói tin edXML (phần tử gốc {root.tag}, cần edXML "
                            f"trong không gian tên {NS})")
    return root


def read(data: bytes) -> Envelope:
    """Read an envelope's fields and attachments (the signature is checked by ``verify``)."""
    root = parse(data)
    m = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", {"e": NS})
    if m is None:
        raise ExchangeError("gói tin edXML thiếu MessageHeader")

    def organ(node: Any) -> Organ:
        return Organ(_text(node, "e:OrganId"), _text(node, "e:OrganName"),
                     _text(node, "e:OrganizationInCharge"))

    attachments = []
    for node in root.findall("e:AttachmentEncoded/e:Attachment", {"e": NS}):
        try:
            payload = base64.b64decode(_text(node, "e:ContentTransferEncoded"), validate=True)
        except ValueError:
            raise ExchangeError(f"tệp đính kèm «{_text(node, 'e:AttachmentName')}» không phải "
                                "base64 hợp lệ") from None
        attachments.append(Attachment(_text(node, "e:ContentId"), _text(node, "e:AttachmentName"),
                                      _text(node, "e:ContentType"), _text(node, "e:Description"),
                                      payload))
    business = root.find("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/e:Bussiness",
                         {"e": NS})
    if business is None:
        business = etree.Element("none")
    due = _text(m, "e:DueDate")
    steering = _text(m, "e:SteeringType")
    try:
        return Envelope(
            sender=organ(m.find("e:From", {"e": NS})),
            recipients=[organ(n) for n in m.findall("e:To", {"e": NS})],
            number=int(_text(m, "e:Code/e:CodeNumber")),
            notation=_text(m, "e:Code/e:CodeNotation"),
            place=_text(m, "e:PromulgationInfo/e:Place"),
            date=_date(_text(m, "e:PromulgationInfo/e:PromulgationDate")),
            type_code=_text(m, "e:DocumentType/e:TypeDetail"),
            type_name=_text(m, "e:DocumentType/e:TypeName"),
            subject=_text(m, "e:Subject"),
            competence=_text(m, "e:SignerInfo/e:Competence"),
            position=_text(m, "e:SignerInfo/e:Position"),
            full_name=_text(m, "e:SignerInfo/e:FullName"),
            priority=int(_text(m, "e:OtherInfo/e:Priority") or 0),
            copies=int(_text(m, "e:OtherInfo/e:PromulgationAmount") or 0),
            pages=int(_text(m, "e:OtherInfo/e:PageAmount") or 0),
            appendixes=[n.text or "" for n in m.findall("e:OtherInfo/e:Appendixes/e:Appendix",
                                                       {"e": NS})],
            to_places=[n.text or "" for n in m.findall("e:ToPlaces/e:Place", {"e": NS})],
            due_date=_date(due) if due else None,
            steering_type=int(steering) if steering else None,
            timestamp=_text(root, "e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/"
                                  "e:TraceHeader/e:Timestamp"),
            business_type=int(_text(business, "e:BussinessDocType") or 0),
            business_reason=_text(business, "e:BussinessDocReason"),
            paper=int(_text(business, "e:Paper") or 0),
            staff=Staff(*(_text(business, f"e:StaffInfo/e:{name}")
                          for name in ("Department", "Staff", "Email", "Mobile"))),
            attachments=attachments,
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise ExchangeError(f"tiêu đề gói tin edXML sai: {exc}") from None
