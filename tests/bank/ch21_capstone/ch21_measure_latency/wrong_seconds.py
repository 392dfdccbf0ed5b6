# wrong: reports seconds, not milliseconds
def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(warmup):
        fn(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - start)
    return {"p50_ms": float(np.median(times)), "p95_ms": float(np.percentile(times, 95))}
