# correct: timeit.Timer.repeat with number=1 times each call on its own; percentiles with np.percentile
import timeit


def measure_latency(fn, x, warmup=5, repeats=20):
    timer = timeit.Timer(lambda: fn(x))
    if warmup:
        timer.timeit(number=warmup)
    seconds = timer.repeat(repeat=repeats, number=1)
    p50, p95 = np.percentile(np.array(seconds) * 1e3, [50, 95])
    return {"p50_ms": float(p50), "p95_ms": float(p95)}
