# correct: statistics.median and a nearest-rank 95th percentile, timed with timeit's default clock
import math
import statistics
import timeit


def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(warmup):
        fn(x)
    samples = []
    for _ in range(repeats):
        t0 = timeit.default_timer()
        fn(x)
        samples.append(1000.0 * (timeit.default_timer() - t0))
    ordered = sorted(samples)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return {"p50_ms": float(statistics.median(ordered)), "p95_ms": float(ordered[rank - 1])}
