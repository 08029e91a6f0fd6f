#pragma once
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
namespace tflite {
TFLMRegistration Register_ADD_INT8();
}  // namespace tflite
