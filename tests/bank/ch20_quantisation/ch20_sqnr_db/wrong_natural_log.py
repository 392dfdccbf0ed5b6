# Wrong: natural logarithm; decibels are defined with log base 10.
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    noise = np.sum((x - np.asarray(x_hat, dtype=np.float64)) ** 2)
    return float("inf") if noise == 0 else float(10 * np.log(np.sum(x ** 2) / noise))
