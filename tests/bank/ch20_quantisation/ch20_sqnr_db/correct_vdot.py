# Correct: np.vdot flattens its arguments, so vdot(e, e) is the sum of squares for arrays of any shape.
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    error = x - np.asarray(x_hat, dtype=np.float64)
    noise = np.vdot(error, error)
    return float("inf") if noise == 0 else float(10 * np.log10(np.vdot(x, x) / noise))
