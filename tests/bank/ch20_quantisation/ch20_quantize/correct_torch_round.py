# Correct: torch.round (half to even) in float64 tensors, broadcasting like NumPy, back to a NumPy int64 array.
def quantize(x, scale, zero_point, qmin, qmax):
    ratio = torch.as_tensor(np.asarray(x, dtype=np.float64)) / torch.as_tensor(np.asarray(scale, dtype=np.float64))
    q = torch.round(ratio) + torch.as_tensor(np.asarray(zero_point, dtype=np.int64))
    return q.clamp(qmin, qmax).to(torch.int64).numpy()
