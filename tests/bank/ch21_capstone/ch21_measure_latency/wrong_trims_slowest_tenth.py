# wrong: drops the slowest 10% of the timed calls as "outliers" before taking the percentiles (hides the tail)
def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(warmup):
        fn(x)
    times_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        times_ms.append((time.perf_counter() - start) * 1000)
    kept = sorted(times_ms)[:max(1, int(len(times_ms) * 0.9))]
    return {"p50_ms": float(np.percentile(kept, 50)), "p95_ms": float(np.percentile(kept, 95))}
