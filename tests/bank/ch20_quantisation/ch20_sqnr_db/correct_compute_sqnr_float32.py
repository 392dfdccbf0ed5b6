# Correct: PyTorch's own compute_sqnr on float32 tensors (it returns None for float64), with the zero-noise case first.
def sqnr_db(x, x_hat):
    from torch.ao.ns.fx.utils import compute_sqnr
    signal = torch.as_tensor(np.asarray(x, dtype=np.float32))
    approx = torch.as_tensor(np.asarray(x_hat, dtype=np.float32))
    if torch.equal(signal, approx):
        return float("inf")
    return float(compute_sqnr(signal, approx))
