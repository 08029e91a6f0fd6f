/* engine_main.c - runs a generated engine on the emulated Cortex-M4 over the inputs of a
 * generated test-data file and prints one line of int8 outputs per input (the same lines as
 * firmware/host/engine_main.c), then the timer ticks of the first inference.
 * The include path must hold engine_config.h: #include "<name>_model.h", then
 * #define DNAS_MODEL <name> and #define DNAS_MODEL_GUARD <NAME>.
 * Link a C file defining dnas_test_inputs / dnas_test_count. */
#include <string.h>

#include "board.h"
#include "engine_config.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define MODEL(suffix) CAT(DNAS_MODEL, suffix)
#define GUARD(suffix) CAT(DNAS_MODEL_GUARD, suffix)

extern const int8_t dnas_test_inputs[];
extern const int32_t dnas_test_count;

int main(void)
{
    uint32_t first_ticks = 0;
    for (int32_t n = 0; n < dnas_test_count; n++) {
        memcpy(MODEL(_input)(), dnas_test_inputs + (size_t)n * GUARD(_INPUT_SIZE), GUARD(_INPUT_SIZE));
        board_timer_start();
        MODEL(_invoke)();
        uint32_t ticks = board_timer_ticks();
        if (n == 0) first_ticks = ticks;
        const int8_t *out = MODEL(_output)();
        for (int i = 0; i < GUARD(_OUTPUT_SIZE); i++) {
            if (i) board_print(" ");
            board_print_int(out[i]);
        }
        board_print("\n");
    }
    board_print("ticks ");
    board_print_uint(first_ticks);
    board_print("\n");
    return 0;
}
