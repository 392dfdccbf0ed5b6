# wrong: reports the slowest timed call as the p95 (it is the p100)
def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(warmup):
        fn(x)
    times_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        times_ms.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": float(np.median(times_ms)), "p95_ms": float(max(times_ms))}
