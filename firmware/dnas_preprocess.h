/* dnas_preprocess.h - camera frame -> int8 model input, bit-identical to DnasToolchain's C#
 * definition (src/Dnas/Data/Preprocess/README.md and src/Dnas/Firmware/CameraPixels.cs):
 *
 *   frame (GRAY8 | RGB888 | RGB565 | YUYV, any width x height)
 *     -> each pixel to RGB888 (or gray8)         CameraPixels: RGB565 bit replication, BT.601 YUV
 *     -> crop window (centre crop or squash)     CropWindow
 *     -> gray per source pixel (gray models)     (77R + 150G + 29B + 128) >> 8
 *     -> separable integer resize (area / bilinear / nearest taps in 1/4096)
 *     -> int8 by the model's 256-entry table     QuantizeTable
 *
 * Integer arithmetic only; no allocation: the caller owns every buffer (the generated
 * <name>_preprocess.c declares them statically for the model's resolution). */
#ifndef DNAS_PREPROCESS_H
#define DNAS_PREPROCESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DNAS_FRAME_GRAY8 = 0,   /* 1 byte per pixel */
    DNAS_FRAME_RGB888 = 1,  /* R, G, B bytes */
    DNAS_FRAME_RGB565 = 2,  /* little-endian 16-bit words, R in bits 15..11 */
    DNAS_FRAME_YUYV = 3     /* Y0 U Y1 V per two pixels (YUV 4:2:2); a row holds (width + 1) / 2 groups */
} dnas_frame_format_t;

typedef enum { DNAS_RESIZE_AREA = 0, DNAS_RESIZE_BILINEAR = 1, DNAS_RESIZE_NEAREST = 2 } dnas_resize_t;
typedef enum { DNAS_CROP_CENTRE = 0, DNAS_CROP_SQUASH = 1 } dnas_crop_t;

/* Taps of one output index: `count` weights starting at weights[offset], applied to source
 * indices first .. first + count - 1. */
typedef struct {
    int32_t first, count, offset;
} dnas_tap_t;

/* Worst-case weights per axis for a source side S and output side D: area needs at most
 * S + D, bilinear 2D, nearest D. */
#define DNAS_PREPROCESS_WEIGHTS(S, D) ((S) + 2 * (D))

typedef struct {
    int32_t width, height, channels;  /* model image: channels 1 (gray) or 3 (RGB) */
    dnas_resize_t resize;
    dnas_crop_t crop;
    const int8_t *table;              /* table_count x 256 entries (1, or one per channel) */
    int32_t table_count;
    /* work buffers */
    dnas_tap_t *taps_x;               /* width entries */
    dnas_tap_t *taps_y;               /* height entries */
    uint16_t *weights_x;              /* weights_x_capacity entries */
    uint16_t *weights_y;
    int32_t weights_x_capacity, weights_y_capacity;
    uint32_t *row_acc;                /* width * channels: one output row's sums */
} dnas_preprocess_t;

#define DNAS_PREPROCESS_OK 0
#define DNAS_PREPROCESS_BAD_FRAME (-1)     /* frame size not positive */
#define DNAS_PREPROCESS_BAD_CONFIG (-2)    /* unknown format/method, channels not 1 or 3 */
#define DNAS_PREPROCESS_WORK_TOO_SMALL (-3) /* weights buffers too small for this frame */

/* The crop window of a frame_w x frame_h frame (section 1 of the preprocessing README). */
void dnas_crop_window(dnas_crop_t crop, int32_t frame_w, int32_t frame_h, int32_t out_w, int32_t out_h,
                      int32_t *x, int32_t *y, int32_t *w, int32_t *h);

/* Builds the taps of one axis (source side s -> output side d); returns the number of weights
 * used, or -1 when `capacity` is too small. */
int32_t dnas_build_taps(dnas_resize_t method, int32_t s, int32_t d, dnas_tap_t *taps, uint16_t *weights, int32_t capacity);

/* Frame -> int8 model input (width * height * channels values, HWC). */
int dnas_preprocess_frame(const dnas_preprocess_t *pp, const uint8_t *frame, int32_t frame_w, int32_t frame_h,
                          dnas_frame_format_t format, int8_t *input);

/* Frame -> uint8 model image before quantization (for tests and display). */
int dnas_preprocess_frame_u8(const dnas_preprocess_t *pp, const uint8_t *frame, int32_t frame_w, int32_t frame_h,
                             dnas_frame_format_t format, uint8_t *image);

#ifdef __cplusplus
}
#endif

#endif /* DNAS_PREPROCESS_H */
