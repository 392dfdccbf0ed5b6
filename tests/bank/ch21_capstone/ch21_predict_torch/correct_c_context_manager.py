# correct: a context manager that puts every submodule in eval mode and gives each its own flag back; torch ops
import contextlib


@contextlib.contextmanager
def _inference(model):
    saved = {name: m.training for name, m in model.named_modules()}
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        for name, m in model.named_modules():
            m.training = saved[name]


def predict_torch(model, images_uint8):
    device = next(model.parameters()).device
    mean = torch.tensor(np.asarray(model.pixel_mean), dtype=torch.float32, device=device)
    std = torch.tensor(np.asarray(model.pixel_std), dtype=torch.float32, device=device)
    x = torch.tensor(images_uint8, device=device).float().div(255).sub(mean).div(std).permute(0, 3, 1, 2)
    with _inference(model) as net:
        return net(x.contiguous()).argmax(1).to("cpu").numpy()
