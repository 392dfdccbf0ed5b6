# correct: integer nanosecond clock and np.quantile
def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(warmup):
        fn(x)
    ns = np.empty(repeats)
    for i in range(repeats):
        t = time.perf_counter_ns()
        fn(x)
        ns[i] = time.perf_counter_ns() - t
    p50, p95 = np.quantile(ns / 1e6, [0.5, 0.95])
    return {"p50_ms": float(p50), "p95_ms": float(p95)}
