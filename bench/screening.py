"""Screening names on 1,000,000 subjects: latency per query, against an exact lookup of the same
normalised name.

    python -m bench.screening [--subjects 1000000] [--queries 1000]

On the screening dataset (bench/dataset.py --names, loaded on first use), one query at a time:

- baseline: plain asyncpg finding the subjects whose normalised name equals the query's (the
  database normalises; one indexed lookup);
- `screenSubjects`' service: normalise, choose probes, find candidates by bigrams, score with
  rapidfuzz, rank.

Half the queries are names of the dataset written another way (legal form changed or dropped,
spaces, full-width characters): each should find its subject first (or tied first with a
namesake). The other half are names
of no subject: nothing should come back above the threshold. p50 and p99 per query.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

import asyncpg

from bench.dataset import BENCH_DIR, BENCH_SECRET_KEY, bench_server, ensure_names_dataset, name_of
from credithub import bootstrap
from credithub.services import screening
from credithub.settings import Settings

FULL_WIDTH = str.maketrans(
    "()ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "（）ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ０１２３４５６７８９",
)
OTHER_CHARS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def known_variant(name: str, rng: random.Random) -> str:
    """The same subject written another way."""
    for suffix in ("股份有限公司", "有限公司"):  # legal forms (商行 is part of the name: kept)
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return rng.choice((name + "公司", name, f" {name[:2]} {name[2:]}（有限公司）", name + "有限责任公司")).translate(
        FULL_WIDTH
    )


def unknown_name(rng: random.Random) -> str:
    return f"{rng.choice(('北京', '上海', '深圳'))}{''.join(rng.choice(OTHER_CHARS) for _ in range(3))}实业有限公司"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(11)
    async with bench_server() as server:
        dsn = await ensure_names_dataset(server, args.subjects)
        known = [
            (index := rng.randrange(args.subjects), known_variant(name_of(index), rng))
            for _ in range(args.queries // 2)
        ]
        unknown = [unknown_name(rng) for _ in range(args.queries - len(known))]
        settings = Settings(
            database_url=dsn, data_dir=BENCH_DIR / ".data" / "screening", secret_key=BENCH_SECRET_KEY, workers=False
        )
        conn = await asyncpg.connect(dsn)
        async with bootstrap.open_deps(settings) as deps:
            await screening.screen(deps, [("预热", None)], None, None)  # statistics cached, statements prepared
            raw: list[float] = []
            hub: list[float] = []
            found_first = false_positives = 0
            queries = [(index, name) for index, name in known] + [(None, name) for name in unknown]
            rng.shuffle(queries)
            for expected, name in queries:
                started = time.perf_counter()
                await conn.fetch(
                    "SELECT subject_id FROM subject_names WHERE name_key = subject_name_key($1) LIMIT 50", name
                )
                raw.append(time.perf_counter() - started)
                started = time.perf_counter()
                [result] = await screening.screen(deps, [(name, None)], None, None)
                hub.append(time.perf_counter() - started)
                if expected is None:
                    false_positives += bool(result.matches)
                elif result.matches:  # first, or tied first with a namesake (ids start at 1)
                    best = result.matches[0].score
                    found_first += expected + 1 in [m.subject_id for m in result.matches if m.score == best]
        await conn.close()
    p50, p99 = percentile(raw, 0.5), percentile(raw, 0.99)
    print(f"screenSubjects on {args.subjects:,} subjects, {len(queries):,} queries one at a time:")
    print(f"  exact lookup of the normalised name   p50 {p50 * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms   1.00x")
    h50, h99 = percentile(hub, 0.5), percentile(hub, 0.99)
    print(
        f"  screening (bigrams + rapidfuzz)       p50 {h50 * 1000:6.2f} ms   p99 {h99 * 1000:6.2f} ms   "
        f"{h50 / p50:.2f}x / {h99 / p99:.2f}x   (mean {statistics.mean(hub) * 1000:.2f} ms)"
    )
    print(
        f"  known names found first: {found_first}/{len(known)}; unknown names with a candidate ≥ 0.8: "
        f"{false_positives}/{len(unknown)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
