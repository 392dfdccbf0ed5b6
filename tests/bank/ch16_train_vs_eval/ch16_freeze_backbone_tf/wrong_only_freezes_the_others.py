# misconception: layers start trainable, so freezing the others is enough (a head that arrived frozen stays frozen)
def freeze_backbone_tf(model, head):
    for layer in model.layers:
        if layer.name != head:
            layer.trainable = False
