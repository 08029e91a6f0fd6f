#pragma once
#include <cstddef>
#include <cstdint>
typedef enum TfLiteStatus { kTfLiteOk = 0, kTfLiteError = 1 } TfLiteStatus;
typedef union TfLitePtrUnion { int32_t* i32; float* f; int8_t* int8; uint8_t* uint8; void* data; } TfLitePtrUnion;
typedef struct TfLiteTensor { int type; TfLitePtrUnion data; size_t bytes; } TfLiteTensor;
#define TF_LITE_ENSURE_STATUS(a) do { const TfLiteStatus s = (a); if (s != kTfLiteOk) return s; } while (0)
