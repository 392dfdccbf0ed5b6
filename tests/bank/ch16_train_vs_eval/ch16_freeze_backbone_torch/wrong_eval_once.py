# misconception: calling eval() on the backbone once is enough (model.train() each epoch undoes it)
def freeze_backbone_torch(model, head):
    head_module = model.get_submodule(head)
    head_ids = {id(p) for p in head_module.parameters()}
    for p in model.parameters():
        p.requires_grad = id(p) in head_ids
    for name, child in model.named_children():
        if child is not head_module:
            child.eval()
    return list(head_module.parameters())
