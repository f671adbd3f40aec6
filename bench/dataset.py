"""The benchmark dataset: the demo world at scale (100,000 subjects, ~500,000 records by default),
loaded once into its own database and reused by later runs.

    python -m bench.dataset [--subjects 100000] [--records-per-subject 5.1]
    python -m bench.dataset --subjects 1M       # its own database: credithub_bench_1000000
    python -m bench.dataset --names 1000000     # the screening dataset: names and codes only

The world is generated and copied shard by shard (`--shard-size` subjects each, every shard a
world of its own with identifiers numbered apart: `credithub.demo.world.Shard`), each shard
committed in its own transaction, so memory stays bounded whatever the size (one shard per
process, `--jobs` processes) and an interrupted load goes on with the shards it had not
committed when run again. Uses DATABASE_URL's server when
set, else an embedded PostgreSQL in bench/.data. Prints the DSN of the loaded database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg

from credithub.db import meta
from credithub.db.embedded import EmbeddedPostgres
from credithub.db.migrate import apply_migrations
from credithub.db.world import insert_world
from credithub.demo.world import DEMO_PLATFORMS, DEMO_SEED, Shard, generate_world
from credithub.domain.identifiers import compute_credit_code_check, compute_organization_check

BENCH_DIR = Path(__file__).resolve().parent
DATABASE = "credithub_bench"
DEFAULT_SUBJECTS = 100_000
SHARD_SUBJECTS = 50_000
# The person-hash key of the dataset; the service under test must run with the same one.
BENCH_SECRET_KEY = "bench-person-key-0123456789abcdefghijklmnopqrstuvwxyz"
META_KEY = "bench_dataset"
PROGRESS_KEY = "bench_dataset_progress"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_count(text: str) -> int:
    """100000, 100k, 1M, 10M, 1_000_000."""
    match = re.fullmatch(r"(\d[\d_]*)([kKmM]?)", text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"a count such as 100000, 100k or 1M, not {text!r}")
    return int(match[1].replace("_", "")) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2].lower()]


def database_for(subjects: int) -> str:
    """The database of a dataset of this size: the default size keeps the historical name."""
    return DATABASE if subjects == DEFAULT_SUBJECTS else f"{DATABASE}_{subjects}"


@contextlib.asynccontextmanager
async def bench_server() -> AsyncIterator[str]:
    """A DSN of the server's maintenance database: DATABASE_URL's, or an embedded one."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    embedded = EmbeddedPostgres(BENCH_DIR / ".data")
    dsn = await asyncio.to_thread(embedded.start)
    try:
        yield dsn
    finally:
        await asyncio.to_thread(embedded.stop)


def database_dsn(server_dsn: str, name: str = DATABASE) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(server_dsn)._replace(path="/" + name))


async def ensure_dataset(
    server_dsn: str,
    subjects: int,
    records_per_subject: float,
    *,
    shard_subjects: int = SHARD_SUBJECTS,
    jobs: int = 1,
) -> str:
    """Create, migrate and fill the bench database of this size unless it already holds this
    dataset; a load cut short goes on with the shards it had not committed. `jobs` processes
    generate and copy shards side by side."""
    wanted = {"subjects": subjects, "records_per_subject": records_per_subject, "shard_subjects": shard_subjects}
    name = database_for(subjects)
    admin = await asyncpg.connect(server_dsn)
    try:
        if not await admin.fetchval("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name):
            await admin.execute(f"CREATE DATABASE {name}")  # our own name: a prefix and a number
    finally:
        await admin.close()
    dsn = database_dsn(server_dsn, name)
    conn = await _connect(dsn)
    try:
        await apply_migrations(conn)
        loaded = await meta.get(conn, META_KEY)
        if loaded is not None:
            if loaded == wanted:
                log(f"dataset already loaded: {wanted}")
                return dsn
            raise SystemExit(f"{name} holds another dataset ({loaded}); drop it first")
        started = await meta.get(conn, PROGRESS_KEY)
        if started is not None and started != wanted:
            raise SystemExit(f"{name} holds part of another dataset ({started}); drop it first")
        await meta.put(conn, PROGRESS_KEY, wanted)
        done = {row["key"] for row in await conn.fetch("SELECT key FROM hub_meta WHERE key LIKE $1", SHARD_KEY + "%")}
    finally:
        await conn.close()
    shards = plan_shards(subjects, shard_subjects)
    todo = [number for number in range(len(shards)) if f"{SHARD_KEY}{number}" not in done]
    if len(todo) < len(shards):
        log(f"going on: {len(shards) - len(todo)} of {len(shards)} shards were loaded before")
    started_at = time.perf_counter()
    await _load(dsn, wanted, todo, jobs)
    conn = await _connect(dsn)
    try:
        await meta.put(conn, META_KEY, wanted)
        mark = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        log(f"loaded in {time.perf_counter() - started_at:.0f} s (VACUUM ANALYZE {time.perf_counter() - mark:.0f} s)")
    finally:
        await conn.close()
    return dsn


SHARD_KEY = "bench_dataset_shard:"  # one hub_meta key per committed shard


def plan_shards(subjects: int, shard_subjects: int) -> list[int]:
    """The subjects of each shard: as many full shards as fit, the rest in the last."""
    full, rest = divmod(subjects, shard_subjects)
    return [shard_subjects] * full + ([rest] if rest else [])


async def _load(dsn: str, wanted: dict[str, Any], todo: list[int], jobs: int) -> None:
    """Each of `jobs` processes (spawned: no event loop or connection is inherited) generates
    and copies every jobs-th shard of `todo`."""
    if jobs <= 1:
        await _load_shards(dsn, wanted, todo)
        return
    now = dt.datetime.now(dt.UTC)
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        await asyncio.gather(
            *(loop.run_in_executor(pool, _load_shards_in_process, dsn, wanted, todo[k::jobs], now) for k in range(jobs))
        )


def _load_shards_in_process(dsn: str, wanted: dict[str, Any], numbers: list[int], now: dt.datetime) -> None:
    asyncio.run(_load_shards(dsn, wanted, numbers, now))


async def _load_shards(dsn: str, wanted: dict[str, Any], numbers: list[int], now: dt.datetime | None = None) -> None:
    shard_subjects = wanted["shard_subjects"]
    sizes = plan_shards(wanted["subjects"], shard_subjects)
    now = now or dt.datetime.now(dt.UTC)
    conn = await _connect(dsn)
    try:
        for number in numbers:
            mark = time.perf_counter()
            world = generate_world(
                seed=DEMO_SEED + number,
                subjects=sizes[number],
                records_per_subject=wanted["records_per_subject"],
                now=now,
                person_key=BENCH_SECRET_KEY.encode(),
                shard=Shard(number, shard_subjects + 1),  # + 1: shard 0 also has the showcase company
            )
            generated = time.perf_counter()
            await _copy_shard(conn, world, number)
            counts = world.counts()
            del world
            log(
                f"shard {number + 1}/{len(sizes)}: {counts['subjects']:,} subjects, {counts['records']:,} records"
                f" (generated in {generated - mark:.0f} s, copied in {time.perf_counter() - generated:.0f} s)"
            )
    finally:
        await conn.close()


async def _copy_shard(conn: asyncpg.Connection, world: Any, number: int) -> None:
    async with conn.transaction():
        # A fresh, consistent dataset: skip per-row foreign-key checks and version triggers
        # (needs a superuser, which the embedded server's and CI's `postgres` role are).
        await conn.execute("SET LOCAL session_replication_role = replica")
        for platform in DEMO_PLATFORMS:
            await conn.execute(
                "INSERT INTO platforms (code, name, family) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING",
                platform.code,
                platform.name,
                platform.family,
            )
        ids = await insert_world(conn, world)
        # What the trigger switched off above would have done: every new subject waits for its status.
        await conn.execute("INSERT INTO status_refresh_queue (subject_id) SELECT unnest($1::bigint[])", ids.subjects)
        await meta.put(conn, f"{SHARD_KEY}{number}", {"subjects": len(ids.subjects), "records": len(ids.records)})


async def _connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await _json_codec(conn)
    return conn


async def _json_codec(conn: asyncpg.Connection) -> None:
    import json

    await conn.set_type_codec("jsonb", schema="pg_catalog", encoder=json.dumps, decoder=json.loads)


def add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    """--subjects and --records-per-subject: which dataset a bench runs on (built if missing)."""
    parser.add_argument("--subjects", type=parse_count, default=DEFAULT_SUBJECTS, help="10k, 100k, 1M, 10M, …")
    parser.add_argument("--records-per-subject", type=float, default=5.1)


def source_tree(path: str) -> Path:
    """A `--before` checkout (e.g. `git archive main | tar -x -C DIR`) whose hub a bench also runs."""
    tree = Path(path).resolve()
    if not (tree / "credithub").is_dir():
        raise argparse.ArgumentTypeError(f"{path} holds no credithub sources")
    return tree


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_dataset_arguments(parser)
    parser.add_argument(
        "--shard-size", type=parse_count, default=SHARD_SUBJECTS, help="subjects generated and copied at a time"
    )
    parser.add_argument("--jobs", type=int, default=1, help="processes generating and copying shards side by side")
    parser.add_argument("--names", type=parse_count, help="build the screening dataset of this many subjects instead")
    args = parser.parse_args()
    async with bench_server() as server:
        if args.names:
            print(await ensure_names_dataset(server, args.names))
        else:
            print(
                await ensure_dataset(
                    server, args.subjects, args.records_per_subject, shard_subjects=args.shard_size, jobs=args.jobs
                )
            )


# ---- the screening dataset: many subjects, names only ------------------------------------------

NAMES_DATABASE = "credithub_bench_names"
NAMES_META_KEY = "bench_names_dataset"
NAME_CITIES = (
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "西安",
    "重庆",
    "天津",
    "苏州",
    "长沙",
    "郑州",
    "青岛",
    "宁波",
    "厦门",
    "福州",
    "济南",
    "合肥",
    "昆明",
    "南昌",
    "无锡",
    "佛山",
    "东莞",
    "义乌",
    "温州",
    "泉州",
    "大连",
    "沈阳",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "南宁",
    "贵阳",
    "兰州",
    "海口",
    "珠海",
    "金华",
)
NAME_BRAND = "云帆星辰锦绣优品佳禾鼎盛华美悦享极光蓝鲸知行易达恒信万象青柠百川瑞丰嘉和启航博远宏图卓越新程聚源汇通天成永泰润泽安康盛世腾飞金桥银河晨曦朗月清风明德厚朴致远"
NAME_TRADES = (
    "电子商务",
    "服饰",
    "食品",
    "美妆",
    "数码科技",
    "家居用品",
    "母婴用品",
    "茶叶",
    "户外用品",
    "珠宝",
    "文化传媒",
    "网络科技",
    "直播电商",
    "生物科技",
    "贸易",
    "供应链管理",
    "餐饮管理",
    "教育科技",
    "医疗器械",
    "农业发展",
    "化妆品",
    "酒业",
    "宠物用品",
    "汽车服务",
    "健康管理",
    "品牌管理",
    "信息技术",
    "广告",
    "物流",
    "日用品",
)
NAME_SUFFIXES = ("有限公司",) * 8 + ("股份有限公司", "商行")
CODE_BODY = "0123456789ABCDEFGHJKLMNPQRTUWX"  # USCC body characters (no I, O, S, V, Z)


def name_of(index: int) -> str:
    """The name of subject `index` of the screening dataset (deterministic, so queries can be made from it)."""
    rng = random.Random(index * 7919 + 17)
    brand = "".join(rng.choice(NAME_BRAND) for _ in range(rng.choice((2, 2, 2, 3))))
    return f"{rng.choice(NAME_CITIES)}{brand}{rng.choice(NAME_TRADES)}{rng.choice(NAME_SUFFIXES)}"


def code_of(index: int) -> str:
    """A valid, unique credit code for subject `index`: its body is the index in base 30."""
    digits = []
    for _ in range(8):
        index, digit = divmod(index, len(CODE_BODY))
        digits.append(CODE_BODY[digit])
    body = "".join(reversed(digits))
    first17 = "91" + "310115" + body + compute_organization_check(body)
    return first17 + compute_credit_code_check(first17)


async def ensure_names_dataset(server_dsn: str, subjects: int, chunk: int = 50_000) -> str:
    """`subjects` merchants (names and credit codes only), copied in chunks of `chunk` rows so
    memory stays bounded, then their normalised names and bigrams in one statement, analysed."""
    admin = await asyncpg.connect(server_dsn)
    try:
        if not await admin.fetchval("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", NAMES_DATABASE):
            await admin.execute(f"CREATE DATABASE {NAMES_DATABASE}")  # a constant name
    finally:
        await admin.close()
    dsn = database_dsn(server_dsn, NAMES_DATABASE)
    conn = await asyncpg.connect(dsn)
    try:
        await apply_migrations(conn)
        loaded = await conn.fetchval("SELECT value #>> '{}' FROM hub_meta WHERE key = $1", NAMES_META_KEY)
        if loaded is not None:
            if int(loaded) != subjects:
                raise SystemExit(f"{NAMES_DATABASE} holds {loaded} subjects; drop it first")
            log(f"screening dataset already loaded: {subjects:,} subjects")
            return dsn
        started = time.perf_counter()
        async with conn.transaction():
            # A fresh, consistent dataset: no per-row triggers (needs a superuser, as above).
            await conn.execute("SET LOCAL session_replication_role = replica")
            for start in range(0, subjects, chunk):
                rows = [("MERCHANT", name_of(i), code_of(i)) for i in range(start, min(start + chunk, subjects))]
                await conn.copy_records_to_table("subjects", records=rows, columns=["kind", "name", "credit_code"])
                log(f"  {min(start + chunk, subjects):,} subjects copied ({time.perf_counter() - started:.0f} s)")
            await conn.execute(
                "INSERT INTO subject_names (subject_id, name_key, name_grams) "
                "SELECT id, subject_name_key(name), subject_name_grams(subject_name_key(name)) FROM subjects"
            )
            await conn.execute(
                "INSERT INTO hub_meta (key, value) VALUES ($1, to_jsonb($2::bigint))", NAMES_META_KEY, subjects
            )
        log(f"loaded and indexed in {time.perf_counter() - started:.0f} s; analysing …")
        await conn.execute("VACUUM ANALYZE subjects")
        await conn.execute("VACUUM ANALYZE subject_names")
    finally:
        await conn.close()
    return dsn


if __name__ == "__main__":
    asyncio.run(main())
