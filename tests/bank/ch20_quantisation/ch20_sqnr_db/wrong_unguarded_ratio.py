# Wrong (edge: x = x_hat = 0): relies on numpy's division by zero giving inf, but 0 / 0 gives nan.
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    noise = np.sum((x - np.asarray(x_hat, dtype=np.float64)) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(10 * np.log10(np.sum(x ** 2) / noise))
