#pragma once
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
namespace tflite {
TFLMRegistration Register_DEPTHWISE_CONV_2D_INT8();
}  // namespace tflite
