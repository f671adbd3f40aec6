"""A marketplace simulator in its own process, stocked for the sync benchmark.

    python -m bench.simulators --port P --shops N --penalties M --api-key K --outbound-secret S

So that the platform's side of a pull or a push does not share the hub's event loop.
"""

from __future__ import annotations

import argparse
import random

import uvicorn

from bench.webhooks import credit_code
from platform_adapters.marketplace.simulator import MarketplaceSimulator


def stocked(shops: int, penalties: int, api_key: str, outbound_secret: str) -> MarketplaceSimulator:
    rng = random.Random(3)
    sim = MarketplaceSimulator(api_key=api_key, outbound_secret=outbound_secret)
    for n in range(shops):
        sim.put_shop(f"SM{4100000000 + n}", credit_code(rng), f"基准店铺{n}")
    day_ms = 86_400_000
    for n in range(penalties):
        shop = f"SM{4100000000 + rng.randrange(shops)}"
        code = rng.choice(["SP-102", "SP-202", "SP-301", "SP-401", "SP-501"])
        sim.put_penalty(f"P{n:07d}", shop, code, at_ms=sim.clock_ms - rng.randrange(1, 200) * day_ms)
    return sim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--shops", type=int, required=True)
    parser.add_argument("--penalties", type=int, required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--outbound-secret", required=True)
    args = parser.parse_args()
    sim = stocked(args.shops, args.penalties, args.api_key, args.outbound_secret)
    uvicorn.run(sim.app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
