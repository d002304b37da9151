"""Signing speed with a software key (PKCS#12), for a batch: signatures per second.

Renders the công văn example through LibreOffice (numbered, and as a draft with number and
date blank), makes a throw-away PKI and the two images (``vn_union_docs.signing.demo``),
then signs N copies in ``--jobs`` processes, each opening the key once (as a batch does)
and writing every signed PDF atomically to a temporary folder. Timed after the workers have
started and signed one warm-up document each. Besides wall-clock signatures/s it reports
the CPU time per signature (measured in the workers), which shared or loaded machines do not
distort: 2 cores can give at most 2 / (CPU seconds per signature). Modes:

* ``signer``: the leader's signature on the numbered PDF, its place found from the PDF's
  text (the full work of ``vn-union-docs sign --role signer``);
* ``workflow``: the draft signed by the leader (number/date fields added), then numbered,
  dated and signed by the organisation: two signatures per document;
* ``attachment``: the organisation's text stamp (Liberation Serif embedded).

Usage::

    python benchmarks/bench_sign.py                      # 400 signatures, signer, jobs 1 and 2
    python benchmarks/bench_sign.py --mode workflow --n 200 --jobs 2
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_STATE: dict[str, object] = {}


def _init(folder: str, password: str) -> None:
    logging.disable(logging.WARNING)
    from vn_union_docs.signing import load_pkcs12

    base = Path(folder)
    _STATE["base"] = base
    _STATE["signer"] = load_pkcs12(base / "signer.p12", password)
    _STATE["organisation"] = load_pkcs12(base / "organisation.p12", password)
    _STATE["numbered"] = (base / "numbered.pdf").read_bytes()
    _STATE["draft"] = (base / "draft.pdf").read_bytes()


def _work(task: tuple[str, int]) -> tuple[int, float]:
    """Sign one document; (signatures made, CPU seconds this process spent on them)."""
    start = time.process_time()
    made = _sign(*task)
    return made, time.process_time() - start


def _sign(mode: str, i: int) -> int:
    from vn_union_docs.signing import sign_pdf

    base = _STATE["base"]
    assert isinstance(base, Path)
    out = base / "out" / f"{os.getpid()}-{i}.pdf"
    if mode == "signer":
        sign_pdf(_STATE["numbered"], out, role="signer", key=_STATE["signer"],  # type: ignore[arg-type]
                 image=base / "signature.png")
        return 1
    if mode == "attachment":
        sign_pdf(_STATE["numbered"], out, role="attachment", key=_STATE["organisation"],  # type: ignore[arg-type]
                 reference="58/CĐYT")
        return 1
    first = sign_pdf(_STATE["draft"], None, role="signer", key=_STATE["signer"],  # type: ignore[arg-type]
                     image=base / "signature.png")
    sign_pdf(first.data, out, role="organisation", key=_STATE["organisation"],  # type: ignore[arg-type]
             image=base / "seal.png", seal_mm=36, number=abs(i) + 1)
    return 2


def _prepare(folder: Path, password: str) -> None:
    import datetime as dt

    from vn_union_docs import load_document, render_docx
    from vn_union_docs.rendering.pdf import convert_to_pdf
    from vn_union_docs.signing import demo

    pki = demo.make_pki()
    for name in ("signer", "organisation"):
        (folder / f"{name}.p12").write_bytes(pki.certs[name].pkcs12(password, pki.ca.cert))
    demo.signature_png(folder / "signature.png")
    demo.seal_png(folder / "seal.png")
    spec = (ROOT / "examples" / "58-cdyt-cong-van.yaml").read_text("utf-8")
    draft = spec.replace("number: 58", "number: null").replace(
        "date: 2023-02-23", f"date: null\ndraft_year: {dt.date.today().year}")
    for stem, text in (("numbered", spec), ("draft", draft)):
        (folder / f"{stem}.yaml").write_text(text, "utf-8")
        render_docx(load_document(folder / f"{stem}.yaml"), folder / f"{stem}.docx")
    convert_to_pdf([folder / "numbered.docx", folder / "draft.docx"], folder, pdfa=True)
    (folder / "out").mkdir()


def run(mode: str, n: int, jobs: int, folder: Path, password: str) -> dict[str, float]:
    """Sign ``n`` documents in ``jobs`` processes; returns signatures/s and the figures."""
    ctx = mp.get_context("fork")
    with ctx.Pool(jobs, initializer=_init, initargs=(str(folder), password)) as pool:
        pool.map(_work, [(mode, -1 - k) for k in range(jobs)], chunksize=1)  # warm-up
        start = time.perf_counter()
        results = list(pool.imap_unordered(_work, [(mode, i) for i in range(n)], chunksize=4))
        wall = time.perf_counter() - start
    signatures = sum(r[0] for r in results)
    cpu = sum(r[1] for r in results)
    return {"signatures": signatures, "seconds": wall, "per_second": signatures / wall,
            "cpu_seconds": cpu, "per_cpu_second": signatures / cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("signer", "workflow", "attachment"),
                        default="signer")
    parser.add_argument("--n", type=int, default=400, help="documents to sign")
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    password = "bench"
    with tempfile.TemporaryDirectory(prefix="bench-sign-") as tmp:
        folder = Path(tmp)
        _prepare(folder, password)
        print(f"mode {args.mode}, {args.n} documents, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f}")
        for jobs in args.jobs:
            result = run(args.mode, args.n, jobs, folder, password)
            print(f"  jobs {jobs}: {result['signatures']:.0f} signatures in "
                  f"{result['seconds']:.2f} s = {result['per_second']:.1f} signatures/s; "
                  f"{result['cpu_seconds'] / result['signatures'] * 1000:.1f} ms CPU each = "
                  f"{result['per_cpu_second']:.1f} per CPU-second")


if __name__ == "__main__":
    main()
