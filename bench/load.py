"""Load generator, run in its own process: N concurrent httpx clients POST one query for D seconds."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import httpx


async def run(
    url: str, body: bytes, seconds: float, concurrency: int, warmup: float, token: str = ""
) -> dict[str, float]:
    """Requests per second and latency percentiles (ms) after a warm-up."""
    latencies: list[float] = []
    errors = 0
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        first = await client.post(url, content=body, headers=headers)
        payload = first.json()
        if first.status_code != 200 or payload.get("errors"):
            print(json.dumps({"error": first.text[:500]}))
            sys.exit(1)
        start = time.perf_counter()
        measure_from = start + warmup
        stop = measure_from + seconds

        async def worker() -> None:
            nonlocal errors
            while True:
                t0 = time.perf_counter()
                if t0 >= stop:
                    return
                r = await client.post(url, content=body, headers=headers)
                t1 = time.perf_counter()
                if r.status_code != 200:
                    errors += 1
                if t0 >= measure_from:
                    latencies.append(t1 - t0)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    latencies.sort()
    n = len(latencies)

    def pct(p: float) -> float:
        return round(latencies[min(n - 1, int(p * n))] * 1000, 2) if n else 0.0

    return {
        "requests": n,
        "rps": round(n / seconds, 1),
        "p50_ms": pct(0.5),
        "p90_ms": pct(0.9),
        "errors": errors,
    }


def main() -> None:
    """Command line: ``python -m bench.load URL BODY_FILE``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("body")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--token", default="")
    args = parser.parse_args()
    with open(args.body, "rb") as fh:
        body = fh.read()
    print(
        json.dumps(asyncio.run(run(args.url, body, args.seconds, args.concurrency, args.warmup, args.token)))
    )


if __name__ == "__main__":
    main()
