"""Encoding and decoding one typical stored status: the status store's and the cache's hot path.

    python -m bench.status_codec [--number 20000] [--repeat 7]

A status of tier C with four flags (one propagated along a relation, one with an end, one not
enforced), as the status store writes it (encode) and reads it from jsonb (decode of the parsed
document), and as the shared cache keeps it (orjson text both ways). Best of `--repeat` runs of
`--number` calls, in microseconds of CPU time per call (process time: a busy machine that
holds the process off the CPU does not count).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import timeit

import orjson

from credithub.domain.flags import CreditStatus, Flag
from credithub.domain.measures import MeasureKind, Scope, Tier
from credithub.domain.records import LegalBasis, LegalBasisLevel
from credithub.domain.spans import Via
from credithub.domain.status_codec import decode_status, encode_status
from credithub.domain.subjects import RelationKind, SubjectKind

AT = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)


def _flag(measure: str, *, via: Via | None = None, until: dt.datetime | None = None, enforced: bool = True) -> Flag:
    return Flag(
        measure=measure,
        kind=MeasureKind.RESTRICTION,
        mandatory=via is None,
        scope=Scope.ALL_PLATFORMS,
        legal_basis=LegalBasis(
            "《关于健全社会信用体系的意见》（2025）：根据平台内商户信用状况实施差别化的管理和服务", "art. 12"
        ),
        legal_basis_level=LegalBasisLevel.LAW,
        source_platform="shopmall",
        source_authority=None,
        via=via,
        record_ids=(1201, 1202, 1207),
        list_entry_ids=(),
        effective_from=AT - dt.timedelta(days=30),
        effective_until=until,
        enforced=enforced,
        not_enforced_reason=None if enforced else "OBJECTION_PENDING: measures are not applied",
        reason="3 serious records in 12 months",
    )


def typical_status() -> CreditStatus:
    return CreditStatus(
        subject_id=48213,
        as_of=AT,
        rule_set="2025-01",
        tier=Tier.C,
        tier_reason="3 serious records in force",
        on_serious_dishonest_list=False,
        on_joint_constraint_list=True,
        on_red_list=False,
        flags=(
            _flag("CAMPAIGN_EXCLUSION"),
            _flag("LIVE_BAN", via=Via(RelationKind.MCN_SIGNING, 991, SubjectKind.MCN_AGENCY, "星耀传媒")),
            _flag("TRAFFIC_LIMIT", until=AT + dt.timedelta(days=90)),
            _flag("NEW_LISTING_BAN", enforced=False),
        ),
        stable_until=AT + dt.timedelta(days=90),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    status = typical_status()
    stored = orjson.loads(orjson.dumps(encode_status(status)))
    text = orjson.dumps(encode_status(status)).decode()
    assert decode_status(stored) == status
    cases = {
        "encode (status store)": lambda: encode_status(status),
        "decode (status store)": lambda: decode_status(stored),
        "encode + dumps (cache set)": lambda: orjson.dumps(encode_status(status)).decode(),
        "loads + decode (cache get)": lambda: decode_status(orjson.loads(text)),
    }
    for name, call in cases.items():
        best = min(timeit.repeat(call, number=args.number, repeat=args.repeat, timer=time.process_time)) / args.number
        print(f"{name:28} {best * 1e6:7.2f} µs")


if __name__ == "__main__":
    main()
