# Wrong: noise over signal, so better approximations get smaller (negative) numbers.
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    noise = np.sum((x - np.asarray(x_hat, dtype=np.float64)) ** 2)
    return float("inf") if noise == 0 else float(10 * np.log10(noise / np.sum(x ** 2)))
