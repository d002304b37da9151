"""The signature and seal images NĐ 30/2020 asks for (Phụ lục I, II.7.d and II.8.a): PNG with
a transparent background; the signature blue, the seal red, the seal at its real size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage

from vn_union_docs.signing.errors import SigningError

__all__ = ["CachedPdfImage", "StampImage", "decoded", "load_image"]

_MAX_BYTES = 10 << 20
_MAX_PIXELS = 4000 * 4000


@dataclass(frozen=True)
class StampImage:
    """A checked PNG: its bytes, pixel size and the colour its ink is closest to."""

    path: str
    data: bytes
    size: tuple[int, int]
    colour: str  # "blue", "red" or "other"


@lru_cache(maxsize=16)
def decoded(image: StampImage) -> object:
    """The image decoded by Pillow (kept for a batch; treat as read-only)."""
    from PIL import Image

    pil = Image.open(BytesIO(image.data))
    pil.load()
    return pil


def _ink_colour(image: object) -> str:
    from PIL import Image

    assert isinstance(image, Image.Image)
    small = image.convert("RGBA").resize((64, 64))
    r = g = b = 0.0
    n = 0
    raw = small.tobytes()
    for i in range(0, len(raw), 4):
        pr, pg, pb, pa = raw[i:i + 4]
        if pa > 128:
            r, g, b, n = r + pr, g + pg, b + pb, n + 1
    if n == 0:
        return "other"
    r, g, b = r / n, g / n, b / n
    if b > r + 30 and b > g + 10:
        return "blue"
    if r > g + 60 and r > b + 60:
        return "red"
    return "other"


def load_image(path: Path | str, *, what: str) -> StampImage:
    """Read and check ``path``: a PNG (by content, not by name) with transparent pixels.
    ``what`` names the image in messages (``ảnh chữ ký``, ``ảnh dấu``). A batch reads and
    checks the same file once (cached on its path, size and modification time)."""
    source = str(path)
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise SigningError(f"{source}: không đọc được {what} ({exc.strerror}).") from exc
    return _load_image(source, stat.st_size, stat.st_mtime_ns, what)


@lru_cache(maxsize=16)
def _load_image(source: str, _size: int, _mtime: int, what: str) -> StampImage:
    from PIL import Image, UnidentifiedImageError

    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise SigningError(f"{source}: không đọc được {what} ({exc.strerror}).") from exc
    if len(data) > _MAX_BYTES:
        raise SigningError(f"{source}: {what} quá lớn ({len(data) // 1024} KB); tối đa 10 MB.")
    rule = "NĐ 30/2020, Phụ lục I, mục II.7.d và II.8.a"
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format != "PNG":
                raise SigningError(
                    f"{source}: {what} phải là tệp PNG nền trong suốt ({rule}); tệp này là "
                    f"{image.format or 'không rõ định dạng'}. Hãy xuất lại ảnh dạng .png.")
            if image.width * image.height > _MAX_PIXELS:
                raise SigningError(f"{source}: {what} quá lớn ({image.width}×{image.height} "
                                   "điểm ảnh); 1000–2000 điểm ảnh mỗi chiều là đủ.")
            image.load()
            transparent = False
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                alpha = image.convert("RGBA").getchannel("A")
                low = alpha.getextrema()[0]
                transparent = isinstance(low, int | float) and low < 255
            if not transparent:
                raise SigningError(
                    f"{source}: {what} không có nền trong suốt ({rule}); ảnh nền trắng sẽ che "
                    "chữ của văn bản. Hãy tách nền (xuất PNG có kênh alpha).")
            colour = _ink_colour(image)
            size = (image.width, image.height)
    except Image.DecompressionBombError:  # Pillow refuses to open it: far over our limit
        raise SigningError(f"{source}: {what} quá lớn (hơn {_MAX_PIXELS:,} điểm ảnh); "
                           "1000–2000 điểm ảnh mỗi chiều là đủ.".replace(",", ".")) from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise SigningError(f"{source}: {what} không phải ảnh PNG đọc được ({rule}).") from exc
    return StampImage(source, data, size, colour)


@lru_cache(maxsize=16)
def _encoded(image: StampImage) -> tuple[bytes, bytes | None]:
    """The image's colour samples and alpha channel, deflated once (for every signature)."""
    import zlib

    from PIL import Image

    pil = decoded(image)
    assert isinstance(pil, Image.Image)
    rgba = pil.convert("RGBA")
    alpha = zlib.compress(rgba.getchannel("A").tobytes())
    return zlib.compress(rgba.convert("RGB").tobytes()), alpha


class CachedPdfImage(PdfImage):
    """pyHanko's ``PdfImage`` deflates the image again for every file it is written to; a
    batch signs with the same image, so its compressed streams are made once."""

    def __init__(self, image: StampImage) -> None:
        super().__init__(decoded(image))  # type: ignore[arg-type]
        self.stamp = image

    @property
    def image_ref(self) -> generic.IndirectObject:
        writer = self.writer
        assert writer is not None
        ref = self._image_ref
        if ref is not None and ref.get_pdf_handler() is writer:
            return ref
        colour, alpha = _encoded(self.stamp)
        width, height = self.stamp.size

        def stream(data: bytes, space: str) -> generic.StreamObject:
            return generic.StreamObject({
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Image"),
                pdf_name("/Width"): generic.NumberObject(width),
                pdf_name("/Height"): generic.NumberObject(height),
                pdf_name("/ColorSpace"): pdf_name(space),
                pdf_name("/BitsPerComponent"): generic.NumberObject(8),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
            }, encoded_data=data)

        main = stream(colour, "/DeviceRGB")
        if alpha is not None:
            main[pdf_name("/SMask")] = writer.add_object(stream(alpha, "/DeviceGray"))
        self._image_ref = ref = writer.add_object(main)
        return ref
