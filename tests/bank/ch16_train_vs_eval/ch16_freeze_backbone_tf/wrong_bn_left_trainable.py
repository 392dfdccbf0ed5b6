# misconception: BatchNorm layers have no "real" weights, so leave them trainable
def freeze_backbone_tf(model, head):
    for layer in model.layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = layer.name == head
