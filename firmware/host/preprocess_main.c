/* Host harness for the preprocessing tests: reads a request file, runs dnas_preprocess, writes
 * the uint8 image then the int8 input to the output file.
 * Request (little-endian int32 unless noted): format, frame_w, frame_h, out_w, out_h, channels,
 * resize, crop, table_count, then table_count*256 int8 table entries, then the frame bytes. */
#include <stdio.h>
#include <stdlib.h>

#include "../dnas_preprocess.h"

static int32_t read_i32(FILE *f)
{
    unsigned char b[4];
    if (fread(b, 1, 4, f) != 4) { fprintf(stderr, "truncated request\n"); exit(2); }
    return (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24));
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: preprocess REQUEST OUTPUT\n"); return 2; }
    FILE *in = fopen(argv[1], "rb");
    if (!in) { perror(argv[1]); return 2; }
    int32_t format = read_i32(in), fw = read_i32(in), fh = read_i32(in), ow = read_i32(in), oh = read_i32(in);
    int32_t channels = read_i32(in), resize = read_i32(in), crop = read_i32(in), tables = read_i32(in);
    int8_t *table = malloc((size_t)tables * 256);
    size_t frame_size = format == 0 ? (size_t)fw * fh : format == 1 ? (size_t)fw * fh * 3
                      : format == 2 ? (size_t)fw * fh * 2 : (size_t)((fw + 1) / 2) * 4 * fh;
    uint8_t *frame = malloc(frame_size);
    if (!table || !frame || fread(table, 1, (size_t)tables * 256, in) != (size_t)tables * 256 ||
        fread(frame, 1, frame_size, in) != frame_size) { fprintf(stderr, "truncated request\n"); return 2; }
    fclose(in);

    int32_t cap_x = DNAS_PREPROCESS_WEIGHTS(fw, ow), cap_y = DNAS_PREPROCESS_WEIGHTS(fh, oh);
    dnas_preprocess_t pp = {
        .width = ow, .height = oh, .channels = channels,
        .resize = (dnas_resize_t)resize, .crop = (dnas_crop_t)crop,
        .table = table, .table_count = tables,
        .taps_x = malloc(sizeof(dnas_tap_t) * (size_t)ow), .taps_y = malloc(sizeof(dnas_tap_t) * (size_t)oh),
        .weights_x = malloc(sizeof(uint16_t) * (size_t)cap_x), .weights_y = malloc(sizeof(uint16_t) * (size_t)cap_y),
        .weights_x_capacity = cap_x, .weights_y_capacity = cap_y,
        .row_acc = malloc(sizeof(uint32_t) * (size_t)ow * 3),
    };
    size_t n = (size_t)ow * oh * channels;
    uint8_t *image = malloc(n);
    int8_t *input = malloc(n);
    int rc = dnas_preprocess_frame_u8(&pp, frame, fw, fh, (dnas_frame_format_t)format, image);
    if (rc == 0) rc = dnas_preprocess_frame(&pp, frame, fw, fh, (dnas_frame_format_t)format, input);
    if (rc != 0) { fprintf(stderr, "dnas_preprocess failed: %d\n", rc); return 1; }
    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(image, 1, n, out) != n || fwrite(input, 1, n, out) != n) { perror(argv[2]); return 2; }
    fclose(out);
    free(table); free(frame); free(image); free(input);
    free(pp.taps_x); free(pp.taps_y); free(pp.weights_x); free(pp.weights_y); free(pp.row_acc);
    return 0;
}
