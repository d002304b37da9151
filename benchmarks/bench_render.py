"""Benchmark: our render path against plain docxtpl, then the batch and PDF figures.

Run ``python benchmarks/bench_render.py [--quick] [--profile]`` from a checkout. Prints a
Markdown table and the machine it ran on:

* per document, same template and same context, in the same process, rounds interleaved
  (the median round counts, so a busy machine hurts both sides alike):
  (a) plain docxtpl: a fresh ``DocxTemplate(path)``, ``render(ctx, autoescape=True)``, save
  to a BytesIO; (b) our path: the compiled template's ``render(ctx)`` and ``render_docx(doc)``
  (which also builds the context); their ratio;
* the whole library path per document: ``load_document`` + ``build_context`` + render;
* ``benchmarks/bench_batch.py``'s ``run(n_rows, jobs)``: 10,000 rows, ``--jobs`` 1 and 2;
* ``benchmarks/bench_pdf.py``'s ``run(n_docs, jobs)``: 200 documents.

``--quick`` measures fewer documents (1,000 batch rows, 20 PDFs); ``--profile`` adds a
cProfile of the compiled render.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import platform
import pstats
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout
sys.path.insert(0, str(ROOT / "benchmarks"))

import docx  # noqa: E402
import docxtpl  # noqa: E402
import jinja2  # noqa: E402
import lxml  # noqa: E402
from docxtpl import DocxTemplate  # noqa: E402

from vn_union_docs import load_document  # noqa: E402
from vn_union_docs.rendering.compiled import get_compiled  # noqa: E402
from vn_union_docs.rendering.context import build_context  # noqa: E402
from vn_union_docs.rendering.render import default_template, render_docx, render_with_docxtpl  # noqa: E402

# (template, example): the 2-page công văn first.
CASES = [
    ("cong_van", "examples/58-cdyt-cong-van.yaml"),
    ("ke_hoach", "examples/222-kh-cdyt-ke-hoach.yaml"),
    ("thong_bao", "examples/12-tb-cdyt-thong-bao.yaml"),
]


def machine() -> str:
    """CPU model, cores, Python and library versions."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average at start {os.getloadavg()[0]:.2f}"
    return (f"{model}, {os.cpu_count()} cores{load}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; docxtpl {docxtpl.__version__}, "
            f"python-docx {docx.__version__}, lxml {lxml.__version__}, "
            f"Jinja2 {jinja2.__version__}")


def interleaved(funcs: dict[str, Callable[[], Any]], counts: dict[str, int], rounds: int
                ) -> dict[str, float]:
    """Median seconds per call of each function, measured in alternating rounds."""
    for func in funcs.values():  # warm-up (compiles the template, imports, caches)
        func()
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, func in funcs.items():
            n = counts[name]
            start = time.perf_counter()
            for _ in range(n):
                func()
            samples[name].append((time.perf_counter() - start) / n)
    return {name: statistics.median(values) for name, values in samples.items()}


def render_rows(template_name: str, example: str, quick: bool) -> list[tuple[str, float]]:
    """(label, seconds per document) for one template and example."""
    template = default_template(template_name)
    spec = ROOT / example
    doc = load_document(spec)
    context = build_context(doc)
    compiled = get_compiled(template)

    def plain() -> bytes:
        tpl = DocxTemplate(str(template))
        tpl.render(context, autoescape=True)
        buffer = io.BytesIO()
        tpl.save(buffer)
        return buffer.getvalue()

    assert compiled.render(context) == render_with_docxtpl(template, context), "not identical"
    assert compiled.fallback_reason is None, compiled.fallback_reason
    funcs: dict[str, Callable[[], Any]] = {
        "plain": plain,
        "reference": lambda: render_with_docxtpl(template, context),
        "compiled": lambda: compiled.render(context),
        "render_docx": lambda: render_docx(doc),
        "library": lambda: render_docx(load_document(spec)),
    }
    slow, fast = (5, 100) if quick else (20, 400)
    counts = {"plain": slow, "reference": slow, "compiled": fast, "render_docx": fast,
              "library": fast // 4}
    times = interleaved(funcs, counts, rounds=3 if quick else 7)
    return [
        ("(a) plain docxtpl: new DocxTemplate, render(autoescape=True), save", times["plain"]),
        ("docxtpl reference path (sandbox env + deterministic zip)", times["reference"]),
        ("(b) ours: compiled template .render(ctx)", times["compiled"]),
        ("(b) ours: render_docx(doc) (+ build_context)", times["render_docx"]),
        ("library: load_document(yaml) + build_context + render", times["library"]),
    ]


def _pick(result: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in result:
            return result[name]
    return None


def _fmt(value: Any, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def batch_rows(n_rows: int, plain_s: float) -> list[str]:
    """Markdown rows for bench_batch.run(n_rows, jobs), jobs 1 and 2."""
    try:
        bench_batch = importlib.import_module("bench_batch")
    except ImportError:
        return [f"| batch, {n_rows:,} rows | not available (benchmarks/bench_batch.py "
                "missing) | | | | |"]
    rows = []
    with bench_batch.deferred_cleanup() as leftovers:  # after both runs are measured
        for jobs in (1, 2):
            rows.extend(_batch_row(bench_batch, n_rows, jobs, plain_s, leftovers))
    return rows


def _batch_row(bench_batch: Any, n_rows: int, jobs: int, plain_s: float,
               leftovers: list[Path]) -> list[str]:
    """The Markdown row(s) of one ``bench_batch.run``; its folder goes into ``leftovers``."""
    label = f"batch CSV → .docx files, {n_rows:,} rows, --jobs {jobs}"
    try:
        r = bench_batch.run(n_rows, jobs, leftovers=leftovers)
    except Exception as exc:  # report, keep the rest of the table
        traceback.print_exc(file=sys.stderr)
        return [f"| {label} | not available ({type(exc).__name__}: {exc}) | | | | |"]
    wall = _pick(r, "wall_s", "seconds", "wall", "elapsed_s", "total_s")
    dps = _pick(r, "docs_per_s", "docs_per_second", "rate")
    if dps is None and wall:
        dps = n_rows / wall
    ms = _pick(r, "ms_per_doc") or (wall / n_rows * 1000 if wall else None)
    peak = _pick(r, "peak_mb", "peak_rss_mb", "peak_memory_mb", "max_rss_mb")
    # bench_batch measures plain docxtpl itself just before the batch (same template,
    # the batch's own first row); else the render rows' figure
    plain_ms = r.get("plain_ms") or plain_s * 1000
    ratio = f"{plain_ms / ms:.1f}×" if ms else "—"
    rows = [f"| {label} | {_fmt(wall, '.1f')} | {_fmt(ms, '.2f')} | "
            f"{_fmt(dps, ',.0f')} | {_fmt(peak, ',.0f')} | {ratio} |"]
    if not all(v is not None for v in (wall, dps, peak)):
        rows.append(f"| (bench_batch.run returned {r}) | | | | | |")
    return rows


def pdf_rows(n_docs: int) -> list[str]:
    """Markdown rows for bench_pdf.run(n_docs, jobs=2)."""
    label = f"PDF, {n_docs} documents"
    try:
        bench_pdf = importlib.import_module("bench_pdf")
        sample = 3 if n_docs < 50 else 10
        r = bench_pdf.run(n_docs, 2, per_file_sample=sample)
    except ImportError:
        return [f"| {label} | not available (benchmarks/bench_pdf.py missing) | | | |"]
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return [f"| {label} | not available ({type(exc).__name__}: {exc}) | | | |"]
    return [
        f"| {label}: convert_to_pdf, jobs {r['jobs']} | {r['ours_s']:.1f} | "
        f"{r['ours_ms_per_doc']:.0f} | {r['ours_docs_per_s']:.1f} | "
        f"**{r['ratio']:.1f}×** vs one soffice per file |",
        f"| {label}: one soffice call per file (measured on {r['per_file_sample']}, scaled) | "
        f"{r['per_file_est_s']:.1f} (est.) | {r['per_file_ms_per_doc']:.0f} | "
        f"{r['per_file_docs_per_s']:.1f} | {r['soffice']} |",
    ]


def profile_compiled(template_name: str, example: str, n: int) -> None:
    """Print where the compiled render spends its time."""
    context = build_context(load_document(ROOT / example))
    compiled = get_compiled(default_template(template_name))
    compiled.render(context)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        compiled.render(context)
    profiler.disable()
    print(f"\ncProfile of {n} compiled renders ({template_name}), by own time:\n")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(14)


def main(argv: list[str] | None = None) -> None:
    """Run everything and print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer documents")
    parser.add_argument("--profile", action="store_true", help="cProfile the compiled render")
    parser.add_argument("--no-batch", action="store_true", help="skip the batch rows")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF row")
    args = parser.parse_args(argv)
    header = machine()

    lines = ["| what | template, example | ms/doc | docs/s | vs plain docxtpl |",
             "|---|---|---:|---:|---:|"]
    cases = CASES[:1] if args.quick else CASES
    plain_cong_van = 0.0
    for template_name, example in cases:
        rows = render_rows(template_name, example, args.quick)
        plain = rows[0][1]
        plain_cong_van = plain_cong_van or plain
        for label, seconds in rows:
            ratio = "1×" if seconds == plain else f"**{plain / seconds:.1f}×**"
            name = default_template(template_name).name
            lines.append(f"| {label} | {name}, {Path(example).name} | "
                         f"{seconds * 1000:.2f} | {1 / seconds:,.0f} | {ratio} |")
    if not args.no_batch:
        lines += ["", "| end to end | wall s | ms/doc | docs/s | peak MB | vs plain docxtpl "
                  "(cong_van, per doc) |", "|---|---:|---:|---:|---:|---:|"]
        lines += batch_rows(1_000 if args.quick else 10_000, plain_cong_van)
    if not args.no_pdf:
        lines += ["", "| PDF | wall s | ms/doc | docs/s | note |", "|---|---:|---:|---:|---|"]
        lines += pdf_rows(20 if args.quick else 200)

    print(f"Machine: {header}\n")
    print("\n".join(lines))
    print("\nPer-document rows: median of interleaved rounds, same template and context, "
          "one process; the compiled output is asserted byte-identical to docxtpl's.")
    if args.profile:
        profile_compiled(*CASES[0], n=500)


if __name__ == "__main__":
    main()
