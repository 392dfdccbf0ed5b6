# wrong: statistics.quantiles needs at least two data points: repeats=1 raises instead of reporting that one call
import statistics


def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(warmup):
        fn(x)
    times_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        times_ms.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(times_ms, n=100, method="inclusive")
    return {"p50_ms": float(cuts[49]), "p95_ms": float(cuts[94])}
