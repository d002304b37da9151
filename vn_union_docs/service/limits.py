"""Time limits that really stop the work, not only the wait.

A spec's Jinja (``{% for i in range(100000) %}{% for j in range(100000) %}…``) can ask for
billions of steps inside the library's sandbox. Answering 503 after the request's time limit
is not enough: the thread would go on burning a core. :func:`deadline` raises
:class:`_Overtime` *inside* the working thread when time is up (CPython's
``PyThreadState_SetAsyncExc``: delivered between two bytecodes, so pure-Python loops such as
Jinja's stop within milliseconds; a long call into C finishes first).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from fastapi.concurrency import run_in_threadpool

from vn_union_docs.errors import Problem
from vn_union_docs.service.uploads import refuse

__all__ = ["Deadline", "deadline", "run_limited"]

P = ParamSpec("P")
T = TypeVar("T")

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)


class _Overtime(BaseException):  # not an Exception: "except Exception" must not swallow it
    """Raised inside a thread whose work ran past its :func:`deadline`."""


class Deadline:
    """A running :func:`deadline`; :meth:`expire` ends the work now (service shutdown)."""

    def __init__(self, fire: Callable[[], None]) -> None:
        self.expire = fire


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Raise :class:`_Overtime` in the current thread if the block runs over ``seconds``."""
    ident = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                _set_async_exc(ident, ctypes.py_object(_Overtime))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield Deadline(fire)
    finally:
        with lock:
            state["done"] = True
            timer.cancel()
            if state["fired"]:  # not delivered yet: withdraw it
                _set_async_exc(ident, ctypes.py_object())


async def run_limited(seconds: float, fn: Callable[P, T], *args: P.args,
                      **kwargs: P.kwargs) -> T:
    """``fn(*args)`` in the thread pool, stopped after ``seconds`` (then 422)."""

    def work() -> T:
        with deadline(seconds):
            return fn(*args, **kwargs)

    try:
        return await run_in_threadpool(work)
    except _Overtime:
        raise refuse(422, "", f"dữ liệu đòi xử lý quá {seconds:g} giây (vòng lặp "
                     "quá lớn trong spec?): đã dừng; hãy rút gọn") from None


def overtime_problem(seconds: float) -> Problem:
    """The problem of a batch job stopped at its time limit."""
    return Problem("", f"lô chạy quá {seconds:g} giây nên đã bị dừng; hãy chia nhỏ dữ liệu")
