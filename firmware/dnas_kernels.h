/* dnas_kernels.h - portable C99 int8 kernels with TensorFlow Lite reference semantics.
 *
 * Bit-exact with TFLite's reference_integer_ops / TFLM's reference kernels and with the
 * C# Int8Interpreter of DnasToolchain. Every parameter a kernel needs (multipliers, shifts,
 * offsets, activation ranges, softmax beta scaling) is computed by the generator ("Prepare")
 * and passed in; the kernels ("Eval") allocate nothing and use no floating point.
 *
 * Layouts are TFLite's: activations NHWC with N = 1, conv filters OHWI, depthwise filters
 * 1HWC (C = in_channels * depth_multiplier), fully-connected weights [out][in].
 */
#ifndef DNAS_KERNELS_H
#define DNAS_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- fixed-point helpers (gemmlowp / TFLite common.h semantics) ---- */
int32_t dnas_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t dnas_rounding_divide_by_pot(int32_t x, int exponent);
/* x * multiplier * 2^shift with TFLite's double rounding (shift > 0: left, < 0: right). */
int32_t dnas_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);

/* A 4-D activation shape with batch 1: height, width, channels. */
typedef struct {
    int32_t h, w, c;
} dnas_shape_t;

typedef struct {
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;   /* resolved from SAME/VALID by the generator */
    int32_t input_offset;        /* -input zero point */
    int32_t output_offset;       /* output zero point */
    int32_t act_min, act_max;    /* fused activation, already in the output's int8 domain */
    int32_t depth_multiplier;    /* depthwise only */
} dnas_conv_params_t;

/* CONV_2D, per-channel quantized (TFLite ConvPerChannel). filter: [out_c][kh][kw][in_c]. */
void dnas_conv2d(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                 dnas_shape_t in_shape, const int8_t *input,
                 int32_t kh, int32_t kw, const int8_t *filter, const int32_t *bias,
                 dnas_shape_t out_shape, int8_t *output);

/* DEPTHWISE_CONV_2D, per-channel (TFLite DepthwiseConvPerChannel). filter: [kh][kw][out_c]. */
void dnas_depthwise_conv2d(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                           dnas_shape_t in_shape, const int8_t *input,
                           int32_t kh, int32_t kw, const int8_t *filter, const int32_t *bias,
                           dnas_shape_t out_shape, int8_t *output);

/* Fast paths, bit-identical to the two reference kernels above (integer sums in another
 * order; no overflow is possible where the reference has none). `acc` is caller scratch of
 * out_shape.c int32 values. The depthwise one needs depth_multiplier 1. */
void dnas_conv2d_fast(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                      dnas_shape_t in_shape, const int8_t *input,
                      int32_t kh, int32_t kw, const int8_t *filter, const int32_t *bias,
                      dnas_shape_t out_shape, int8_t *output, int32_t *acc);
void dnas_depthwise_conv2d_fast(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                                dnas_shape_t in_shape, const int8_t *input,
                                int32_t kh, int32_t kw, const int8_t *filter, const int32_t *bias,
                                dnas_shape_t out_shape, int8_t *output, int32_t *acc);

/* CONV_2D with a 1x1 filter, stride 1 (no padding can apply): `pixels` rows of in_c values to
 * rows of out_c values. folded_bias[oc] = bias[oc] + input_offset * sum_ic filter[oc][ic]
 * (precomputed; exact in integers), so the inner loop is a plain int8 dot product.
 * Input and output may overlap: each input pixel is copied to pixel_scratch (in_c bytes)
 * before its output pixel is written, and pixels run in ascending order, or descending when
 * `descending` is non-zero; the generator picks the order in which no output pixel overwrites
 * an input pixel still to be read. */
void dnas_pointwise_conv(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                         int32_t pixels, int32_t in_c, const int8_t *input,
                         int32_t out_c, const int8_t *filter, const int32_t *folded_bias,
                         int8_t *output, int8_t *pixel_scratch, int32_t descending);

typedef struct {
    int32_t input_offset, filter_offset, output_offset;   /* -zero points (filter: 0 for symmetric weights) */
    int32_t act_min, act_max;
} dnas_fc_params_t;

/* FULLY_CONNECTED: rows = batch rows of `depth` inputs, weights [units][depth]. One multiplier
 * and shift per unit (a per-tensor model repeats the same pair). bias may be NULL. */
void dnas_fully_connected(const dnas_fc_params_t *p, const int32_t *multiplier, const int32_t *shift,
                          int32_t rows, int32_t depth, const int8_t *input,
                          int32_t units, const int8_t *weights, const int32_t *bias, int8_t *output);

typedef struct {
    int32_t left_shift;                  /* 20 for int8 */
    int32_t input1_offset, input2_offset; /* -zero points */
    int32_t input1_multiplier, input2_multiplier;
    int32_t input1_shift, input2_shift;   /* <= 0 */
    int32_t output_multiplier, output_shift, output_offset;
    int32_t act_min, act_max;
} dnas_add_params_t;

/* ADD of two int8 tensors of the same shape (TFLite reference_integer_ops::Add). */
void dnas_add(const dnas_add_params_t *p, int32_t size, const int8_t *input1, const int8_t *input2, int8_t *output);

typedef struct {
    int32_t stride_h, stride_w, filter_h, filter_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} dnas_pool_params_t;

void dnas_average_pool(const dnas_pool_params_t *p, dnas_shape_t in_shape, const int8_t *input,
                       dnas_shape_t out_shape, int8_t *output);
void dnas_max_pool(const dnas_pool_params_t *p, dnas_shape_t in_shape, const int8_t *input,
                   dnas_shape_t out_shape, int8_t *output);

typedef struct {
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier, shift;   /* input_scale / output_scale / (H*W), 1/(H*W) folded in at Prepare */
} dnas_mean_params_t;

/* MEAN over height and width of a 1xHxWxC tensor (TFLite reference_ops::QuantizedMeanOrSum
 * with the division folded into the multiplier): (sum x - zp_in * H*W) * multiplier/shift
 * + zp_out, clamped to int8. */
void dnas_mean_hw(const dnas_mean_params_t *p, dnas_shape_t in_shape, const int8_t *input, int8_t *output);

typedef struct {
    int32_t input_multiplier, input_left_shift;  /* beta * input_scale, scaled for 5 integer bits */
    int32_t diff_min;
} dnas_softmax_params_t;

/* SOFTMAX int8 -> int8 (output scale 1/256, zero point -128), the reference fixed-point path. */
void dnas_softmax(const dnas_softmax_params_t *p, int32_t rows, int32_t depth, const int8_t *input, int8_t *output);

/* PAD of a 1xHxWxC tensor in height and width (same channels) with `value` (the int8 zero point). */
void dnas_pad(dnas_shape_t in_shape, const int8_t *input, int32_t pad_top, int32_t pad_left,
              dnas_shape_t out_shape, int8_t value, int8_t *output);

/* RESHAPE (and anything else that only relabels the data): copy unless in place. */
void dnas_copy(int32_t size, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* DNAS_KERNELS_H */
