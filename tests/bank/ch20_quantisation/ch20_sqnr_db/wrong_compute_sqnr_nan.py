# Wrong (edge: x = x_hat = 0): compute_sqnr alone gives 0/0 = nan there, where the contract says inf (no noise).
def sqnr_db(x, x_hat):
    from torch.ao.ns.fx.utils import compute_sqnr
    return float(compute_sqnr(torch.as_tensor(np.asarray(x, dtype=np.float32)),
                              torch.as_tensor(np.asarray(x_hat, dtype=np.float32))))
