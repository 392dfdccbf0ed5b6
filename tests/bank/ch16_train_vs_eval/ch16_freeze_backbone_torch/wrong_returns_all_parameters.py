# misconception: return model.parameters(); the optimiser will skip the frozen ones anyway (and BN is handled)
def freeze_backbone_torch(model, head):
    import types
    head_module = model.get_submodule(head)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.train = types.MethodType(lambda self, mode=True: nn.Module.train(self, False), m)
            m.eval()
    return list(model.parameters())
