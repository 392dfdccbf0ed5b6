# Wrong: 20 * log10 of a POWER ratio counts every decibel twice (20 log10 is for amplitudes).
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    noise = np.sum((x - np.asarray(x_hat, dtype=np.float64)) ** 2)
    return float("inf") if noise == 0 else float(20 * np.log10(np.sum(x ** 2) / noise))
