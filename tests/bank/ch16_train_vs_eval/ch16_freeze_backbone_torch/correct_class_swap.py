# correct: give each backbone BatchNorm a subclass whose train() always means eval(), and freeze the rest by grad
def freeze_backbone_torch(model, head):
    head_module = model.get_submodule(head)
    in_head = set(head_module.modules())
    for p in model.parameters():
        p.requires_grad_(False)
    params = []
    for p in head_module.parameters():
        p.requires_grad_(True)
        params.append(p)
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m not in in_head:
            frozen = type("Frozen" + type(m).__name__, (type(m),),
                          {"train": lambda self, mode=True: nn.Module.train(self, False)})
            m.__class__ = frozen
            m.eval()
    return params
