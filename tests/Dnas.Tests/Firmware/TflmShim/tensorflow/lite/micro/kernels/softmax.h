#pragma once
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
namespace tflite {
TFLMRegistration Register_SOFTMAX_INT8();
}  // namespace tflite
