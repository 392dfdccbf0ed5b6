# A context manager that freezes the whole model in eval mode and restores every module's own flag on exit; the
# predictions are stacked into a (shifts, N) table and compared with the unshifted row in one go.
def shift_consistency_torch(model, images, shifts):
    import contextlib

    @contextlib.contextmanager
    def evaluating(net):
        flags = [(m, m.training) for m in net.modules()]
        net.eval()
        try:
            yield net
        finally:
            for m, flag in flags:
                m.training = flag

    params = list(model.parameters())
    device = params[0].device if params else images.device
    with evaluating(model), torch.inference_mode():
        x = images.to(device)
        table = torch.stack([model(torch.roll(x, shifts=(int(dy), int(dx)), dims=(2, 3))).argmax(dim=1)
                             for dy, dx in [(0, 0), *shifts]])
    return (table[1:] == table[0]).double().mean().item()
