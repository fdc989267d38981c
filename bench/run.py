"""`make bench`: run every benchmark and print each figure as `name: value`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import article_page, load, newsletter, webhooks

BENCHMARKS = {
    "article": article_page.run,
    "newsletter": newsletter.run,
    "webhooks": webhooks.run,
    "load": load.run,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("only", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)}")
    args = parser.parse_args()
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    for name, run in BENCHMARKS.items():
        if not args.only or name in args.only:
            run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
