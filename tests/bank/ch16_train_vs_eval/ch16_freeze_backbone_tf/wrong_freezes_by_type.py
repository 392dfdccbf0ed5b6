# misconception: a backbone is convolutions and BatchNorm (a Dense layer in the backbone keeps training)
def freeze_backbone_tf(model, head):
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.BatchNormalization)):
            layer.trainable = False
    model.get_layer(head).trainable = True
