# wrong: runs the warm-up calls but times them too, so the cold start lands in the percentiles
def measure_latency(fn, x, warmup=5, repeats=20):
    times_ms = []
    for _ in range(warmup + repeats):
        start = time.perf_counter()
        fn(x)
        times_ms.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": float(np.percentile(times_ms, 50)), "p95_ms": float(np.percentile(times_ms, 95))}
