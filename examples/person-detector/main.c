/* person-detector: runs the generated engine (firmware/generated/, written by `dotnet build`)
 * on a test image drawn here, and prints the class. The same file builds for the host (gcc)
 * and for the emulated Cortex-M4 board (EXAMPLE_ON_BOARD, firmware/boards/mps2-an386), where
 * text goes out through semihosting.
 *
 * The test image stands in for a camera frame: 160x120 RGB888, a light wall with a darker
 * floor and an upright figure (head, torso, legs) in the middle. The generated preprocessing
 * turns it into the model's input exactly as training did (crop, resize, colour, int8). */
#include <stdint.h>

#include "model_model.h"
#include "model_preprocess.h"

#ifdef EXAMPLE_ON_BOARD
#include "board.h"
static void say(const char *text) { board_print(text); }
static void say_int(int32_t v) { board_print_int(v); }
#else
#include <stdio.h>
static void say(const char *text) { fputs(text, stdout); }
static void say_int(int32_t v) { printf("%ld", (long)v); }
#endif

#define FRAME_W 160
#define FRAME_H 120

static uint8_t frame[FRAME_H][FRAME_W][3];

static void fill(int x0, int y0, int x1, int y1, uint8_t r, uint8_t g, uint8_t b)
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            frame[y][x][0] = r;
            frame[y][x][1] = g;
            frame[y][x][2] = b;
        }
}

static void draw_test_frame(void)
{
    /* Wall with a gentle vertical gradient, then the floor. */
    for (int y = 0; y < FRAME_H; y++) {
        uint8_t shade = (uint8_t)(200 - y / 2);
        fill(0, y, FRAME_W, y + 1, shade, (uint8_t)(shade - 10), (uint8_t)(shade - 25));
    }
    fill(0, 95, FRAME_W, FRAME_H, 90, 70, 50);
    /* The figure: legs, torso, arms, head. */
    fill(70, 70, 78, 110, 40, 40, 90);
    fill(82, 70, 90, 110, 40, 40, 90);
    fill(66, 38, 94, 72, 170, 40, 40);
    fill(58, 40, 66, 68, 200, 160, 130);
    fill(94, 40, 102, 68, 200, 160, 130);
    fill(72, 16, 88, 36, 210, 170, 140);
}

int main(void)
{
    draw_test_frame();
    int rc = model_preprocess(&frame[0][0][0], FRAME_W, FRAME_H, DNAS_FRAME_RGB888, model_input());
    if (rc != 0) {
        say("preprocessing failed: ");
        say_int(rc);
        say("\n");
        return 1;
    }
    model_invoke();
    const int8_t *scores = model_output();
    int best = 0;
    say("scores:");
    for (int i = 0; i < MODEL_OUTPUT_SIZE; i++) {
        say(" ");
        say(model_labels[i]);
        say("=");
        say_int(scores[i]);
        if (scores[i] > scores[best]) best = i;
    }
    say("\nclass: ");
    say(model_labels[best]);
    say("\n");
#ifdef EXAMPLE_ON_BOARD
    board_exit(0);
#endif
    return 0;
}
