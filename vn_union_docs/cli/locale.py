"""The command line's own words in Vietnamese: usage errors, help panels, the --help option.

Typer (and the click it vendors) print their messages in English with no setting to change
them. Clerks should read "Thiếu đối số «spec»", not "Missing argument 'spec'": this module
translates the messages as they are formatted, from a table of patterns (``_MESSAGES``);
a message the table does not know prints in English, unchanged. ``install()`` is called once
by ``vn_union_docs.cli``; the library itself never prints these.
"""

from __future__ import annotations

import contextlib
import importlib
import re
from collections.abc import Callable
from typing import Any

__all__ = ["HELP_OPTION_NAMES", "install", "translate"]

_PARAM_KIND = {"argument": "đối số", "option": "tùy chọn", "parameter": "tham số"}
_PATH_KIND = {"File": "Tệp", "Directory": "Thư mục", "Path": "Đường dẫn"}

# (pattern, replacement), applied in order to the whole message; \N refers to the groups.
_MESSAGES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^Missing (argument|option|parameter)(?: (.+?))?\.(?= |$)"),
     lambda m: f"Thiếu {_PARAM_KIND[m[1]]}" + (f" {_quote(m[2])}" if m[2] else "") + "."),
    (re.compile(r"^Missing parameter: (.+)$"), lambda m: f"Thiếu tham số {_quote(m[1])}"),
    (re.compile(r"^No such option: (\S+)"), lambda m: f"Không có tùy chọn {m[1]}"),
    (re.compile(r"\(Possible options: (.+)\)$"), r"(có phải: \1?)"),
    (re.compile(r"^No such command '(.+?)'\."), r"Không có lệnh «\1»."),
    (re.compile(r" ?Did you mean (.+)\?$"), r" Có phải ý bạn là \1?"),
    (re.compile(r"^Option '(.+?)' requires an argument\."), r"Tùy chọn «\1» cần một giá trị."),
    (re.compile(r"^Option '(.+?)' requires (\d+) arguments\."), r"Tùy chọn «\1» cần \2 giá trị."),
    (re.compile(r"^Option '(.+?)' does not take a value\."), r"Tùy chọn «\1» không nhận giá trị."),
    (re.compile(r"^Argument '(.+?)' takes (\d+) values\."), r"Đối số «\1» cần \2 giá trị."),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"), r"Thừa đối số: \1"),
    (re.compile(r"^Invalid value for (.+?): "),
     lambda m: f"Giá trị không hợp lệ cho {_quote(m[1])}: "),
    (re.compile(r"Value error, '(.*)' is not one of (.+?)\.?$"), r"«\1» không phải một trong \2."),
    (re.compile(r"^Invalid value: "), "Giá trị không hợp lệ: "),
    (re.compile(r"(File|Directory|Path) '(.+?)' does not exist\."),
     lambda m: f"{_PATH_KIND[m[1]]} «{m[2]}» không tồn tại."),
    (re.compile(r"(File|Directory|Path) '(.+?)' is a file\."),
     lambda m: f"«{m[2]}» là một tệp, cần một thư mục."),
    (re.compile(r"(File|Directory|Path) '(.+?)' is a directory\."),
     lambda m: f"«{m[2]}» là một thư mục, cần một tệp."),
    (re.compile(r"(File|Directory|Path) '(.+?)' is not readable\."),
     lambda m: f"Không đọc được «{m[2]}»."),
    (re.compile(r"(File|Directory|Path) '(.+?)' is not writable\."),
     lambda m: f"Không ghi được vào «{m[2]}»."),
    (re.compile(r"Input should be a valid integer.*$"), "phải là một số nguyên."),
    (re.compile(r"Input should be a valid number.*$"), "phải là một số."),
    (re.compile(r"Input should be greater than or equal to (\S+?)\.?$"), r"phải từ \1 trở lên."),
    (re.compile(r"Input should be greater than (\S+?)\.?$"), r"phải lớn hơn \1."),
    (re.compile(r"Input should be (('[^']*'(?:, | or ))+'[^']*')$"),
     lambda m: "phải là một trong " + m[1].replace(" or ", ", ") + "."),
    (re.compile(r"^Value (.+) is not a valid (\w+)\.$"), r"Giá trị \1 không hợp lệ (\2)."),
    (re.compile(r"^Could not open file (.+?): "), r"Không mở được tệp \1: "),
]


def _quote(hint: str) -> str:
    """``'--out' / '-o'`` → ``«--out» / «-o»``; a bare name gets the quotes too."""
    parts = [part.strip().strip("'\"") for part in hint.split(" / ")]
    return " / ".join(f"«{part}»" for part in parts)


def translate(message: str) -> str:
    """A typer/click usage message in Vietnamese; unknown messages come back unchanged."""
    for pattern, replacement in _MESSAGES:
        message = pattern.sub(replacement, message)
    return message


# Typer's help and error panels read these module constants when they print.
_RICH_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": "Đối số",
    "OPTIONS_PANEL_TITLE": "Tùy chọn",
    "COMMANDS_PANEL_TITLE": "Lệnh",
    "ERRORS_PANEL_TITLE": "Lỗi",
    "ABORTED_TEXT": "Đã dừng.",
    "RICH_HELP": "Xem [blue]'{command_path} {help_option}'[/] để biết cách dùng.",
    "REQUIRED_LONG_STRING": "[bắt buộc]",
    "DEFAULT_STRING": "[mặc định: {}]",
    "ENVVAR_STRING": "[biến môi trường: {}]",
    "DEPRECATED_STRING": "(không dùng nữa) ",
}
_USAGE_PREFIX = "Cách dùng: "
_MARK = "_vn_union_docs"


def _wrap(cls: Any, name: str, make: Callable[[Any], Any]) -> None:
    """Replace the method ``cls.name`` by ``make(original)``, once."""
    original = getattr(cls, name)
    if getattr(original, _MARK, False):
        return
    replacement = make(original)
    setattr(replacement, _MARK, True)
    setattr(cls, name, replacement)


def _translated_message(english: Any) -> Any:
    def format_message(self: Any) -> str:
        return translate(english(self))

    return format_message


def _vietnamese_help_option(english: Any) -> Any:
    """Click writes the --help option's own help in English and typer offers no setting."""

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = english(self, ctx)
        if option is not None:
            option.help = "Hiện hướng dẫn này rồi thoát."
        return option

    return get_help_option


def _vietnamese_usage(english: Any) -> Any:
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        english(self, prog, args, _USAGE_PREFIX if prefix is None else prefix)

    return write_usage


# What an option's value is, in the help's type column, when the command names none: by the
# option's name, else by its type.
_NAME_WORDS = {"out": "THƯ_MỤC", "name": "MẪU_TÊN", "sheet": "TRANG_TÍNH", "jobs": "SỐ",
               "template": "TỆP_HOẶC_THƯ_MỤC", "bundle": "TỆP", "data": "TỆP_DỮ_LIỆU"}
_TYPE_WORDS = {"path": "TỆP", "int": "SỐ", "float": "SỐ", "str": "CHỮ"}


def _argument_usage(_english: Any) -> Any:
    """``{specs}...`` → ``TỆP...``: the metavar in capitals, no braces (optional: [ ])."""

    def usage_display_name(self: Any) -> str:
        name = str(self.display_name_raw).upper().removesuffix("...")
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    return usage_display_name


def _argument_name(_english: Any) -> Any:
    def rich_display_name(self: Any) -> str:
        name = str(self.display_name_raw).upper().removesuffix("...")
        return name + ("..." if self.nargs != 1 else "")

    return rich_display_name


def _argument_display_name(_english: Any) -> Any:
    """An argument is shown by its metavar, else its name in capitals (``SPEC``)."""
    return property(lambda self: str(self.metavar or self.name.upper()))


def _no_argument_type(_english: Any) -> Any:
    """An argument's name column already says what it is: no ``<list[Path]>`` beside it."""

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None

    return display_type_rich


def _option_type(english: Any) -> Any:
    """No ``<bool>`` after a flag; a word (``TỆP``, ``SỐ``) or the choices otherwise."""

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) or getattr(self, "is_bool_flag", False):
            return None
        if self.metavar is not None:
            return str(self.metavar)
        if self.name in _NAME_WORDS:
            return _NAME_WORDS[self.name]
        shown = english(self, ctx)
        if shown is None:
            return None
        label = str(shown).strip("<>").removesuffix("...")
        if "|" in label:
            return label
        return _TYPE_WORDS.get(label.lower(), label.upper())

    return display_type_rich


HELP_OPTION_NAMES = ["-h", "--help"]
"""``-h`` and ``--help`` both print the help (the apps' ``context_settings``)."""


def install() -> None:
    """Put the Vietnamese texts in place (idempotent). Works on the click that typer vendors
    and, when it is installed too, on click itself."""
    with contextlib.suppress(ImportError):
        rich_utils = importlib.import_module("typer.rich_utils")
        for name, text in _RICH_TEXTS.items():
            if hasattr(rich_utils, name):
                setattr(rich_utils, name, text)
        highlighter = getattr(rich_utils, "highlighter", None)
        if highlighter is not None and hasattr(highlighter, "highlights"):
            usage = rf"(?P<usage>{_USAGE_PREFIX})"
            if usage not in highlighter.highlights:
                highlighter.highlights = [usage, *highlighter.highlights]
    for package in ("typer._click", "click"):  # typer may vendor click or depend on it
        with contextlib.suppress(ImportError, AttributeError):
            exceptions = importlib.import_module(f"{package}.exceptions")
            for cls in vars(exceptions).values():
                if isinstance(cls, type) and "format_message" in vars(cls):
                    _wrap(cls, "format_message", _translated_message)
        with contextlib.suppress(ImportError, AttributeError):
            command = importlib.import_module(f"{package}.core").Command
            _wrap(command, "get_help_option", _vietnamese_help_option)
        with contextlib.suppress(ImportError, AttributeError):
            formatter = importlib.import_module(f"{package}.formatting").HelpFormatter
            _wrap(formatter, "write_usage", _vietnamese_usage)
    with contextlib.suppress(ImportError, AttributeError):
        core = importlib.import_module("typer.core")
        if "display_name_raw" not in vars(core.TyperArgument):  # once: a property per class
            core.TyperArgument.display_name_raw = _argument_display_name(None)
        _wrap(core.TyperArgument, "_usage_display_name", _argument_usage)
        _wrap(core.TyperArgument, "_rich_display_name", _argument_name)
        _wrap(core.TyperArgument, "display_type_rich", _no_argument_type)
        _wrap(core.TyperOption, "display_type_rich", _option_type)
