"""The exercise contracts of the course spec (section 4): chapter -> exercise ids. Binding."""
EXERCISES = {
    "ch16_train_vs_eval": ["ch16_evaluate_torch", "ch16_evaluate_tf", "ch16_accuracy_by_batch_size",
                           "ch16_freeze_backbone_torch", "ch16_freeze_backbone_tf", "ch16_saved_tensor_bytes",
                           "ch16_predict_proba_torch", "ch16_predict_proba_tf"],
    "ch17_feature_maps": ["ch17_capture_activations_torch", "ch17_capture_activations_tf", "ch17_filters_to_grid",
                          "ch17_dead_channel_fraction", "ch17_grad_cam_torch", "ch17_grad_cam_tf"],
    "ch18_receptive_fields": ["ch18_conv_output_size", "ch18_receptive_field",
                              "ch18_empirical_receptive_field_torch", "ch18_empirical_receptive_field_tf"],
    "ch19_pooling": ["ch19_max_pool2d_np", "ch19_avg_pool2d_np", "ch19_tf_same_pad_torch",
                     "ch19_shift_consistency_torch", "ch19_head_params"],
    "ch20_quantisation": ["ch20_choose_qparams", "ch20_quantize", "ch20_dequantize", "ch20_sqnr_db",
                          "ch20_static_quantize_torch", "ch20_tflite_int8"],
    "ch21_capstone": ["ch21_predict_torch", "ch21_predict_tf", "ch21_measure_latency", "ch21_implicated_suspects"],
}
