/* board.h - minimal board support for the Arm MPS2+ AN386 (Cortex-M4) as emulated by
 * `qemu-system-arm -M mps2-an386`: text output and exit through Arm semihosting, and a
 * 32-bit cycle/instruction counter from the CMSDK APB timer 0 (25 MHz; under
 * `-icount shift=0` QEMU retires one instruction per virtual nanosecond, so one timer tick
 * is 40 instructions). */
#ifndef DNAS_BOARD_H
#define DNAS_BOARD_H

#include <stdint.h>

void board_print(const char *text);
void board_print_int(int32_t value);
void board_print_uint(uint32_t value);
/* Ends the program: status 0 -> QEMU exits 0, anything else -> QEMU exits 1. */
void board_exit(int status) __attribute__((noreturn));

/* The free-running timer (25 MHz ticks since board_timer_start). */
void board_timer_start(void);
uint32_t board_timer_ticks(void);
#define BOARD_TIMER_HZ 25000000u

#endif
