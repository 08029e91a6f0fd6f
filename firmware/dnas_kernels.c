/* dnas_kernels.c - see dnas_kernels.h. Portable C99; relies only on the two
 * implementation-defined behaviours every supported compiler (GCC, Clang, Arm) shares:
 * `>>` of a negative int32 is arithmetic, and converting an out-of-range int64 to int32
 * wraps (TFLite's reference code assumes the same). */
#include "dnas_kernels.h"

#include <string.h>

#define DNAS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DNAS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---------------------------------------------------------------- fixed point */

int32_t dnas_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (int64_t)1 << 30 : 1 - ((int64_t)1 << 30);
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));   /* C division truncates, as gemmlowp */
}

int32_t dnas_rounding_divide_by_pot(int32_t x, int exponent)
{
    int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * 2^left_shift in int32 with wrap-around, as the reference's x * (1 << left_shift). */
static int32_t shift_left_wrapping(int32_t x, int left_shift)
{
    return (int32_t)(int64_t)((uint32_t)x << left_shift);
}

int32_t dnas_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift)
{
    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return dnas_rounding_divide_by_pot(
        dnas_saturating_rounding_doubling_high_mul(shift_left_wrapping(x, left), multiplier), right);
}

static int8_t clamp_to_int8(int32_t v, int32_t lo, int32_t hi)
{
    return (int8_t)DNAS_MIN(DNAS_MAX(v, lo), hi);
}

/* ---------------------------------------------------------------- convolutions */

void dnas_conv2d(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                 dnas_shape_t in, const int8_t *input,
                 int32_t kh, int32_t kw, const int8_t *filter, const int32_t *bias,
                 dnas_shape_t out, int8_t *output)
{
    for (int32_t oy = 0; oy < out.h; oy++) {
        int32_t iy0 = oy * p->stride_h - p->pad_top;
        for (int32_t ox = 0; ox < out.w; ox++) {
            int32_t ix0 = ox * p->stride_w - p->pad_left;
            for (int32_t oc = 0; oc < out.c; oc++) {
                const int8_t *f = filter + (int64_t)oc * kh * kw * in.c;
                int32_t acc = 0;
                for (int32_t fy = 0; fy < kh; fy++) {
                    int32_t iy = iy0 + p->dilation_h * fy;
                    if (iy < 0 || iy >= in.h) continue;
                    for (int32_t fx = 0; fx < kw; fx++) {
                        int32_t ix = ix0 + p->dilation_w * fx;
                        if (ix < 0 || ix >= in.w) continue;
                        const int8_t *x = input + ((int64_t)iy * in.w + ix) * in.c;
                        const int8_t *w = f + ((int64_t)fy * kw + fx) * in.c;
                        for (int32_t ic = 0; ic < in.c; ic++)
                            acc += (int32_t)w[ic] * ((int32_t)x[ic] + p->input_offset);
                    }
                }
                if (bias) acc += bias[oc];
                acc = dnas_multiply_by_quantized_multiplier(acc, multiplier[oc], shift[oc]) + p->output_offset;
                output[((int64_t)oy * out.w + ox) * out.c + oc] = clamp_to_int8(acc, p->act_min, p->act_max);
            }
        }
    }
}

void dnas_depthwise_conv2d(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                           dnas_shape_t in, const int8_t *input,
                           int32_t kh, int32_t kw, const int8_t *filter, const int32_t *bias,
                           dnas_shape_t out, int8_t *output)
{
    int32_t dm = p->depth_multiplier;
    for (int32_t oy = 0; oy < out.h; oy++) {
        int32_t iy0 = oy * p->stride_h - p->pad_top;
        for (int32_t ox = 0; ox < out.w; ox++) {
            int32_t ix0 = ox * p->stride_w - p->pad_left;
            int8_t *o = output + ((int64_t)oy * out.w + ox) * out.c;
            for (int32_t ic = 0; ic < in.c; ic++) {
                for (int32_t m = 0; m < dm; m++) {
                    int32_t oc = ic * dm + m;
                    int32_t acc = 0;
                    for (int32_t fy = 0; fy < kh; fy++) {
                        int32_t iy = iy0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in.h) continue;
                        for (int32_t fx = 0; fx < kw; fx++) {
                            int32_t ix = ix0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in.w) continue;
                            int32_t x = input[((int64_t)iy * in.w + ix) * in.c + ic];
                            int32_t w = filter[((int64_t)fy * kw + fx) * out.c + oc];
                            acc += w * (x + p->input_offset);
                        }
                    }
                    if (bias) acc += bias[oc];
                    acc = dnas_multiply_by_quantized_multiplier(acc, multiplier[oc], shift[oc]) + p->output_offset;
                    o[oc] = clamp_to_int8(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- fast convolutions */

static void requantize_row(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                           const int32_t *acc, int32_t channels, int8_t *out)
{
    for (int32_t c = 0; c < channels; c++)
        out[c] = clamp_to_int8(dnas_multiply_by_quantized_multiplier(acc[c], multiplier[c], shift[c]) + p->output_offset,
                               p->act_min, p->act_max);
}

void dnas_conv2d_fast(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                      dnas_shape_t in, const int8_t *input,
                      int32_t kh, int32_t kw, const int8_t *filter, const int32_t *bias,
                      dnas_shape_t out, int8_t *output, int32_t *acc)
{
    const int32_t filter_stride = kh * kw * in.c, off = p->input_offset;
    for (int32_t oy = 0; oy < out.h; oy++) {
        int32_t iy0 = oy * p->stride_h - p->pad_top;
        for (int32_t ox = 0; ox < out.w; ox++) {
            int32_t ix0 = ox * p->stride_w - p->pad_left;
            for (int32_t oc = 0; oc < out.c; oc++) acc[oc] = bias ? bias[oc] : 0;
            for (int32_t fy = 0; fy < kh; fy++) {
                int32_t iy = iy0 + p->dilation_h * fy;
                if (iy < 0 || iy >= in.h) continue;   /* padding: contributes nothing, as in the reference */
                for (int32_t fx = 0; fx < kw; fx++) {
                    int32_t ix = ix0 + p->dilation_w * fx;
                    if (ix < 0 || ix >= in.w) continue;
                    const int8_t *x = input + ((int64_t)iy * in.w + ix) * in.c;
                    const int8_t *w = filter + ((int64_t)fy * kw + fx) * in.c;
                    for (int32_t oc = 0; oc < out.c; oc++, w += filter_stride) {
                        int32_t sum = 0;
                        for (int32_t ic = 0; ic < in.c; ic++) sum += (int32_t)w[ic] * ((int32_t)x[ic] + off);
                        acc[oc] += sum;
                    }
                }
            }
            requantize_row(p, multiplier, shift, acc, out.c, output + ((int64_t)oy * out.w + ox) * out.c);
        }
    }
}

void dnas_depthwise_conv2d_fast(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                                dnas_shape_t in, const int8_t *input,
                                int32_t kh, int32_t kw, const int8_t *filter, const int32_t *bias,
                                dnas_shape_t out, int8_t *output, int32_t *acc)
{
    const int32_t c = out.c, off = p->input_offset;
    for (int32_t oy = 0; oy < out.h; oy++) {
        int32_t iy0 = oy * p->stride_h - p->pad_top;
        for (int32_t ox = 0; ox < out.w; ox++) {
            int32_t ix0 = ox * p->stride_w - p->pad_left;
            for (int32_t k = 0; k < c; k++) acc[k] = bias ? bias[k] : 0;
            for (int32_t fy = 0; fy < kh; fy++) {
                int32_t iy = iy0 + p->dilation_h * fy;
                if (iy < 0 || iy >= in.h) continue;
                for (int32_t fx = 0; fx < kw; fx++) {
                    int32_t ix = ix0 + p->dilation_w * fx;
                    if (ix < 0 || ix >= in.w) continue;
                    const int8_t *x = input + ((int64_t)iy * in.w + ix) * c;
                    const int8_t *w = filter + ((int64_t)fy * kw + fx) * c;
                    for (int32_t k = 0; k < c; k++) acc[k] += (int32_t)w[k] * ((int32_t)x[k] + off);
                }
            }
            requantize_row(p, multiplier, shift, acc, c, output + ((int64_t)oy * out.w + ox) * c);
        }
    }
}

void dnas_pointwise_conv(const dnas_conv_params_t *p, const int32_t *multiplier, const int32_t *shift,
                         int32_t pixels, int32_t in_c, const int8_t *input,
                         int32_t out_c, const int8_t *filter, const int32_t *folded_bias,
                         int8_t *output, int8_t *pixel_scratch, int32_t descending)
{
    for (int32_t k = 0; k < pixels; k++) {
        int32_t px = descending ? pixels - 1 - k : k;
        memcpy(pixel_scratch, input + (int64_t)px * in_c, (size_t)in_c);
        int8_t *o = output + (int64_t)px * out_c;
        const int8_t *x = pixel_scratch;
        int32_t oc = 0;
        /* Four output channels per pass: each input value is loaded once for four products. */
        for (; oc + 4 <= out_c; oc += 4) {
            const int8_t *w0 = filter + (int64_t)oc * in_c, *w1 = w0 + in_c, *w2 = w1 + in_c, *w3 = w2 + in_c;
            int32_t s0 = folded_bias[oc], s1 = folded_bias[oc + 1], s2 = folded_bias[oc + 2], s3 = folded_bias[oc + 3];
            for (int32_t ic = 0; ic < in_c; ic++) {
                int32_t v = x[ic];
                s0 += w0[ic] * v; s1 += w1[ic] * v; s2 += w2[ic] * v; s3 += w3[ic] * v;
            }
            o[oc] = clamp_to_int8(dnas_multiply_by_quantized_multiplier(s0, multiplier[oc], shift[oc]) + p->output_offset, p->act_min, p->act_max);
            o[oc + 1] = clamp_to_int8(dnas_multiply_by_quantized_multiplier(s1, multiplier[oc + 1], shift[oc + 1]) + p->output_offset, p->act_min, p->act_max);
            o[oc + 2] = clamp_to_int8(dnas_multiply_by_quantized_multiplier(s2, multiplier[oc + 2], shift[oc + 2]) + p->output_offset, p->act_min, p->act_max);
            o[oc + 3] = clamp_to_int8(dnas_multiply_by_quantized_multiplier(s3, multiplier[oc + 3], shift[oc + 3]) + p->output_offset, p->act_min, p->act_max);
        }
        for (; oc < out_c; oc++) {
            const int8_t *w = filter + (int64_t)oc * in_c;
            int32_t sum = folded_bias[oc];
            for (int32_t ic = 0; ic < in_c; ic++) sum += w[ic] * x[ic];
            o[oc] = clamp_to_int8(dnas_multiply_by_quantized_multiplier(sum, multiplier[oc], shift[oc]) + p->output_offset,
                                  p->act_min, p->act_max);
        }
    }
}

/* ---------------------------------------------------------------- fully connected */

void dnas_fully_connected(const dnas_fc_params_t *p, const int32_t *multiplier, const int32_t *shift,
                          int32_t rows, int32_t depth, const int8_t *input,
                          int32_t units, const int8_t *weights, const int32_t *bias, int8_t *output)
{
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *x = input + (int64_t)r * depth;
        for (int32_t u = 0; u < units; u++) {
            const int8_t *w = weights + (int64_t)u * depth;
            int32_t acc = 0;
            for (int32_t d = 0; d < depth; d++)
                acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)x[d] + p->input_offset);
            if (bias) acc += bias[u];
            acc = dnas_multiply_by_quantized_multiplier(acc, multiplier[u], shift[u]) + p->output_offset;
            output[(int64_t)r * units + u] = clamp_to_int8(acc, p->act_min, p->act_max);
        }
    }
}

/* ---------------------------------------------------------------- add */

void dnas_add(const dnas_add_params_t *p, int32_t size, const int8_t *input1, const int8_t *input2, int8_t *output)
{
    for (int32_t i = 0; i < size; i++) {
        int32_t a = shift_left_wrapping(p->input1_offset + input1[i], p->left_shift);
        int32_t b = shift_left_wrapping(p->input2_offset + input2[i], p->left_shift);
        int32_t sa = dnas_multiply_by_quantized_multiplier(a, p->input1_multiplier, p->input1_shift);
        int32_t sb = dnas_multiply_by_quantized_multiplier(b, p->input2_multiplier, p->input2_shift);
        int32_t sum = dnas_multiply_by_quantized_multiplier(sa + sb, p->output_multiplier, p->output_shift) + p->output_offset;
        output[i] = clamp_to_int8(sum, p->act_min, p->act_max);
    }
}

/* ---------------------------------------------------------------- pooling */

void dnas_average_pool(const dnas_pool_params_t *p, dnas_shape_t in, const int8_t *input,
                       dnas_shape_t out, int8_t *output)
{
    for (int32_t oy = 0; oy < out.h; oy++) {
        int32_t iy0 = oy * p->stride_h - p->pad_top;
        int32_t fy0 = DNAS_MAX(0, -iy0), fy1 = DNAS_MIN(p->filter_h, in.h - iy0);
        for (int32_t ox = 0; ox < out.w; ox++) {
            int32_t ix0 = ox * p->stride_w - p->pad_left;
            int32_t fx0 = DNAS_MAX(0, -ix0), fx1 = DNAS_MIN(p->filter_w, in.w - ix0);
            int32_t count = (fy1 - fy0) * (fx1 - fx0);
            for (int32_t c = 0; c < out.c; c++) {
                int32_t acc = 0;
                for (int32_t fy = fy0; fy < fy1; fy++)
                    for (int32_t fx = fx0; fx < fx1; fx++)
                        acc += input[((int64_t)(iy0 + fy) * in.w + ix0 + fx) * in.c + c];
                if (count == 0) acc = 0;   /* an empty window (never in a valid model) */
                else acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                output[((int64_t)oy * out.w + ox) * out.c + c] = clamp_to_int8(acc, p->act_min, p->act_max);
            }
        }
    }
}

void dnas_max_pool(const dnas_pool_params_t *p, dnas_shape_t in, const int8_t *input,
                   dnas_shape_t out, int8_t *output)
{
    for (int32_t oy = 0; oy < out.h; oy++) {
        int32_t iy0 = oy * p->stride_h - p->pad_top;
        int32_t fy0 = DNAS_MAX(0, -iy0), fy1 = DNAS_MIN(p->filter_h, in.h - iy0);
        for (int32_t ox = 0; ox < out.w; ox++) {
            int32_t ix0 = ox * p->stride_w - p->pad_left;
            int32_t fx0 = DNAS_MAX(0, -ix0), fx1 = DNAS_MIN(p->filter_w, in.w - ix0);
            for (int32_t c = 0; c < out.c; c++) {
                int32_t m = -128;
                for (int32_t fy = fy0; fy < fy1; fy++)
                    for (int32_t fx = fx0; fx < fx1; fx++)
                        m = DNAS_MAX(m, input[((int64_t)(iy0 + fy) * in.w + ix0 + fx) * in.c + c]);
                output[((int64_t)oy * out.w + ox) * out.c + c] = clamp_to_int8(m, p->act_min, p->act_max);
            }
        }
    }
}

void dnas_mean_hw(const dnas_mean_params_t *p, dnas_shape_t in, const int8_t *input, int8_t *output)
{
    int32_t count = in.h * in.w;
    for (int32_t c = 0; c < in.c; c++) {
        int32_t sum = 0;
        for (int32_t i = 0; i < count; i++) sum += input[(int64_t)i * in.c + c];
        int32_t v = dnas_multiply_by_quantized_multiplier(sum - p->input_zero_point * count, p->multiplier, p->shift);
        output[c] = clamp_to_int8(v + p->output_zero_point, -128, 127);
    }
}

/* ---------------------------------------------------------------- softmax
 * gemmlowp fixed point: a Qm value has m integer bits and 31 - m fractional bits. */

static int32_t saturating_shift_left(int32_t x, int exponent)   /* SaturatingRoundingMultiplyByPOT<+e> */
{
    int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return shift_left_wrapping(x, exponent);
}

#define FX_MUL(a, b) dnas_saturating_rounding_doubling_high_mul((a), (b))

/* exp(a) for a in [-1/4, 0), Q0 in and out. */
static int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a)
{
    const int32_t constant_term = 1895147668;    /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    int32_t x = a + (1 << 28);                    /* a + 1/8 */
    int32_t x2 = FX_MUL(x, x);
    int32_t x3 = FX_MUL(x2, x);
    int32_t x4 = FX_MUL(x2, x2);
    int32_t x4_over_4 = dnas_rounding_divide_by_pot(x4, 2);
    int32_t poly = dnas_rounding_divide_by_pot(FX_MUL(x4_over_4 + x3, constant_1_over_3) + x2, 1);
    return constant_term + FX_MUL(constant_term, x + poly);
}

/* exp(a) for a <= 0 given in Q5 (5 integer bits); result Q0. */
static int32_t exp_on_negative_values_q5(int32_t a)
{
    enum { kIntegerBits = 5, kFractionalBits = 31 - kIntegerBits };
    const int32_t one_quarter = (int32_t)1 << (kFractionalBits - 2);
    const int32_t mask = one_quarter - 1;
    int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        saturating_shift_left(a_mod_quarter_minus_one_quarter, kIntegerBits));
    int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    /* exp(-2^k) for k = -2 .. 4, applied for every bit set in the remainder. */
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    for (int k = -2; k <= 4; k++) {
        if (kIntegerBits > k && (remainder & ((int32_t)1 << (kFractionalBits + k))))
            result = FX_MUL(result, multipliers[k + 2]);
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + x) for x in [0, 1), Q0 in and out (Newton-Raphson, as gemmlowp). */
static int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a)
{
    int64_t sum = (int64_t)a + INT32_MAX;
    int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);   /* RoundingHalfSum, Q0 */
    const int32_t constant_48_over_17 = 1515870810;                       /* Q2 */
    const int32_t constant_neg_32_over_17 = -1010580540;                  /* Q2 */
    int32_t x = constant_48_over_17 + FX_MUL(half_denominator, constant_neg_32_over_17);
    for (int i = 0; i < 3; i++) {
        int32_t half_denominator_times_x = FX_MUL(half_denominator, x);          /* Q2 */
        int32_t one_minus = ((int32_t)1 << 29) - half_denominator_times_x;     /* Q2 */
        x = x + saturating_shift_left(FX_MUL(x, one_minus), 2);               /* Q4 -> Q2 */
    }
    return saturating_shift_left(x, 1);                                        /* x/2 in Q1 -> Q0 */
}

static int count_leading_zeros(uint32_t x)
{
    int n = 0;
    if (x == 0) return 32;
    while (!(x & 0x80000000u)) { x <<= 1; n++; }
    return n;
}

void dnas_softmax(const dnas_softmax_params_t *p, int32_t rows, int32_t depth, const int8_t *input, int8_t *output)
{
    enum { kAccumulationIntegerBits = 12 };
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *x = input + (int64_t)r * depth;
        int8_t *y = output + (int64_t)r * depth;
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < depth; c++) max_in_row = DNAS_MAX(max_in_row, x[c]);
        int32_t sum_of_exps = 0;   /* Q12 */
        for (int32_t c = 0; c < depth; c++) {
            int32_t diff = x[c] - max_in_row;
            if (diff >= p->diff_min) {
                int32_t scaled = FX_MUL(shift_left_wrapping(diff, p->input_left_shift), p->input_multiplier);
                sum_of_exps += dnas_rounding_divide_by_pot(exp_on_negative_values_q5(scaled), kAccumulationIntegerBits);
            }
        }
        int headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps);
        int num_bits_over_unit = kAccumulationIntegerBits - headroom_plus_one;
        int32_t shifted_sum_minus_one = (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - ((uint32_t)1 << 31));
        int32_t shifted_scale = one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
        for (int32_t c = 0; c < depth; c++) {
            int32_t diff = x[c] - max_in_row;
            if (diff >= p->diff_min) {
                int32_t scaled = FX_MUL(shift_left_wrapping(diff, p->input_left_shift), p->input_multiplier);
                int32_t e = exp_on_negative_values_q5(scaled);
                int32_t unsat = dnas_rounding_divide_by_pot(FX_MUL(shifted_scale, e), num_bits_over_unit + 31 - 8);
                y[c] = clamp_to_int8(unsat - 128, -128, 127);
            } else {
                y[c] = -128;
            }
        }
    }
}

/* ---------------------------------------------------------------- data movement */

void dnas_pad(dnas_shape_t in, const int8_t *input, int32_t pad_top, int32_t pad_left,
              dnas_shape_t out, int8_t value, int8_t *output)
{
    for (int32_t y = 0; y < out.h; y++)
        for (int32_t x = 0; x < out.w; x++) {
            int32_t iy = y - pad_top, ix = x - pad_left;
            int8_t *o = output + ((int64_t)y * out.w + x) * out.c;
            if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w)
                memset(o, value, (size_t)out.c);
            else
                memcpy(o, input + ((int64_t)iy * in.w + ix) * in.c, (size_t)in.c);
        }
}

void dnas_copy(int32_t size, const int8_t *input, int8_t *output)
{
    if (input != output) memmove(output, input, (size_t)size);
}
