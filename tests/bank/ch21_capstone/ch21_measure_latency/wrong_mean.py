# wrong: reports the mean as the "p50": occasional slow calls drag it up
def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(warmup):
        fn(x)
    times_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        times_ms.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": float(np.mean(times_ms)), "p95_ms": float(np.percentile(times_ms, 95))}
