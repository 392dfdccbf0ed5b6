# misconception: the backbone is always called "features" (true of the course model, not of every model)
def freeze_backbone_torch(model, head):
    import types
    head_module = model.get_submodule(head)
    for p in model.features.parameters():
        p.requires_grad = False
    for m in model.features.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.train = types.MethodType(lambda self, mode=True: nn.Module.train(self, False), m)
            m.eval()
    return list(head_module.parameters())
