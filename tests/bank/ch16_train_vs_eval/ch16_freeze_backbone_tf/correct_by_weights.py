# correct: freeze every layer that owns weights except the head (layers without weights do not matter)
def freeze_backbone_tf(model, head):
    for layer in model.layers:
        if layer.weights:
            layer.trainable = (layer.name == head)
    return None
