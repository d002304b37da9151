"""Form fields for the electronic workflow of NĐ 30/2020, Điều 15.3: the leader signs a PDF
whose number and date are blank; the văn thư's organisation step fills them in.

The blanks become text fields (``ND30_so``, ``ND30_ngay``, ``ND30_thang``) added in the
leader's signed revision; filling them later changes only the fields' values and appearances,
which the leader's certification (DocMDP: fill forms and sign) permits, so the leader's
signature stays valid. The filled text is drawn with Liberation Serif (Times New Roman's
metrics, every Vietnamese letter), embedded as a subset so a PDF/A file stays PDF/A.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from typing import Any, cast

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from vn_union_docs.signing.positions import Box

__all__ = ["DATE_FIELDS", "FONT_FILE", "NUMBER_FIELD", "add_text_field", "fill_text_field",
           "font_factory", "read_text_fields", "text_box_stream", "text_width"]

FONT_FILE = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
FONT_FILE_ITALIC = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf"
NUMBER_FIELD = "ND30_so"
DATE_FIELDS = ("ND30_ngay", "ND30_thang")
_FLAG_PRINT = 4
_DESCENT = 443 / 2048  # Liberation Serif's descender, in ems


class _Em1000Accumulator(GlyphAccumulator):
    """pyHanko's glyph accumulator writes glyph widths and TJ adjustments in font units,
    which PDF reads as thousandths of an em: right only for fonts with 1000 units per em.
    Liberation Serif has 2048, so everything is scaled to 1000 here (harfbuzz included)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font_upm = self.units_per_em
        self.units_per_em = 1000
        self.hb_font.scale = (1000, 1000)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        try:
            return self._glyphs[glyph_id]
        except KeyError:
            cid, width = super()._get_cid_and_width(glyph_id)
            scaled = round(width * 1000 / self._font_upm)
            self._glyphs[glyph_id] = (cid, scaled)
            return cid, scaled


# What a stamp or a filled field can show: ASCII, Latin-1, Vietnamese (precomposed and
# combining marks), dashes and quotes.
_REPERTOIRE = [*range(0x20, 0x7F), *range(0xA0, 0x180), 0x1A0, 0x1A1, 0x1AF, 0x1B0,
               *range(0x300, 0x304), 0x309, 0x323, *range(0x1EA0, 0x1EFA),
               *range(0x2010, 0x2027), 0x2030]


@cache
def _font_bytes(path: str) -> bytes:
    """The font cut down once per process to the Vietnamese repertoire (~5 % of its glyphs):
    every signature then parses and subsets a small font instead of the whole file."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    options.drop_tables += ["FFTM", "DSIG", "hdmx", "LTSH", "VDMX", "gasp"]
    options.hinting = False  # 10 pt text on screen and paper: no TrueType hinting needed
    options.layout_features = ["kern", "liga", "ccmp", "mark", "mkmk"]
    font = TTFont(path)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=_REPERTOIRE)
    subsetter.subset(font)
    buffer = BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Factory(GlyphAccumulatorFactory):
    def create_font_engine(self, writer: BasePdfFileWriter,
                           obj_stream: Any = None) -> GlyphAccumulator:
        return _Em1000Accumulator(writer=writer, font_handle=BytesIO(_font_bytes(self.font_file)),
                                  font_size=self.font_size, obj_stream=obj_stream)


_ENGINES: weakref.WeakKeyDictionary[BasePdfFileWriter, dict[tuple[float, bool], Any]] = (
    weakref.WeakKeyDictionary())


def _engine(writer: BasePdfFileWriter, size: float, italic: bool) -> Any:
    """One font engine (one embedded subset) per writer, size and style: the fields filled
    in one update share it."""
    engines = _ENGINES.setdefault(writer, {})
    key = (size, italic)
    if key not in engines:
        engines[key] = font_factory(size, italic).create_font_engine(writer)
    return engines[key]


@cache
def font_factory(font_size: float = 10, italic: bool = False) -> GlyphAccumulatorFactory:
    """The Liberation Serif (``italic``: Italic) font engine factory for ``font_size``."""
    path = FONT_FILE_ITALIC if italic else FONT_FILE
    return _Factory(path, font_size=font_size)  # type: ignore[arg-type] # float works


def _acroform(writer: BasePdfFileWriter) -> generic.DictionaryObject:
    root = writer.root
    try:
        form = root["/AcroForm"]
    except KeyError:
        form = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
        return form
    if "/Fields" not in form:
        form[pdf_name("/Fields")] = generic.ArrayObject()
        writer.update_container(form)
    return form


def add_text_field(writer: BasePdfFileWriter, name: str, box: Box, font_size: float,
                   *, right: bool = False, italic: bool = False) -> None:
    """An empty single-line text field over ``box`` (a blank of the PDF), its text centred
    or (``right``) against the right edge, upright or ``italic`` (the date line is italic:
    NĐ 30/2020, Phụ lục I, II.4)."""
    font = "/LiSeI" if italic else "/LiSe"
    page_ref = writer.find_page_for_modification(box.page)[0]
    width, height = box.width, box.height
    field = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"),
        pdf_name("/T"): pdf_string(name),
        pdf_name("/V"): pdf_string(""),
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in box.rect()),
        pdf_name("/F"): generic.NumberObject(_FLAG_PRINT),
        pdf_name("/P"): page_ref,
        pdf_name("/Q"): generic.NumberObject(2 if right else 1),
        pdf_name("/DA"): pdf_string(f"{font} {font_size:g} Tf 0 g"),
        pdf_name("/AP"): generic.DictionaryObject(
            {pdf_name("/N"): writer.add_object(_form(width, height, b""))}),
    })
    ref = writer.add_object(field)
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([ref])
        writer.update_container(page)
    else:
        annots.get_object().append(ref)
        writer.update_container(annots)
    form = _acroform(writer)
    form["/Fields"].append(ref)
    writer.update_container(form["/Fields"])
    # Viewers that regenerate a field need a font for /DA: Liberation Serif, embedded.
    resources = form.get("/DR")
    fonts = resources.get("/Font") if resources is not None else None
    if fonts is None or font not in fonts:
        font_ref = _digit_font_ref(writer, False)  # one upright digit font for both names
        if resources is None:
            form[pdf_name("/DR")] = generic.DictionaryObject(
                {pdf_name("/Font"): generic.DictionaryObject({pdf_name(font): font_ref})})
        else:
            resources = resources.get_object()
            if fonts is None:
                resources[pdf_name("/Font")] = generic.DictionaryObject()
            resources["/Font"][pdf_name(font)] = font_ref
        writer.update_container(form)


_DIGITS = "0123456789"


@dataclass(frozen=True)
class _DigitFont:
    """A Liberation Serif subset holding the digits, built once per process in a small PDF
    and copied into each document: numbers and dates need no font subsetting per file."""

    pdf: bytes
    codes: dict[str, bytes]  # digit -> its hex code in the font
    advance: dict[str, float]  # digit -> width in ems


@cache
def _digit_font(italic: bool) -> _DigitFont:
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    engine = font_factory(10, italic).create_font_engine(writer)
    codes, advance = {}, {}
    for digit in _DIGITS:
        shaped = engine.shape(digit, with_actual_text=False)
        found = re.search(rb"<([0-9a-fA-F]+)>", shaped.graphics_ops)
        assert found is not None
        codes[digit], advance[digit] = found.group(1), shaped.x_advance
    writer.root[pdf_name("/VnudDigits")] = engine.as_resource()
    writer.update_root()
    buffer = BytesIO()
    writer.write(buffer)
    return _DigitFont(buffer.getvalue(), codes, advance)


def _digit_font_ref(writer: BasePdfFileWriter, italic: bool) -> generic.IndirectObject:
    """The digit font copied into ``writer`` (once per writer and style)."""
    engines = _ENGINES.setdefault(writer, {})
    key = (-1.0, italic)
    if key not in engines:
        reader = PdfFileReader(BytesIO(_digit_font(italic).pdf))
        engines[key] = writer.import_object(reader.root.raw_get("/VnudDigits"))
    return cast(generic.IndirectObject, engines[key])


def _digits_stream(writer: BasePdfFileWriter, text: str, width: float, height: float,
                   font_size: float, align: str, italic: bool) -> generic.StreamObject:
    font = _digit_font(italic)
    advance = sum(font.advance[c] for c in text)
    size = round(min(font_size, max(5.0, (width - 1) / advance)), 1)
    line_w = advance * size
    x = (width - line_w) / 2 if align == "centre" else width - line_w - 0.5
    baseline = (height - size) / 2 + size * _DESCENT
    codes = b"".join(font.codes[c] for c in text)
    content = b"q BT /F1 %.2f Tf 0 g 1 0 0 1 %.2f %.2f Tm [<%s>] TJ ET Q" % (
        size, x, baseline, codes)
    return _form(width, height, content, _digit_font_ref(writer, italic))


def _form(width: float, height: float, content: bytes,
          font_ref: generic.PdfObject | None = None) -> generic.StreamObject:
    """A form XObject of ``width`` × ``height`` points drawing ``content``, with ``font_ref``
    as its font /F1 (no resources without one: an empty appearance)."""
    resources = generic.DictionaryObject() if font_ref is None else generic.DictionaryObject(
        {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font_ref})})
    return generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): generic.ArrayObject(
            [generic.FloatObject(0), generic.FloatObject(0),
             generic.FloatObject(round(width, 2)), generic.FloatObject(round(height, 2))]),
        pdf_name("/Resources"): resources,
    }, stream_data=content)


def text_box_stream(writer: BasePdfFileWriter, text: str, width: float, height: float,
                    font_size: float, *, align: str = "centre",
                    italic: bool = False) -> generic.StreamObject:
    """A form XObject of ``width`` × ``height`` points showing ``text`` (one or more lines,
    Liberation Serif embedded, black), centred or right-aligned, shrunk to fit the width."""
    if text and all(c in _DIGITS for c in text):
        return _digits_stream(writer, text, width, height, font_size, align, italic)
    lines = text.split("\n")
    widest = max(text_width(line, 1.0) for line in lines) or 1.0
    size = round(min(font_size, max(5.0, (width - 1) / widest)), 1)
    engine = _engine(writer, size, italic)
    shaped = [engine.shape(line) for line in lines]
    leading = size * 1.1
    top = (height + leading * len(lines)) / 2
    ops = [b"q BT /F1 %.2f Tf 0 g" % size]
    for i, shape in enumerate(shaped):
        line_w = shape.x_advance * size
        x = (width - line_w) / 2 if align == "centre" else width - line_w - 0.5
        baseline = top - leading * (i + 1) + size * _DESCENT + (leading - size) / 2
        ops.append(b"1 0 0 1 %.2f %.2f Tm %s" % (x, baseline, shape.graphics_ops))
    ops.append(b"ET Q")
    return _form(width, height, b"\n".join(ops), engine.as_resource())


def text_width(text: str, font_size: float) -> float:
    """Width in points of the widest line of ``text`` in Liberation Serif."""
    font = _ttfont()
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    upm = font["head"].unitsPerEm
    return max(sum(hmtx[cmap.get(ord(c), ".notdef")][0] for c in line) / upm * font_size
               for line in text.split("\n"))


@cache
def _ttfont() -> Any:
    from fontTools.ttLib import TTFont

    return TTFont(FONT_FILE, lazy=True)


def _field_refs(reader: PdfFileReader) -> dict[str, generic.IndirectObject]:
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return {}
    found: dict[str, generic.IndirectObject] = {}
    for ref in fields:
        obj = ref.get_object()
        name = obj.get("/T")
        if isinstance(ref, generic.IndirectObject) and name is not None:
            found[str(name)] = ref
    return found


def read_text_fields(reader: PdfFileReader) -> dict[str, str]:
    """The ND30 text fields of a PDF and their values (``""`` when still blank)."""
    result = {}
    for name, ref in _field_refs(reader).items():
        obj = ref.get_object()
        if name.startswith("ND30_") and obj.get("/FT") == "/Tx":
            result[name] = str(obj.get("/V", ""))
    return result


def fill_text_field(writer: BasePdfFileWriter, name: str, value: str) -> None:
    """Give the text field ``name`` its value and a matching appearance."""
    ref = _field_refs(writer.prev)[name]  # type: ignore[attr-defined]
    field = ref.get_object()
    x0, y0, x1, y1 = (float(v) for v in field["/Rect"])
    da = str(field.get("/DA", "/LiSe 13 Tf 0 g")).split()
    size = float(da[da.index("Tf") - 1]) if "Tf" in da else 13.0
    align = "right" if field.get("/Q") == 2 else "centre"
    stream = text_box_stream(writer, value, x1 - x0, y1 - y0, size, align=align,
                             italic="/LiSeI" in da)
    field[pdf_name("/V")] = pdf_string(value)
    field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): writer.add_object(stream)})
    writer.mark_update(ref)
