# Correct: 20 log10 of the ratio of norms (amplitudes), like torch's compute_sqnr.
def sqnr_db(x, x_hat):
    x = np.asarray(x, dtype=np.float64).ravel()
    noise = np.linalg.norm(x - np.asarray(x_hat, dtype=np.float64).ravel())
    return float("inf") if noise == 0 else float(20 * np.log10(np.linalg.norm(x) / noise))
