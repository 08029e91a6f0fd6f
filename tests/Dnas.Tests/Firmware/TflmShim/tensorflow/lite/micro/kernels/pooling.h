#pragma once
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
namespace tflite {
TFLMRegistration Register_AVERAGE_POOL_2D_INT8();
TFLMRegistration Register_MAX_POOL_2D_INT8();
}  // namespace tflite
