# Correct: torch.aminmax over a view with the channel axis first (axis normalised with %), Python ints for the range.
def choose_qparams(x, num_bits=8, symmetric=False, axis=None):
    t = torch.as_tensor(np.asarray(x, dtype=np.float32))
    rows = t.reshape(1, -1) if axis is None else t.movedim(axis % t.dim(), 0).reshape(t.shape[axis], -1)
    lo, hi = torch.aminmax(rows, dim=1)
    lo, hi = lo.clamp(max=0.0), hi.clamp(min=0.0)
    levels = 2 ** num_bits - 1
    eps = torch.finfo(torch.float32).eps
    if symmetric:
        scale = torch.maximum(-lo, hi).div(levels / 2).clamp(min=eps)
        zero_point = torch.zeros_like(scale, dtype=torch.int64)
    else:
        scale = (hi - lo).div(levels).clamp(min=eps)
        zero_point = torch.clamp(-torch.round(lo / scale), 0, levels).to(torch.int64)
    return scale.numpy(), zero_point.numpy()
