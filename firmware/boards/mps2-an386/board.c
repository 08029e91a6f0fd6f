/* board.c - semihosting output/exit and the CMSDK timer for mps2-an386 (see board.h). */
#include "board.h"

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUN_TIME_ERROR 0x20023

/* CMSDK APB timer 0. */
#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void board_print(const char *text) { semihost(SYS_WRITE0, text); }

void board_print_uint(uint32_t value)
{
    char buf[11];
    int i = 10;
    buf[i] = 0;
    do { buf[--i] = (char)('0' + value % 10u); value /= 10u; } while (value);
    board_print(buf + i);
}

void board_print_int(int32_t value)
{
    if (value < 0) { board_print("-"); board_print_uint(0u - (uint32_t)value); }
    else board_print_uint((uint32_t)value);
}

void board_exit(int status)
{
    semihost(SYS_EXIT, (const void *)(status == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUN_TIME_ERROR));
    for (;;) {}
}

void board_timer_start(void)
{
    TIMER0_CTRL = 0;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = 1;   /* enable, no interrupt: counts down at PCLK */
}

uint32_t board_timer_ticks(void) { return 0xFFFFFFFFu - TIMER0_VALUE; }
