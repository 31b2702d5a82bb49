"""Write the conformance corpus: ``upsert_engine/conformance/cases/*.json``.

    python tools/conformance/make_cases.py           # write the files
    python tools/conformance/make_cases.py --check   # and run them against Engine and
                                                     # ReferenceEngine, printing differences

The expected bodies are spelt out in ``build.py``, ``cases_a.py`` and ``cases_b.py`` from
UPSERT-SEMANTICS.md; the JSON files are the corpus that ships (they can be edited by hand
too: this script is a convenience for writing them, not their only source).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cases_a
import cases_b

HERE = Path(__file__).resolve().parent
OUT = HERE.parent.parent / "upsert_engine" / "conformance" / "cases"

FILES = {
    "r01-r04-configuration.json": [cases_a.r01, cases_a.r02, cases_a.r03, cases_a.r04],
    "r05-r07-check-order.json": [cases_a.r05_r06, cases_a.r07],
    "r08-r11-matching.json": [cases_a.r08_r11],
    "r12-r16-writing.json": [cases_a.r12_r16],
    **cases_b.FILES,
}


def main() -> int:
    total = 0
    for name, makers in FILES.items():
        cases = [c for make in makers for c in make()]
        total += len(cases)
        text = json.dumps(
            {"$schema": "case.schema.json", "cases": cases}, indent=1, ensure_ascii=False
        )
        (OUT / name).write_text(text + "\n", encoding="utf-8")
    print(f"{total} cases in {len(FILES)} files")
    if "--check" in sys.argv:
        sys.path.insert(0, str(HERE.parent.parent))
        from upsert_engine.conformance.case import load_corpus
        from upsert_engine.conformance.runner import run
        from upsert_engine.conformance.target import engine_target, reference_target

        corpus = load_corpus()
        for target in (engine_target(), reference_target()):
            result = run(target, corpus)
            bad = [o for o in result.outcomes if o.status != "pass"]
            print(f"{target.name}: {len(result.outcomes) - len(bad)} pass, {len(bad)} not")
            for o in bad:
                print(f"  {o.case.id} [{o.status}] {o.reason} step {o.step} {o.request}")
                for d in o.differences[:6]:
                    print(f"     {d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
