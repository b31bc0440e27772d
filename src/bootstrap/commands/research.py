"""`research`: the edge lab. Search a YAML-declared space with Optuna over any 1m kline data, score each
candidate by a walk-forward with purge and embargo, and judge the best with every trust figure.

    python -m bootstrap research --spec config/research/quick.yaml --data ../shared/data/x.csv.xz
    python -m bootstrap research --spec S --data D --trials 500 --storage postgresql://host/lab
    python -m bootstrap research freeze --spec S           # hash the finalists before any holdout
    python -m bootstrap research holdout --spec S --data H # each frozen candidate once, on unseen data
    python -m bootstrap research promote 12 --spec S --data H  # publish frozen trial 12 if it passed
    python -m bootstrap research retrain --data D          # challenger vs the model in service
    python -m bootstrap research gate                      # the lab gate's verdict on the model
    python -m bootstrap research summary --spec S          # the finalists as the README's Markdown table

`--trials` is the total the study should reach: a killed run started again goes on where it stopped;
`--trials 0` on an existing study runs no trial: its finalists are judged again and replayed through the
real loop (`real_loop` beside each one's figures).
`--storage` is any SQLAlchemy URL (the `cluster` extra's psycopg for postgresql://; its password best
left to PGPASSWORD or ~/.pgpass); it is checked first, and never printed or written with its password.
Writes <lab-dir>/<name>/research.html and research.json. Exit codes: 0 done, 2 bad spec, 3 no data,
4 holdout refused (data a study read, nothing frozen, or already evaluated) or promote refused,
5 the --storage URL is wrong, lacks its driver or does not answer; `summary`: 3 when the study has no report.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from adapters.history.schema import HistoryDataError
from bootstrap.commands.research_data import lab_paths
from bootstrap.lab_spec import LabSpec, load_spec
from bootstrap.settings_model import Settings

EXIT_BAD_SPEC, EXIT_NO_DATA, EXIT_REFUSED, EXIT_BAD_STORAGE = 2, 3, 4, 5
DEFAULT_LAB_DIR = Path("reports/research")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("research", help="the edge lab: search, judge honestly, freeze, holdout")
    p.add_argument("action", nargs="?", choices=("run", "freeze", "holdout", "promote", "retrain", "gate",
                                                    "summary"),
                   default="run", help="run (default) a study; freeze its finalists; test them once on "
                   "holdout "
                   "data; promote a passed one to a model; retrain the model in service; show its lab gate; "
                   "print a study's finalists as Markdown")
    p.add_argument("candidate", nargs="?", type=int, default=None, help="promote: the frozen trial number")
    p.add_argument("--model", type=Path, default=None, help="gate: the model (default: model.path)")
    p.add_argument("--spec", type=Path, default=Path("config/research/quick.yaml"), help="the study's YAML")
    p.add_argument("--data", type=Path, action="append", default=None,
                   help="1m kline file or folder (recorded CSVs, archives, Parquet; any mix); repeatable "
                        "(default: the data cache)")
    p.add_argument("--trials", type=int, default=None, help="total trials the study should reach")
    p.add_argument("--storage", default=None, help="SQLAlchemy URL (default: SQLite in the study folder); "
                   "postgresql://user@host:5432/db for several machines (the cluster extra)")
    p.add_argument("--lab-dir", type=Path, default=DEFAULT_LAB_DIR, help="studies, registry, reports")
    p.add_argument("--workers", type=int, default=1,
                   help="parallel trial workers; more than 1 (or --address) runs them on Ray")
    p.add_argument("--address", default=None, help="join this Ray cluster (e.g. 127.0.0.1:6379 or auto)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Each action imports what it runs: the edge preset is held to 1.5 GB, and the study's machinery
    # (Optuna, plotly, the research core, the real loop) is ~90 MB it never uses.
    if args.action in ("retrain", "gate"):  # about the model in service: no study spec
        from bootstrap.commands.research_promote import show_gate
        from bootstrap.commands.research_retrain import run_retrain

        return run_retrain(args, settings) if args.action == "retrain" else show_gate(args, settings)
    try:
        spec = load_spec(args.spec)
    except ValueError as exc:
        print(f"research: {exc}", file=sys.stderr)
        return EXIT_BAD_SPEC
    if args.action == "summary":
        from bootstrap.commands.research_summary import summary

        return summary(args, spec)
    if args.storage is not None:
        from adapters.research.study_storage import StudyStorageError, check_storage

        try:
            check_storage(args.storage)
        except StudyStorageError as exc:
            print(f"research: {exc}", file=sys.stderr)
            return EXIT_BAD_STORAGE
    if args.action == "freeze":
        from bootstrap.commands.research_holdout import freeze

        return freeze(args, spec)
    try:
        paths = lab_paths(args, settings)
    except HistoryDataError as exc:
        print(f"research: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    if args.action != "run":
        from bootstrap.commands.research_holdout import holdout
        from bootstrap.commands.research_promote import promote

        if args.action == "promote":
            return promote(args, spec, paths, settings)
        return holdout(args, spec, paths)
    if spec.preset == "edge":
        from bootstrap.commands.research_preset import run_edge_preset

        return run_edge_preset(args, spec, paths, settings)
    return run_study(args, spec, paths, settings)


def _on_ray(args: argparse.Namespace, spec: LabSpec, paths: list[Path], url: str, study: Any,
            target: int) -> int:
    from adapters.research.optuna_study import finished
    from adapters.research.ray_runner import run_workers
    from bootstrap import lab_wiring as wiring

    before = finished(study)
    bar = tqdm(total=target, initial=before, desc=f"study {spec.name} on Ray", unit="trial",
               disable=args.no_progress)

    def poll() -> None:
        bar.n = finished(study)
        bar.refresh()

    src = str(Path(wiring.__file__).resolve().parents[1])
    try:
        worker_args = (str(args.spec.resolve()), [str(p.resolve()) for p in paths], url, target)
        run_workers(wiring.study_worker, worker_args, workers=max(args.workers, 1), address=args.address,
                    env={"PYTHONPATH": src}, poll=poll)
    finally:
        bar.close()
    return finished(study) - before


def _command(args: argparse.Namespace, paths: list[Path], target: int) -> str:
    data = " ".join(f"--data {p}" for p in paths)
    workers = f" --workers {args.workers}" if args.workers > 1 else ""
    return f"python -m bootstrap research --spec {args.spec} {data} --trials {target}{workers}"


def run_study(args: argparse.Namespace, spec: LabSpec, paths: list[Path],
              settings: Settings | None = None) -> int:
    from adapters.research.data_registry import DataRegistry
    from adapters.research.lab_report import write_lab_report
    from adapters.research.optuna_study import objective, run_trials
    from adapters.research.study_storage import shown
    from bootstrap import lab_wiring as wiring

    began = time.perf_counter()
    try:
        data = wiring.load_data(spec, paths)
        plans = wiring.plans_of(spec, data)
    except (HistoryDataError, ValueError, OSError) as exc:
        print(f"research: cannot read the market data: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    from application.research.lab_session import quote_without_pairs

    missing = quote_without_pairs(spec.space, list(data.klines))
    if missing:
        print(f"research: {missing}", file=sys.stderr)
        return EXIT_NO_DATA
    if len(plans) < 2:
        print(f"research: the data makes {len(plans)} period(s); the walk-forward needs at least two "
              f"(lower data.max_days in {args.spec})", file=sys.stderr)
        return EXIT_NO_DATA
    folder = wiring.study_folder(args.lab_dir, spec)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    DataRegistry(args.lab_dir).record(spec.name, data.files, data.klines, now)
    session = wiring.session_of(spec, data, plans, settings=settings)
    url = wiring.storage_url(args.lab_dir, spec, args.storage)
    study = wiring.open_spec_study(spec, url)
    study.set_user_attr("data", [str(p) for p in paths])
    target = args.trials if args.trials is not None else spec.search.trials
    if args.workers > 1 or args.address:
        ran = _on_ray(args, spec, paths, url, study, target)
    else:
        ran = run_trials(study, objective(spec.space, session.score, spec.search.min_trades), target,
                         progress=not args.no_progress)
    searched = time.perf_counter() - began
    meta = {"study_name": spec.name, "spec": str(args.spec), "storage": shown(url), "data": data.describe(),
            "periods": [p.name for p in plans], "command": _command(args, paths, target),
            "trials_this_run": ran, "seconds": round(searched, 1),
            "trials_per_hour": round(ran / searched * 3600, 1) if ran else None, "written": now}
    payload = wiring.study_report(spec, session, url, meta, settings)
    paths_written = write_lab_report(folder, payload)
    print(payload["verdict"])
    print(f"research: {payload['trials']} in {searched:.0f}s; report {paths_written['html']} "
          f"(and {paths_written['json'].name})")
    return 0
