# misconception: keep the whole model in eval mode while fine-tuning (the head's Dropout never trains)
def freeze_backbone_torch(model, head):
    import types
    head_module = model.get_submodule(head)
    head_ids = {id(p) for p in head_module.parameters()}
    for p in model.parameters():
        p.requires_grad = id(p) in head_ids
    model.train = types.MethodType(lambda self, mode=True: nn.Module.train(self, False), model)
    model.eval()
    return list(head_module.parameters())
