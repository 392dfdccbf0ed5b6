# misconception: freezing the convolutions is enough (BatchNorm gamma/beta train and its moving statistics update)
def freeze_backbone_tf(model, head):
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            layer.trainable = False
