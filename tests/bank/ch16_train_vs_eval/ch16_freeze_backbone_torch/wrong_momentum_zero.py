# misconception: momentum=0 freezes BatchNorm (statistics stay put, but it still normalises with batch statistics)
def freeze_backbone_torch(model, head):
    head_module = model.get_submodule(head)
    head_ids = {id(p) for p in head_module.parameters()}
    for p in model.parameters():
        p.requires_grad = id(p) in head_ids
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.0
    return list(head_module.parameters())
