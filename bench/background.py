"""How long does starting a letter batch hold the page, eager (in the request) and with the embedded worker?

On a copy of the seeded demo database (so the demo keeps its letters to send), as the demo's DSL: POSTs
"make the attendance concern letters" through Django's test client and times the response; then, with the
worker, follows the batch to the end. Each mode runs in a child process of its own, since the Celery
settings are read when Django starts. See bench/README.md.

    .venv/bin/python manage.py seed_demo           # once
    .venv/bin/python bench/background.py [--database db.sqlite3] [--mode eager --mode worker]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHOOL_URN = "145872"  # the demo's Fenbridge Academy, whose DSL is "dsl"
MODES = ("eager", "worker")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=str(ROOT / "db.sqlite3"), help="the seeded demo's SQLite file")
    parser.add_argument("--mode", action="append", choices=MODES, help="default: both")
    parser.add_argument("--kind", default="concern", choices=["concern", "persistent"])
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    return parser.parse_args()


def child_env(mode: str, folder: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "TWO_FACTOR_REQUIRED": "false",
           "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("CELERY_BROKER_URL", None)
    if mode == "worker":
        env |= {"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_FOLDER": str(folder / "broker")}
    return env


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    """The worker `bash .ci/setup demo` starts (without beat), on this copy; returns once it is ready."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "2",
             "--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            sys.exit(f"the worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return proc


def run_child(mode: str, folder: Path, kind: str) -> dict:
    """In the child: one POST as the DSL, timed; with the worker, the batch followed until it finishes."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from notices.models import BatchStatus, LetterBatch

    worker = start_worker(os.environ.copy(), folder / "worker.log") if mode == "worker" else None
    try:
        client = Client()
        client.force_login(get_user_model().objects.get(username="dsl"))
        started = time.perf_counter()
        response = client.post(f"/schools/{SCHOOL_URN}/letters/start/", {"kind": kind})
        returned = time.perf_counter() - started
        batch = LetterBatch.objects.order_by("-pk").first()
        if response.status_code != 302 or batch is None:
            sys.exit(f"the batch did not start: {response.status_code} {response.content[:500]!r}")
        first_letter = None
        while batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING):
            if first_letter is None and batch.done:
                first_letter = time.perf_counter() - started
            time.sleep(0.25)
            batch.refresh_from_db()
        finished = time.perf_counter() - started
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
    return {"mode": mode, "status": batch.status, "letters": batch.done, "total": batch.total,
            "post_seconds": round(returned, 3), "first_letter_seconds": round(first_letter or finished, 2),
            "finished_seconds": round(finished, 2), "letters_per_second": round(batch.done / finished, 1)}


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, Path(args.folder), args.kind)))
        return
    source = Path(args.database)
    if not source.exists():
        sys.exit(f"{source} does not exist: seed the demo first (manage.py seed_demo)")
    results = []
    for mode in args.mode or MODES:
        with tempfile.TemporaryDirectory(prefix=f"bench-background-{mode}-") as tmp:
            folder = Path(tmp)
            _backup(source, folder / "db.sqlite3")
            out = subprocess.run([sys.executable, __file__, "--child", mode, "--folder", str(folder),
                                  "--kind", args.kind], cwd=ROOT, env=child_env(mode, folder),
                                 capture_output=True, text=True)
            if out.returncode:
                sys.exit(f"{mode} failed:\n{out.stderr[-3000:]}")
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'mode':8} {'letters':>8} {'POST returns':>13} {'first letter':>13} {'all made':>10} {'letters/s':>10}")
    for r in results:
        print(f"{r['mode']:8} {r['letters']:>4}/{r['total']:<3} {r['post_seconds']:>12.3f}s "
              f"{r['first_letter_seconds']:>12.2f}s {r['finished_seconds']:>9.2f}s {r['letters_per_second']:>10.1f}"
              f"  ({r['status']})")


def _backup(source: Path, target: Path) -> None:
    """SQLite's online backup: the copy holds what the WAL holds too, whatever the server is doing."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


if __name__ == "__main__":
    main()
