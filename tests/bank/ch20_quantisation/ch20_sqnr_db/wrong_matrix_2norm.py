# Wrong (edge: matrices): np.linalg.norm(a, 2) of a matrix is its largest singular value, not the Frobenius norm.
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64)
    noise = np.linalg.norm(x - np.asarray(x_hat, dtype=np.float64), 2)
    return float("inf") if noise == 0 else float(20 * np.log10(np.linalg.norm(x, 2) / noise))
