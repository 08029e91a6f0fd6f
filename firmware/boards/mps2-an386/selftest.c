/* selftest.c - a board smoke test: prints the fixed-point helpers' results for a few
 * hand-checked cases and the timer, then exits 0 (1 on a mismatch). */
#include "board.h"
#include "dnas_kernels.h"

static int check(const char *what, int32_t got, int32_t want)
{
    board_print(what);
    board_print(" = ");
    board_print_int(got);
    board_print(got == want ? " ok\n" : " WRONG\n");
    return got == want ? 0 : 1;
}

int main(void)
{
    board_timer_start();
    int bad = 0;
    bad += check("srdhm(INT32_MIN, INT32_MIN)", dnas_saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
    bad += check("srdhm(1 << 30, 1 << 30)", dnas_saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
    bad += check("rdbpot(-5, 1)", dnas_rounding_divide_by_pot(-5, 1), -3);
    bad += check("rdbpot(5, 1)", dnas_rounding_divide_by_pot(5, 1), 3);
    bad += check("mbqm(1000, 1 << 30, -1)", dnas_multiply_by_quantized_multiplier(1000, 1 << 30, -1), 250);
    /* Timer calibration: 1,000,000 iterations of a 2-instruction loop = 2,000,000 instructions;
     * under -icount shift=0 that is 2 ms of virtual time = 50,000 ticks at 25 MHz. */
    board_timer_start();
    uint32_t n = 1000000u;
    __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
    uint32_t ticks = board_timer_ticks();
    board_print("timer ticks for 2,000,000 instructions: ");
    board_print_uint(ticks);
    board_print("\n");
    return bad;
}
