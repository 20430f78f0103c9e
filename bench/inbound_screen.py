"""The inbound screen's cost per text: every text of the labelled corpus (tests/screen/corpus.toml) screened
uncached, several rounds, after one warm-up round. Target: p95 <= 1 ms a text.

Pure Python and regular expressions, no database: it runs in this process. Also printed: the one-off cost of
loading and compiling the phrase families (bots/data/inbound_screen.toml), a cached lookup (a turn and its
reading ask twice), and how fast this machine is right now (a 100,000-step Python loop, the load average).

    python bench/inbound_screen.py
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_P95_MS = 1.0


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    from bots.inbound_screen import screen, screen_uncached
    from bots.inbound_screen_evaluation import load_corpus
    from bots.nlu.text import fold
    load_ms = (time.perf_counter() - started) * 1000

    texts = [fold(item.text) for item in load_corpus()]
    for text in texts:  # warm-up: first use of each regex, the caches of the keyword matcher
        screen_uncached(text)
    timings: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            started = time.perf_counter()
            screen_uncached(text)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    cached: list[float] = []
    for text in texts:
        screen(text)
        started = time.perf_counter()
        screen(text)
        cached.append((time.perf_counter() - started) * 1000)
    cached.sort()

    loop = 0
    started = time.process_time()
    for step in range(100_000):
        loop += step
    loop_ms = (time.process_time() - started) * 1000
    load = os.getloadavg()[0]
    p50, p95, p99 = percentile(timings, 50), percentile(timings, 95), percentile(timings, 99)
    print(f"screen: {len(timings)} texts ({len(texts)} a round, {args.rounds} rounds), p50 {p50:.3f} ms, "
          f"p95 {p95:.3f} ms, p99 {p99:.3f} ms, max {timings[-1]:.3f} ms")
    print(f"cached lookup p50 {percentile(cached, 50):.4f} ms; loading and compiling the phrase families "
          f"{load_ms:.0f} ms (once per process)")
    print(f"this machine: a 100,000 step Python loop {loop_ms:.1f} ms of CPU, load average {load:.2f} on "
          f"{os.cpu_count()} cores")
    print(f"RESULT texts={len(timings)} p50_ms={p50:.3f} p95_ms={p95:.3f} p99_ms={p99:.3f} max_ms={timings[-1]:.3f} "
          f"load_ms={load_ms:.0f} loop100k_cpu_ms={loop_ms:.1f} load={load:.2f} target_p95_ms={TARGET_P95_MS} "
          f"ok={str(p95 <= TARGET_P95_MS).lower()}")


if __name__ == "__main__":
    main()
