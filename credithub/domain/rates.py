"""Per-client rate limits: a token bucket per client.

A client may send `burst` requests at once, then `rate` a second on average. The arithmetic is
here; where buckets live (memory of one instance) is the entrypoint's business.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bucket:
    tokens: float
    at: float  # monotonic seconds of the last update


def admit(bucket: Bucket | None, now: float, rate: float, burst: int) -> tuple[Bucket, float]:
    """The bucket after a request at `now`, and 0.0 if the request is admitted, or else how many
    seconds until it would be (the bucket is then left as it was, refilled to `now`)."""
    tokens = float(burst) if bucket is None else min(float(burst), bucket.tokens + (now - bucket.at) * rate)
    if tokens >= 1.0:
        return Bucket(tokens - 1.0, now), 0.0
    return Bucket(tokens, now), (1.0 - tokens) / rate
