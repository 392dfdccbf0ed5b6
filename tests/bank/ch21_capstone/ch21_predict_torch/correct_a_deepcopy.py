# correct: predict with an eval-mode deep copy (the caller's model is never touched), preprocessing in torch
import copy


def predict_torch(model, images_uint8):
    clone = copy.deepcopy(model).eval()
    device = next(clone.parameters()).device
    x = torch.as_tensor(images_uint8, device=device).permute(0, 3, 1, 2).float() / 255
    mean = torch.as_tensor(model.pixel_mean, dtype=torch.float32, device=device).view(1, -1, 1, 1)
    std = torch.as_tensor(model.pixel_std, dtype=torch.float32, device=device).view(1, -1, 1, 1)
    with torch.inference_mode():
        logits = clone((x - mean) / std)
    return logits.argmax(dim=1).cpu().numpy()
