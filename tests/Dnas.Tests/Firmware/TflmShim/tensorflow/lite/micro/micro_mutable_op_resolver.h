#pragma once
#include "tensorflow/lite/c/common.h"
namespace tflite {
struct TFLMRegistration { void* (*init)(void*, const char*, size_t); };
TFLMRegistration Register_CONV_2D();
TFLMRegistration Register_DEPTHWISE_CONV_2D();
TFLMRegistration Register_FULLY_CONNECTED();
TFLMRegistration Register_SOFTMAX();
TFLMRegistration Register_AVERAGE_POOL_2D();
TFLMRegistration Register_MAX_POOL_2D();
TFLMRegistration Register_ADD();
class MicroOpResolver { public: virtual ~MicroOpResolver() = default; };
template <unsigned int tOpCount>
class MicroMutableOpResolver : public MicroOpResolver {
 public:
  TfLiteStatus AddAdd(const TFLMRegistration& registration = Register_ADD());
  TfLiteStatus AddAveragePool2D(const TFLMRegistration& registration = Register_AVERAGE_POOL_2D());
  TfLiteStatus AddConv2D(const TFLMRegistration& registration = Register_CONV_2D());
  TfLiteStatus AddDepthwiseConv2D(const TFLMRegistration& registration = Register_DEPTHWISE_CONV_2D());
  TfLiteStatus AddFullyConnected(const TFLMRegistration& registration = Register_FULLY_CONNECTED());
  TfLiteStatus AddMaxPool2D(const TFLMRegistration& registration = Register_MAX_POOL_2D());
  TfLiteStatus AddMean();
  TfLiteStatus AddPad();
  TfLiteStatus AddReshape();
  TfLiteStatus AddSoftmax(const TFLMRegistration& registration = Register_SOFTMAX());
};
}  // namespace tflite
