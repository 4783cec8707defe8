"""Train the forecast decision model on labelled real posts and write its file.

Deterministic: the same labelled sets give the same model file, byte for byte.

    .venv/bin/python scripts/train_forecast_model.py            # train, cross-validate, write
    .venv/bin/python scripts/train_forecast_model.py --dry-run  # only print the figures

Reads the development splits of the real-post corpus (tests/fixtures/analysis/real/dev,
dev2, dev3 and dev4), the
four seed posts (../shared) and,
with --with-written, our older written sets and the seeds as extra examples (--written-weight). Never reads the
blind splits (blind, blind2, blind3, blind4). Prints grouped cross-validation (whole documents held out, scored by the real
evaluator) for the rules alone and for the model, then fits on everything and writes
digests/analysis/resources/forecast_model.json (switched off when the rules did better).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digests.analysis.decision import MODEL_FILE  # noqa: E402
from digests.analysis.evaluate import EvaluationReport  # noqa: E402
from digests.analysis.pipeline import Analyzer  # noqa: E402
from digests.analysis.training import (  # noqa: E402
    LabelledSet,
    examples_of,
    fit,
    folds,
    load_documents,
    score_documents,
)

FIXTURES = ROOT / "tests" / "fixtures" / "analysis"
REAL_DEV = LabelledSet(
    "real-dev", FIXTURES / "real" / "dev" / "gold.json", FIXTURES / "real" / "dev" / "docs"
)
REAL_DEV2 = LabelledSet(
    "real-dev2", FIXTURES / "real" / "dev2" / "gold.json", FIXTURES / "real" / "dev2" / "docs"
)
REAL_DEV3 = LabelledSet(
    "real-dev3", FIXTURES / "real" / "dev3" / "gold.json", FIXTURES / "real" / "dev3" / "docs"
)
REAL_DEV4 = LabelledSet(
    "real-dev4", FIXTURES / "real" / "dev4" / "gold.json", FIXTURES / "real" / "dev4" / "docs"
)
SHARED = ROOT.parent / "shared"
WRITTEN = [
    LabelledSet(name, FIXTURES / name / "gold.json", FIXTURES / name / "docs")
    for name in ("dev", "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6")
]
# The seeds are real posts too (the four the project was created from): full weight.
SEEDS = LabelledSet("seeds", SHARED / "gold" / "seeds.json", SHARED / "seeds")
ZONE = ZoneInfo("Asia/Seoul")


def _figures(report: EvaluationReport) -> str:
    totals = report.as_dict()
    recall, precision = totals["recall"], totals["precision"]
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return (
        f"recall {totals['found_with_right_date']}/{totals['required_predictions']} = {recall:.3f}, "
        f"precision {totals['correct']}/{totals['dated_items_counted']} = {precision:.3f}, F1 {f1:.3f}"
    )


def _merge(reports: list[EvaluationReport]) -> EvaluationReport:
    return EvaluationReport([document for report in reports for document in report.documents])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=2.0)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument(
        "--with-written", action="store_true", help="add our written sets as extra examples"
    )
    parser.add_argument(
        "--written-weight", type=float, default=0.5, help="weight of a written-set example"
    )
    parser.add_argument("--dry-run", action="store_true", help="print figures, write nothing")
    args = parser.parse_args()

    rules = Analyzer(forecast_model=None)
    real = load_documents([REAL_DEV, REAL_DEV2, REAL_DEV3, REAL_DEV4], ZONE, rules)
    extra = load_documents(WRITTEN, ZONE, rules) if args.with_written else []
    seeds = load_documents([SEEDS], ZONE, rules)
    docs_of = {
        REAL_DEV.name: REAL_DEV.docs,
        REAL_DEV2.name: REAL_DEV2.docs,
        REAL_DEV3.name: REAL_DEV3.docs,
        REAL_DEV4.name: REAL_DEV4.docs,
        SEEDS.name: SEEDS.docs,
    } | {s.name: s.docs for s in WRITTEN}
    extra_examples = [example for document in extra for example in examples_of(document)]
    seed_examples = [example for document in seeds for example in examples_of(document)]
    print(f"real dev documents: {len(real)}; written documents added: {len(extra)}")

    rule_reports, model_reports = [], []
    for number, held_out in enumerate(folds(real, args.folds)):
        held = {id(document) for document in held_out}
        train = [example for d in real if id(d) not in held for example in examples_of(d)]
        weights = [1.0] * (len(train) + len(seed_examples)) + [args.written_weight] * len(
            extra_examples
        )
        model = fit(train + seed_examples + extra_examples, l2=args.l2, weights=weights)
        model = type(model)(model.weights, model.bias, args.threshold)
        rule_reports.append(score_documents(held_out, None, ZONE, docs_of))
        model_reports.append(score_documents(held_out, model, ZONE, docs_of))
        print(f"fold {number + 1}: rules {_figures(rule_reports[-1])}")
        print(f"        model {_figures(model_reports[-1])}")
    rules_cv, model_cv = _merge(rule_reports), _merge(model_reports)
    print(f"cross-validated, rules alone: {_figures(rules_cv)}")
    print(f"cross-validated, model:       {_figures(model_cv)}")

    examples = [example for document in real for example in examples_of(document)]
    weights = [1.0] * (len(examples) + len(seed_examples)) + [args.written_weight] * len(
        extra_examples
    )
    model = fit(examples + seed_examples + extra_examples, l2=args.l2, weights=weights)
    model = type(model)(model.weights, model.bias, args.threshold, trained_on="")
    positives = sum(example.label for example in examples)
    summary = {
        "enabled": True,
        **model.to_json(),
        "trained_on": (
            f"{len(real)} real dev/dev2/dev3/dev4 documents ({len(examples)} candidates, {positives} forecasts)"
            f" + the {len(seeds)} seed documents"
            + (
                f" + {len(extra)} written documents at weight {args.written_weight}"
                if extra
                else ""
            )
        ),
        "l2": args.l2,
        "written_weight": args.written_weight if extra else 0.0,
        "cross_validation": {
            "folds": args.folds,
            "rules": rules_cv.as_dict(),
            "model": model_cv.as_dict(),
        },
    }
    model_f1 = _f1(model_cv)
    rules_f1 = _f1(rules_cv)
    if model_f1 <= rules_f1:
        summary["enabled"] = False
        print(
            "the rules did as well or better in cross-validation: the model is written switched off"
        )
    if args.dry_run:
        return
    MODEL_FILE.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {MODEL_FILE.relative_to(ROOT)}")


def _f1(report: EvaluationReport) -> float:
    recall, precision = report.recall, report.precision
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


if __name__ == "__main__":
    main()
