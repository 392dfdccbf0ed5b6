# Correct: np.subtract with dtype=float64 widens before subtracting, whatever the integer dtype of q.
def dequantize(q, scale, zero_point):
    return np.subtract(q, zero_point, dtype=np.float64) * np.asarray(scale, dtype=np.float64)
