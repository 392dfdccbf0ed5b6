# wrong: always warms up at least once (max(warmup, 1)): warmup=0 calls fn one time too many
def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(max(warmup, 1)):
        fn(x)
    times_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        times_ms.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": float(np.percentile(times_ms, 50)), "p95_ms": float(np.percentile(times_ms, 95))}
