# wrong: no warm-up at all: the first, cold calls are among the timed ones
def measure_latency(fn, x, warmup=5, repeats=20):
    times_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        times_ms.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": float(np.percentile(times_ms, 50)), "p95_ms": float(np.percentile(times_ms, 95))}
