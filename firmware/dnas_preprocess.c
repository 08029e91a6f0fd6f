/* dnas_preprocess.c - see dnas_preprocess.h. Every formula is the one in
 * src/Dnas/Data/Preprocess/README.md; the per-format pixel decoding is CameraPixels.cs. */
#include "dnas_preprocess.h"

#include <stddef.h>

void dnas_crop_window(dnas_crop_t crop, int32_t fw, int32_t fh, int32_t ow, int32_t oh,
                      int32_t *x, int32_t *y, int32_t *w, int32_t *h)
{
    int32_t cw = fw, ch = fh;
    if (crop == DNAS_CROP_CENTRE) {
        int64_t wide = (int64_t)fw * oh, tall = (int64_t)fh * ow;
        if (wide >= tall) {
            ch = fh;
            cw = (int32_t)(tall / oh > 1 ? tall / oh : 1);
        } else {
            cw = fw;
            ch = (int32_t)(wide / ow > 1 ? wide / ow : 1);
        }
    }
    *x = (fw - cw) / 2;
    *y = (fh - ch) / 2;
    *w = cw;
    *h = ch;
}

/* ---------------------------------------------------------------- taps (README section 3) */

static int32_t area_taps(int32_t s, int32_t d, dnas_tap_t *t, uint16_t *weights, int32_t capacity)
{
    int32_t used = 0;
    for (int32_t j = 0; j < d; j++) {
        int64_t a = (int64_t)j * s, b = (int64_t)(j + 1) * s;
        int64_t i0 = a / d, i1 = (b + d - 1) / d - 1, covered = 0, previous = 0;
        t[j].first = (int32_t)i0;
        t[j].count = (int32_t)(i1 - i0 + 1);
        t[j].offset = used;
        if (used + t[j].count > capacity) return -1;
        for (int64_t i = i0; i <= i1; i++) {
            int64_t hi = b < (i + 1) * d ? b : (i + 1) * d, lo = a > i * d ? a : i * d;
            covered += hi - lo;
            int64_t running = (covered * 4096 + s / 2) / s;   /* rounded running sum: weights sum to 4096 */
            weights[used++] = (uint16_t)(running - previous);
            previous = running;
        }
    }
    return used;
}

static int32_t bilinear_taps(int32_t s, int32_t d, dnas_tap_t *t, uint16_t *weights, int32_t capacity)
{
    int32_t used = 0;
    for (int32_t j = 0; j < d; j++) {
        int64_t u = (int64_t)(2 * j + 1) * s - d;   /* 2D times the source coordinate */
        t[j].offset = used;
        if (used + 2 > capacity) return -1;
        if (u <= 0 || u / (2 * d) >= s - 1) {
            t[j].first = u <= 0 ? 0 : s - 1;   /* clamped at an edge */
            t[j].count = 1;
            weights[used++] = 4096;
            continue;
        }
        int64_t i0 = u / (2 * d), f = u - i0 * 2 * d;
        uint16_t w1 = (uint16_t)((f * 4096 + d) / (2 * d));
        t[j].first = (int32_t)i0;
        t[j].count = 2;
        weights[used++] = (uint16_t)(4096 - w1);
        weights[used++] = w1;
    }
    return used;
}

static int32_t nearest_taps(int32_t s, int32_t d, dnas_tap_t *t, uint16_t *weights, int32_t capacity)
{
    if (d > capacity) return -1;
    for (int32_t j = 0; j < d; j++) {
        t[j].first = (int32_t)(((int64_t)(2 * j + 1) * s) / (2 * (int64_t)d));
        t[j].count = 1;
        t[j].offset = j;
        weights[j] = 4096;
    }
    return d;
}

int32_t dnas_build_taps(dnas_resize_t method, int32_t s, int32_t d, dnas_tap_t *taps, uint16_t *weights, int32_t capacity)
{
    if (method == DNAS_RESIZE_NEAREST) return nearest_taps(s, d, taps, weights, capacity);
    if (method == DNAS_RESIZE_AREA && s >= d) return area_taps(s, d, taps, weights, capacity);
    return bilinear_taps(s, d, taps, weights, capacity);
}

/* ---------------------------------------------------------------- camera pixels (CameraPixels.cs) */

static uint8_t clamp_u8(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* BT.601 limited-range YUV -> RGB in 8-bit fixed point (the widely used integer form). */
static void yuv_to_rgb(int32_t y, int32_t u, int32_t v, uint8_t rgb[3])
{
    int32_t c = 298 * (y - 16) + 128, d = u - 128, e = v - 128;
    int32_t r = c + 409 * e, g = c - 100 * d - 208 * e, b = c + 516 * d;
    rgb[0] = clamp_u8(r < 0 ? 0 : r >> 8);
    rgb[1] = clamp_u8(g < 0 ? 0 : g >> 8);
    rgb[2] = clamp_u8(b < 0 ? 0 : b >> 8);
}

/* Bytes of one frame row. */
static size_t row_bytes(dnas_frame_format_t f, int32_t w)
{
    switch (f) {
    case DNAS_FRAME_GRAY8: return (size_t)w;
    case DNAS_FRAME_RGB888: return (size_t)w * 3;
    case DNAS_FRAME_RGB565: return (size_t)w * 2;
    default: return (size_t)((w + 1) / 2) * 4;
    }
}

/* Pixel at column i of a row as RGB (3 values). */
static void pixel_rgb(dnas_frame_format_t f, const uint8_t *row, int32_t i, uint8_t rgb[3])
{
    switch (f) {
    case DNAS_FRAME_GRAY8:
        rgb[0] = rgb[1] = rgb[2] = row[i];
        break;
    case DNAS_FRAME_RGB888:
        rgb[0] = row[3 * i]; rgb[1] = row[3 * i + 1]; rgb[2] = row[3 * i + 2];
        break;
    case DNAS_FRAME_RGB565: {
        uint32_t v = (uint32_t)row[2 * i] | ((uint32_t)row[2 * i + 1] << 8);
        uint32_t r = v >> 11, g = (v >> 5) & 63u, b = v & 31u;
        rgb[0] = (uint8_t)((r << 3) | (r >> 2));   /* bit replication: 0 -> 0, 31 -> 255 */
        rgb[1] = (uint8_t)((g << 2) | (g >> 4));
        rgb[2] = (uint8_t)((b << 3) | (b >> 2));
        break;
    }
    default: {
        const uint8_t *group = row + (size_t)(i / 2) * 4;
        yuv_to_rgb(group[(i & 1) * 2], group[1], group[3], rgb);
        break;
    }
    }
}

/* ---------------------------------------------------------------- the resize (README 3.5), streamed by output row */

static int run(const dnas_preprocess_t *pp, const uint8_t *frame, int32_t fw, int32_t fh,
               dnas_frame_format_t format, uint8_t *image, int8_t *input)
{
    if (fw < 1 || fh < 1 || !frame) return DNAS_PREPROCESS_BAD_FRAME;
    if ((unsigned)format > 3u || (pp->channels != 1 && pp->channels != 3) ||
        (unsigned)pp->resize > 2u || (input && pp->table_count != 1 && pp->table_count != pp->channels))
        return DNAS_PREPROCESS_BAD_CONFIG;
    int32_t cx, cy, cw, ch;
    dnas_crop_window(pp->crop, fw, fh, pp->width, pp->height, &cx, &cy, &cw, &ch);
    if (dnas_build_taps(pp->resize, cw, pp->width, pp->taps_x, pp->weights_x, pp->weights_x_capacity) < 0 ||
        dnas_build_taps(pp->resize, ch, pp->height, pp->taps_y, pp->weights_y, pp->weights_y_capacity) < 0)
        return DNAS_PREPROCESS_WORK_TOO_SMALL;

    /* The filter works on one channel when the model is gray or the frame is gray (a gray frame
     * for an RGB model is resized once and written to R, G and B). */
    int32_t wc = (pp->channels == 1 || format == DNAS_FRAME_GRAY8) ? 1 : 3;
    int32_t n = pp->width * wc;
    size_t stride = row_bytes(format, fw);
    for (int32_t y = 0; y < pp->height; y++) {
        const dnas_tap_t *ty = &pp->taps_y[y];
        for (int32_t k = 0; k < n; k++) pp->row_acc[k] = 0;
        for (int32_t t = 0; t < ty->count; t++) {
            uint32_t wy = pp->weights_y[ty->offset + t];
            if (wy == 0) continue;
            const uint8_t *row = frame + (size_t)(cy + ty->first + t) * stride;
            for (int32_t x = 0; x < pp->width; x++) {
                const dnas_tap_t *tx = &pp->taps_x[x];
                uint32_t h0 = 0, h1 = 0, h2 = 0;
                for (int32_t u = 0; u < tx->count; u++) {
                    uint32_t wx = pp->weights_x[tx->offset + u];
                    uint8_t rgb[3];
                    pixel_rgb(format, row, cx + tx->first + u, rgb);
                    if (wc == 1) {
                        uint32_t g = format == DNAS_FRAME_GRAY8 ? rgb[0]
                                   : (77u * rgb[0] + 150u * rgb[1] + 29u * rgb[2] + 128u) >> 8;
                        h0 += wx * g;
                    } else {
                        h0 += wx * rgb[0]; h1 += wx * rgb[1]; h2 += wx * rgb[2];
                    }
                }
                uint32_t *acc = pp->row_acc + (size_t)x * wc;
                acc[0] += wy * h0;
                if (wc == 3) { acc[1] += wy * h1; acc[2] += wy * h2; }
            }
        }
        for (int32_t x = 0; x < pp->width; x++)
            for (int32_t c = 0; c < pp->channels; c++) {
                uint32_t acc = pp->row_acc[(size_t)x * wc + (wc == 1 ? 0 : c)];
                uint8_t v = (uint8_t)((acc + (1u << 23)) >> 24);
                size_t at = ((size_t)y * pp->width + x) * pp->channels + c;
                if (image) image[at] = v;
                if (input) input[at] = pp->table[(pp->table_count == 1 ? 0 : c) * 256 + v];
            }
    }
    return DNAS_PREPROCESS_OK;
}

int dnas_preprocess_frame(const dnas_preprocess_t *pp, const uint8_t *frame, int32_t fw, int32_t fh,
                          dnas_frame_format_t format, int8_t *input)
{
    return run(pp, frame, fw, fh, format, NULL, input);
}

int dnas_preprocess_frame_u8(const dnas_preprocess_t *pp, const uint8_t *frame, int32_t fw, int32_t fh,
                             dnas_frame_format_t format, uint8_t *image)
{
    return run(pp, frame, fw, fh, format, image, NULL);
}
