# Correct: mean powers give the same ratio as sums; zero noise gives inf.
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    error = x - np.asarray(x_hat, dtype=np.float64)
    noise_power = float(np.mean(error ** 2))
    if noise_power == 0.0:
        return float("inf")
    return float(10.0 * np.log10(np.mean(x ** 2) / noise_power))
