# wrong: times the whole loop once and divides by the repeats: a mean, so p50 = p95 and the tail is lost
def measure_latency(fn, x, warmup=5, repeats=20):
    for _ in range(warmup):
        fn(x)
    start = time.perf_counter()
    for _ in range(repeats):
        fn(x)
    per_call = (time.perf_counter() - start) / repeats * 1000
    return {"p50_ms": float(per_call), "p95_ms": float(per_call)}
