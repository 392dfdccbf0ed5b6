# misconception: track_running_stats=False freezes BatchNorm (statistics stay, but it normalises with the batch's)
def freeze_backbone_torch(model, head):
    head_module = model.get_submodule(head)
    head_ids = {id(p) for p in head_module.parameters()}
    for p in model.parameters():
        p.requires_grad = id(p) in head_ids
    in_head = set(head_module.modules())
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m not in in_head:
            m.track_running_stats = False
    return list(head_module.parameters())
