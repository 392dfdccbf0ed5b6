# Wrong (edge: matrices and feature maps): np.dot(e, e) is a sum of squares only for 1-D arrays (a matrix product for 2-D).
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    error = x - np.asarray(x_hat, dtype=np.float64)
    noise = np.dot(error, error)
    return float("inf") if np.all(noise == 0) else float(10 * np.log10(np.dot(x, x) / noise))
