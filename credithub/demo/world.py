"""A realistic, seeded demo world: platforms, merchants, anchors, MCN agencies, accounts,
signings, legal representatives and credit records of every kind.

Generation is pure (a seed, a size, an instant and the person-hash key in; rows out), so the
same seed gives the same world; `credithub.db.world` writes it with COPY. The
benchmark dataset (bench/) is the same world at a larger size, generated shard by shard (a
`Shard` numbers its identifiers apart from every other shard's) so that millions of subjects
never have to be in memory at once.

Rows refer to each other by position in their list (`subject_index`, `person_index`); the
loader swaps positions for database ids. Legal-basis texts name the law or rule by title;
they illustrate the data model and are not legal advice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Final, NamedTuple

from stdnum.cn import ric

from credithub.db.world import (
    AccountRow,
    EntryRow,
    ObjectionRow,
    PeriodRow,
    RecordRow,
    StatusChangeRow,
    SubjectRow,
    WorldRows,
)
from credithub.domain.identifiers import (
    USCC_ALPHABET,
    ResidentId,
    compute_credit_code_check,
    compute_organization_check,
    compute_person_hash,
)
from credithub.domain.lists import ListKind
from credithub.domain.records import Category, LegalBasisLevel, RecordStatus, Severity, SourceType
from credithub.domain.rules import add_months
from credithub.domain.subjects import AccountStatus, SubjectKind

DEMO_SEED: Final = 20260401
DEMO_OBJECTION_DAYS: Final = 15  # CREDITHUB_OBJECTION_DAYS' default


@dataclass(frozen=True, slots=True)
class Shard:
    """One shard of a world generated in pieces: a world of its own (its relations stay inside
    it) whose identifiers are numbered from `number * stride` — credit codes, resident IDs,
    account ids and record references — so no two shards collide. `stride` is at least the
    subjects of the largest shard; only shard 0 has the showcase company."""

    number: int
    stride: int

    def serial(self, local: int) -> int:
        """A number unique across shards for the `local`-th item of a kind (< stride per shard)."""
        assert 0 <= local < self.stride, "a shard holds at most `stride` items of a kind"
        return self.number * self.stride + local


class PlatformRow(NamedTuple):
    code: str
    name: str
    family: str


DEMO_PLATFORMS: Final = (
    PlatformRow("shopmall", "ShopMall 商城", "marketplace"),
    PlatformRow("bazaar", "Bazaar 集市", "marketplace"),
    PlatformRow("livewave", "LiveWave 直播", "livestream"),
)


@dataclass
class World(WorldRows):
    """The demo's rows, and the platforms they expect to exist."""

    platforms: tuple[PlatformRow, ...] = DEMO_PLATFORMS

    def counts(self) -> dict[str, int]:
        return {
            "platforms": len(self.platforms),
            "persons": len(self.person_hashes),
            "subjects": len(self.subjects),
            "accounts": len(self.accounts),
            "mcn_signings": len(self.signings),
            "legal_representatives": len(self.representations),
            "records": len(self.records),
            "status_changes": len(self.status_changes),
            "list_entries": len(self.entries),
            "objections": len(self.objections),
        }


CITIES: Final = ("杭州", "深圳", "上海", "广州", "成都", "义乌", "北京", "武汉", "南京", "厦门", "长沙", "青岛")
BRAND_CHARS: Final = "云帆星辰锦绣优品佳禾鼎盛华美悦享极光蓝鲸知行易达恒信万象青柠百川"
TRADES: Final = ("电子商务", "服饰", "食品", "美妆", "数码科技", "家居用品", "母婴用品", "茶叶", "户外用品", "珠宝")
MCN_TRADES: Final = ("文化传媒", "网络科技", "文化传播", "直播电商")
NICK_CHARS: Final = "小鱼糖果阿布甜橙可乐米粒豆豆桃子奶昔兔兔星星月亮团子"
NICK_SUFFIXES: Final = ("", "酱", "哥", "姐", "说好物", "带货", "Live", "的小店")
# Regions of registration (GB/T 2260) used for the demo's codes and resident IDs.
REGIONS: Final = ("330106", "440305", "310115", "440106", "510107", "330782", "110105", "420106", "320106", "350203")

PLATFORM_CATEGORIES: Final = (
    Category.COUNTERFEIT_GOODS,
    Category.FALSE_ADVERTISING,
    Category.FAKE_TRANSACTIONS,
    Category.CONSUMER_RIGHTS,
    Category.PLATFORM_RULE,
)
ANCHOR_CATEGORIES: Final = (
    Category.FALSE_ADVERTISING,
    Category.DATA_FRAUD,
    Category.ILLEGAL_CONTENT,
    Category.FAKE_TRANSACTIONS,
    Category.PLATFORM_RULE,
)
AUTHORITY_CATEGORIES: Final = (
    (Category.ADMINISTRATIVE_PENALTY, "杭州市市场监督管理局"),
    (Category.ABNORMAL_OPERATION, "深圳市市场监督管理局"),
    (Category.COURT_DISHONEST_DEBTOR, "最高人民法院"),
    (Category.TAX_EVASION, "国家税务总局上海市税务局"),
    (Category.CONTRACT_FRAUD, "上海市浦东新区人民法院"),
)
LEGAL_BASIS: Final[dict[Category, tuple[str, str | None]]] = {
    Category.COUNTERFEIT_GOODS: ("《中华人民共和国电子商务法》；《中华人民共和国产品质量法》", "电子商务法 第十三条"),
    Category.FALSE_ADVERTISING: ("《中华人民共和国广告法》", "广告法 第二十八条"),
    Category.FAKE_TRANSACTIONS: (
        "《中华人民共和国电子商务法》；《中华人民共和国反不正当竞争法》",
        "电子商务法 第十七条",
    ),
    Category.CONSUMER_RIGHTS: ("《中华人民共和国消费者权益保护法》", None),
    Category.DATA_FRAUD: ("《网络直播营销管理办法（试行）》", None),
    Category.ILLEGAL_CONTENT: ("《网络主播行为规范》", None),
    Category.TAX_EVASION: ("《中华人民共和国税收征收管理法》", None),
    Category.CONTRACT_FRAUD: ("《中华人民共和国民法典》", None),
    Category.COURT_DISHONEST_DEBTOR: ("《最高人民法院关于公布失信被执行人名单信息的若干规定》", None),
    Category.ADMINISTRATIVE_PENALTY: ("《市场监督管理行政处罚信息公示规定》", "国家市场监督管理总局令第45号"),
    Category.ABNORMAL_OPERATION: ("《企业信息公示暂行条例》", "第十七条"),
    Category.PLATFORM_RULE: ("平台规则（经公示的平台服务协议与交易规则）", "电子商务法 第三十六条"),
    Category.RED_LIST: ("守信激励对象名单认定", None),
    Category.A_LEVEL_TAXPAYER: ("《纳税信用管理办法》", "A级纳税人名单"),
    Category.CREDIT_COMMITMENT: ("《信用修复管理办法》", "国家发展改革委令2025年第36号"),
}
DESCRIPTIONS: Final[dict[Category, str]] = {
    Category.COUNTERFEIT_GOODS: "销售假冒注册商标的商品",
    Category.FALSE_ADVERTISING: "商品详情页对功效作虚假宣传",
    Category.FAKE_TRANSACTIONS: "组织刷单、虚构交易与好评",
    Category.CONSUMER_RIGHTS: "拒不履行七日无理由退货义务",
    Category.DATA_FRAUD: "直播间人气与成交数据造假",
    Category.ILLEGAL_CONTENT: "直播中发布违规内容",
    Category.TAX_EVASION: "隐匿收入，少缴税款",
    Category.CONTRACT_FRAUD: "以虚假合同骗取货款",
    Category.COURT_DISHONEST_DEBTOR: "有履行能力而拒不履行生效法律文书确定的义务",
    Category.ADMINISTRATIVE_PENALTY: "违反产品质量规定被处以罚款",
    Category.ABNORMAL_OPERATION: "未按规定期限公示年度报告",
    Category.PLATFORM_RULE: "多次违反平台发货时效规则",
    Category.RED_LIST: "列入守信激励名单",
    Category.A_LEVEL_TAXPAYER: "年度纳税信用评价为A级",
    Category.CREDIT_COMMITMENT: "作出公开信用承诺",
}


def _credit_code(rng: random.Random, category: str, used: set[str]) -> str:
    while True:
        if rng.random() < 0.6:  # codes issued since 2015 mostly begin their body with MA
            body = "MA" + "".join(rng.choice(USCC_ALPHABET[:30]) for _ in range(6))
        else:
            body = "".join(rng.choice("0123456789") for _ in range(8))
        first17 = "9" + category + rng.choice(REGIONS) + body + compute_organization_check(body)
        code = first17 + compute_credit_code_check(first17)
        if code not in used:
            used.add(code)
            return code


def _serial_credit_code(rng: random.Random, category: str, serial: int) -> str:
    """A valid credit code whose 8-character body is `serial` in base 30: unique per serial."""
    digits = []
    for _ in range(8):
        serial, digit = divmod(serial, 30)
        digits.append(USCC_ALPHABET[digit])
    assert serial == 0, "more subjects than 8 base-30 digits hold"
    body = "".join(reversed(digits))
    first17 = "9" + category + rng.choice(REGIONS) + body + compute_organization_check(body)
    return first17 + compute_credit_code_check(first17)


BIRTH_DAYS: Final = 365 * 35


def _serial_resident_id(serial: int) -> ResidentId:
    """A valid resident ID unique per serial: its region, birth date and sequence number spell it."""
    serial, sequence = divmod(serial, 1000)
    region, day = divmod(serial, BIRTH_DAYS)
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    first17 = REGIONS[region] + birth.strftime("%Y%m%d") + f"{sequence:03d}"  # IndexError past ~128 million
    return ResidentId(first17 + ric.calc_check_digit(first17 + "0"))


def _resident_id(rng: random.Random, used: set[str]) -> ResidentId:
    while True:
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(BIRTH_DAYS))
        first17 = rng.choice(REGIONS) + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
        number = first17 + ric.calc_check_digit(first17 + "0")
        if number not in used:
            used.add(number)
            return ResidentId(number)


def _company_name(rng: random.Random, trades: tuple[str, ...], individual: bool) -> str:
    brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
    if individual:
        return f"{rng.choice(CITIES)}市{brand}{rng.choice(trades)}店"
    return f"{rng.choice(CITIES)}{brand}{rng.choice(trades)}有限公司"


def _anchor_name(rng: random.Random, number: int) -> str:
    return f"{rng.choice(NICK_CHARS)}{rng.choice(NICK_CHARS)}{rng.choice(NICK_SUFFIXES)}{number % 97}"


class _Builder:
    """Fills a World step by step; one method per kind of row."""

    def __init__(self, rng: random.Random, now: dt.datetime, person_key: bytes, shard: Shard | None) -> None:
        self.rng, self.now, self.key, self.shard = rng, now, person_key, shard
        self.world = World()
        self.codes: set[str] = {SHOWCASE_CODE}  # kept for the showcase company added last
        self.ids: set[str] = set()
        first = shard.serial(0) if shard is not None else 0  # each subject has one account a platform at most
        self.account_numbers = {platform.code: first for platform in DEMO_PLATFORMS}

    def reference(self, index: int) -> int:
        """The number in a record's reference: its index, apart from every other shard's."""
        return index if self.shard is None else self.shard.number * 10**8 + index

    def ago(self, max_days: int, min_days: int = 0) -> dt.datetime:
        seconds = self.rng.randrange(min_days * 86400, max_days * 86400)
        return (self.now - dt.timedelta(seconds=seconds)).replace(microsecond=0)

    def person(self) -> int:
        if self.shard is None:
            resident_id = _resident_id(self.rng, self.ids)
        else:  # a subject brings one person at most
            resident_id = _serial_resident_id(self.shard.serial(len(self.world.person_hashes)))
        self.world.person_hashes.append(compute_person_hash(resident_id, self.key))
        return len(self.world.person_hashes) - 1

    def subject(self, kind: SubjectKind) -> int:
        if kind is SubjectKind.ANCHOR:
            row = SubjectRow(kind, _anchor_name(self.rng, len(self.world.subjects)), None, self.person())
        else:
            individual = kind is SubjectKind.MERCHANT and self.rng.random() < 0.2
            trades = MCN_TRADES if kind is SubjectKind.MCN_AGENCY else TRADES
            category = "2" if individual else "1"
            if self.shard is None:
                code = _credit_code(self.rng, category, self.codes)
            else:
                code = _serial_credit_code(self.rng, category, self.shard.serial(len(self.world.subjects)))
            row = SubjectRow(kind, _company_name(self.rng, trades, individual), code, None)
        self.world.subjects.append(row)
        return len(self.world.subjects) - 1

    def account(self, subject_index: int, platform: str) -> None:
        self.account_numbers[platform] += 1
        number = self.account_numbers[platform]
        external_id = {"shopmall": f"SM{4100000000 + number}", "bazaar": str(880000000000 + number * 7)}.get(
            platform, f"lw_{number * 7919:08x}"
        )
        status = self.rng.choices(list(AccountStatus), weights=(92, 5, 3))[0]
        name = self.world.subjects[subject_index].name
        self.world.accounts.append(AccountRow(subject_index, platform, external_id, status, name, self.ago(2000, 30)))

    def signing(self, agency: int, anchor: int) -> None:
        valid_from = self.ago(1400, 60)
        ended = self.rng.random() < 0.2
        valid_to = valid_from + dt.timedelta(days=self.rng.randrange(30, 360)) if ended else None
        if valid_to is not None and valid_to >= self.now:
            valid_to = None
        self.world.signings.append(PeriodRow(agency, anchor, valid_from, valid_to, "livewave"))

    def representation(self, person: int, subject_index: int, platform: str) -> None:
        self.world.representations.append(PeriodRow(person, subject_index, self.ago(2500, 400), None, platform))

    def record(self, subject_index: int, platforms: list[str], *, serious: bool = False) -> None:
        kind = self.world.subjects[subject_index].kind
        if self.rng.random() < 0.7 and platforms:
            source_type, authority = SourceType.PLATFORM, None
            platform: str | None = self.rng.choice(platforms)
            category = self.rng.choice(ANCHOR_CATEGORIES if kind is SubjectKind.ANCHOR else PLATFORM_CATEGORIES)
        else:
            source_type, platform = SourceType.AUTHORITY, None
            category, authority = self.rng.choice(AUTHORITY_CATEGORIES)
        severity = Severity.SERIOUS if serious else self._severity(category)
        occurred = self.ago(300, 30) if serious else self.ago(1460, 1)
        reported = min(occurred + dt.timedelta(days=self.rng.randrange(0, 21)), self.now)
        index = len(self.world.records)
        status = (
            RecordStatus.ACTIVE
            if serious
            else self.rng.choices(
                (RecordStatus.ACTIVE, RecordStatus.OBJECTION_PENDING, RecordStatus.WITHDRAWN, RecordStatus.REPAIRED),
                weights=(85, 5, 5, 5),
            )[0]
        )
        basis, reference = LEGAL_BASIS[category]
        number = self.reference(index)
        source_ref = f"{(platform or 'gov')[:2].upper()}-{occurred:%Y%m%d}-{number:07d}"
        decided_at = valid_until = None
        if authority is not None:  # a decision some weeks after the act, published for three years at most
            decided_at = min(occurred + dt.timedelta(days=self.rng.randrange(7, 60)), self.now)
            source_ref = f"{authority[:2]}决〔{decided_at.year}〕{number}号"
            valid_until = add_months(decided_at, 36)
            reported = max(reported, decided_at)
        self.world.records.append(
            RecordRow(
                subject_index,
                source_type,
                platform,
                authority,
                source_ref,
                category,
                severity,
                occurred,
                reported,
                DESCRIPTIONS[category],
                basis,
                reference,
                status,
                valid_until,
                decided_at,
            )
        )
        self._history(index, reported, status, source=platform or authority or "authority")
        if status is RecordStatus.OBJECTION_PENDING and platforms:
            self._objection(index, platforms[0])  # no draw from rng: the rest of the world stays the same

    def _objection(self, index: int, platform: str) -> None:
        """The open objection behind a pending record, filed when its status changed (so the work
        queues have open objections, and those past the deadline are overdue)."""
        filed = next(c.at for c in reversed(self.world.status_changes) if c.to_status is RecordStatus.OBJECTION_PENDING)
        due = filed + dt.timedelta(days=DEMO_OBJECTION_DAYS)
        self.world.objections.append(ObjectionRow(index, platform, "异议：事实认定有误", filed, due))

    def positive_record(self, subject_index: int, category: Category) -> None:
        occurred = self.ago(700, 10)
        basis, reference = LEGAL_BASIS[category]
        index = len(self.world.records)
        authority = "国家税务总局" if category is Category.A_LEVEL_TAXPAYER else "国家发展和改革委员会"
        self.world.records.append(
            RecordRow(
                subject_index,
                SourceType.AUTHORITY,
                None,
                authority,
                f"POS-{self.reference(index):07d}",
                category,
                None,
                occurred,
                occurred,
                DESCRIPTIONS[category],
                basis,
                reference,
                RecordStatus.ACTIVE,
                occurred + dt.timedelta(days=730),
                occurred,
            )
        )
        self._history(index, occurred, RecordStatus.ACTIVE, source=authority)

    def _severity(self, category: Category) -> Severity:
        if category is Category.COURT_DISHONEST_DEBTOR:
            return Severity.SERIOUS
        if category is Category.ABNORMAL_OPERATION:
            return Severity.GENERAL
        return self.rng.choices(list(Severity), weights=(35, 45, 20))[0]

    def _history(self, index: int, reported: dt.datetime, status: RecordStatus, *, source: str) -> None:
        changes = self.world.status_changes
        changes.append(StatusChangeRow(index, None, RecordStatus.ACTIVE, f"source:{source}", "reported", reported))
        later = min(reported + dt.timedelta(days=self.rng.randrange(5, 60)), self.now)
        match status:
            case RecordStatus.OBJECTION_PENDING:
                changes.append(
                    StatusChangeRow(index, RecordStatus.ACTIVE, status, "subject", "异议：事实认定有误", later)
                )
            case RecordStatus.WITHDRAWN:
                changes.append(
                    StatusChangeRow(
                        index,
                        RecordStatus.ACTIVE,
                        RecordStatus.OBJECTION_PENDING,
                        "subject",
                        "异议：非本人经营行为",
                        later,
                    )
                )
                changes.append(
                    StatusChangeRow(
                        index,
                        RecordStatus.OBJECTION_PENDING,
                        status,
                        f"source:{source}",
                        "异议成立，撤回记录",
                        min(later + dt.timedelta(days=5), self.now),
                    )
                )
            case RecordStatus.REPAIRED:
                changes.append(
                    StatusChangeRow(
                        index,
                        RecordStatus.ACTIVE,
                        status,
                        "regulator:信用中国",
                        "信用修复：已履行义务并作出信用承诺",
                        min(later + dt.timedelta(days=120), self.now),
                    )
                )
            case _:
                pass


def generate_world(
    *,
    seed: int = DEMO_SEED,
    subjects: int = 6000,
    records_per_subject: float = 0.7,
    now: dt.datetime,
    person_key: bytes,
    shard: Shard | None = None,
) -> World:
    """A world of `subjects` subjects (62% merchants, 33% anchors, 5% MCN agencies) with about
    `records_per_subject` negative records each on average, skewed: most have none, a few many.
    With a `shard`, one piece of a larger world (see `Shard`); pass each shard its own seed."""
    rng = random.Random(seed)
    build = _Builder(rng, now, person_key, shard)
    agencies = [build.subject(SubjectKind.MCN_AGENCY) for _ in range(max(1, subjects * 5 // 100))]
    merchants = [build.subject(SubjectKind.MERCHANT) for _ in range(subjects * 62 // 100)]
    anchors = [build.subject(SubjectKind.ANCHOR) for _ in range(subjects - len(agencies) - len(merchants))]
    platforms_of: dict[int, list[str]] = {}
    for index in merchants:
        platforms_of[index] = rng.sample(["shopmall", "bazaar"], k=rng.choice((1, 1, 2))) + (
            ["livewave"] if rng.random() < 0.15 else []
        )
    for index in anchors:
        platforms_of[index] = ["livewave"] + (["shopmall"] if rng.random() < 0.25 else [])
    for index in agencies:
        platforms_of[index] = ["livewave"]
    for index, platform_codes in platforms_of.items():
        for platform in platform_codes:
            build.account(index, platform)
    for anchor in anchors:
        if rng.random() < 0.7:
            build.signing(rng.choice(agencies), anchor)
    _represent(build, rng, merchants + agencies, anchors, platforms_of)
    scale = records_per_subject / 0.67  # the mean of the weights below
    for index in merchants + anchors + agencies:
        for _ in range(round(rng.choices((0, 1, 2, 3), weights=(55, 28, 12, 5))[0] * scale)):
            build.record(index, platforms_of[index])
    for index in rng.sample(merchants, k=len(merchants) // 25):
        build.positive_record(index, rng.choice((Category.RED_LIST, Category.A_LEVEL_TAXPAYER)))
    for agency in rng.sample(agencies, k=max(1, len(agencies) // 20)):  # so propagation to anchors shows
        build.record(agency, platforms_of[agency], serious=True)
    _list(build, rng)
    if shard is None or shard.number == 0:
        _showcase(build)
    return build.world


SHOWCASE_NAME: Final = "上海信云美妆有限公司"
SHOWCASE_CODE: Final = "91310115MA1K3YJ23L"  # valid; the docs' examples screen and report on it


def _showcase(build: _Builder) -> None:
    """One company the docs can name: a market-regulation penalty in its window and an A-level
    taxpayer rating, both authorities' decisions, and an account on ShopMall."""
    world = build.world
    world.subjects.append(SubjectRow(SubjectKind.MERCHANT, SHOWCASE_NAME, SHOWCASE_CODE, None))
    index = len(world.subjects) - 1
    build.account(index, "shopmall")
    decided = (build.now - dt.timedelta(days=75)).replace(microsecond=0)
    for category, severity, authority, ref, until in (
        (
            Category.ADMINISTRATIVE_PENALTY,
            Severity.GENERAL,
            "上海市市场监督管理局",
            "沪市监罚〔2026〕1024号",
            add_months(decided, 12),
        ),
        (
            Category.A_LEVEL_TAXPAYER,
            None,
            "国家税务总局上海市税务局",
            "沪税信〔2026〕A-0007号",
            add_months(decided, 12),
        ),
    ):
        record = len(world.records)
        basis, reference = LEGAL_BASIS[category]
        world.records.append(
            RecordRow(
                index,
                SourceType.AUTHORITY,
                None,
                authority,
                ref,
                category,
                severity,
                decided - dt.timedelta(days=40),
                decided,
                DESCRIPTIONS[category],
                basis,
                reference,
                RecordStatus.ACTIVE,
                until,
                decided,
            )
        )
        build._history(record, decided, RecordStatus.ACTIVE, source=authority)


SERIOUS_LIST_BASIS: Final = "《关于健全社会信用体系的意见》（2025）；《市场监督管理严重违法失信名单管理办法》"
SERIOUS_LIST_EXIT: Final = "认定期满三年自动移出；履行义务、纠正失信行为满一年后可申请提前移出"
RED_LIST_BASIS: Final = "守信激励对象名单认定"
RED_LIST_EXIT: Final = "有效期届满，或出现失信行为时移出"


def _list(build: _Builder, rng: random.Random) -> None:
    """Half the subjects with an active serious record go on the serious-dishonest list, resting on
    it; every subject with a red-list record goes on the red list."""
    world = build.world
    listed: set[tuple[int, ListKind]] = set()
    for index, row in enumerate(world.records):
        key = (row.subject_index, ListKind.SERIOUS_DISHONEST)
        serious_active = row.severity is Severity.SERIOUS and row.status is RecordStatus.ACTIVE
        start = min(row.reported_at + dt.timedelta(days=30), build.now)
        in_window = add_months(row.occurred_at, 36) > start + dt.timedelta(days=1)  # a listing ends with its record
        if serious_active and in_window and key not in listed and rng.random() < 0.5:
            world.entries.append(
                EntryRow(
                    row.subject_index,
                    ListKind.SERIOUS_DISHONEST,
                    (index,),
                    row.source_authority or "国家市场监督管理总局",
                    "regulator:国家市场监督管理总局",
                    f"严重失信：{row.description}",
                    SERIOUS_LIST_BASIS,
                    LegalBasisLevel.DEPARTMENTAL_RULE,
                    SERIOUS_LIST_EXIT,
                    start,
                    add_months(row.occurred_at, 36),
                )
            )
            listed.add(key)
        elif row.category is Category.RED_LIST and (row.subject_index, ListKind.RED) not in listed:
            world.entries.append(
                EntryRow(
                    row.subject_index,
                    ListKind.RED,
                    (index,),
                    row.source_authority or "国家发展和改革委员会",
                    "regulator:国家发展和改革委员会",
                    "守信激励",
                    RED_LIST_BASIS,
                    LegalBasisLevel.NORMATIVE_DOCUMENT,
                    RED_LIST_EXIT,
                    row.occurred_at,
                    row.valid_until or add_months(row.occurred_at, 36),
                )
            )
            listed.add((row.subject_index, ListKind.RED))


def _represent(
    build: _Builder,
    rng: random.Random,
    organisations: list[int],
    anchors: list[int],
    platforms_of: dict[int, list[str]],
) -> None:
    """Every organisation has a legal representative; some people represent several, some stream too."""
    people: list[int] = []
    for organisation in organisations:
        roll = rng.random()
        if roll < 0.12 and people:
            person = rng.choice(people)  # the same person represents another company
        elif roll < 0.17 and anchors:
            person = build.world.subjects[rng.choice(anchors)].person_index or build.person()
        else:
            person = build.person()
            people.append(person)
        build.representation(person, organisation, platforms_of[organisation][0])
