"""The benchmark dataset: the demo world at scale (100,000 subjects, ~500,000 records by default),
loaded once into its own database and reused by later runs.

    python -m bench.dataset [--subjects 100000] [--records-per-subject 5.1]
    python -m bench.dataset --names 1000000     # the screening dataset: names and codes only

Uses DATABASE_URL's server when set, else an embedded PostgreSQL in bench/.data. Prints the
DSN of the loaded database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from credithub.db import meta
from credithub.db.embedded import EmbeddedPostgres
from credithub.db.migrate import apply_migrations
from credithub.db.pool import transaction
from credithub.db.world import insert_world
from credithub.demo.world import DEMO_PLATFORMS, generate_world
from credithub.domain.identifiers import compute_credit_code_check, compute_organization_check

BENCH_DIR = Path(__file__).resolve().parent
DATABASE = "credithub_bench"
# The person-hash key of the dataset; the service under test must run with the same one.
BENCH_SECRET_KEY = "bench-person-key-0123456789abcdefghijklmnopqrstuvwxyz"
META_KEY = "bench_dataset"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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


async def ensure_dataset(server_dsn: str, subjects: int, records_per_subject: float) -> str:
    """Create, migrate and fill the bench database unless it already holds this dataset."""
    wanted = {"subjects": subjects, "records_per_subject": records_per_subject}
    admin = await asyncpg.connect(server_dsn)
    try:
        if not await admin.fetchval("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", DATABASE):
            await admin.execute(f"CREATE DATABASE {DATABASE}")  # a constant name
    finally:
        await admin.close()
    dsn = database_dsn(server_dsn)
    conn = await asyncpg.connect(dsn)
    try:
        await apply_migrations(conn)
        loaded = await conn.fetchval("SELECT value FROM hub_meta WHERE key = $1", META_KEY)
    finally:
        await conn.close()
    if loaded is not None:
        import json

        if json.loads(loaded) == wanted:
            log(f"dataset already loaded: {wanted}")
            return dsn
        raise SystemExit(f"{DATABASE} holds another dataset ({loaded}); drop it first")
    await _load(dsn, subjects, records_per_subject, wanted)
    return dsn


async def _load(dsn: str, subjects: int, records_per_subject: float, wanted: dict[str, float]) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1, init=_json_codec)
    try:
        started = time.perf_counter()
        log(f"generating {subjects:,} subjects, ~{records_per_subject} records each …")
        world = generate_world(
            subjects=subjects,
            records_per_subject=records_per_subject,
            now=dt.datetime.now(dt.UTC),
            person_key=BENCH_SECRET_KEY.encode(),
        )
        log(f"generated in {time.perf_counter() - started:.1f} s: {world.counts()}")
        started = time.perf_counter()
        async with transaction(pool) as conn:
            # A fresh, consistent dataset: skip per-row foreign-key checks and version triggers
            # (needs a superuser, which the embedded server's and CI's `postgres` role are).
            await conn.execute("SET LOCAL session_replication_role = replica")
            for platform in DEMO_PLATFORMS:
                await conn.execute(
                    "INSERT INTO platforms (code, name, family) VALUES ($1, $2, $3)",
                    platform.code,
                    platform.name,
                    platform.family,
                )
            await insert_world(conn, world)
            await meta.put(conn, META_KEY, wanted)
        log(f"written with COPY in {time.perf_counter() - started:.1f} s")
        async with pool.acquire() as conn:
            await conn.execute("VACUUM ANALYZE")
    finally:
        await pool.close()


async def _json_codec(conn: asyncpg.Connection) -> None:
    import json

    await conn.set_type_codec("jsonb", schema="pg_catalog", encoder=json.dumps, decoder=json.loads)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--records-per-subject", type=float, default=5.1)
    parser.add_argument("--names", type=int, help="build the screening dataset of this many subjects instead")
    args = parser.parse_args()
    async with bench_server() as server:
        if args.names:
            print(await ensure_names_dataset(server, args.names))
        else:
            print(await ensure_dataset(server, args.subjects, args.records_per_subject))


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
