# Wrong: ratio of variances; subtracting the mean ignores the signal's (and the error's) constant part.
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    error = x - np.asarray(x_hat, dtype=np.float64)
    return float("inf") if np.var(error) == 0 else float(10 * np.log10(np.var(x) / np.var(error)))
