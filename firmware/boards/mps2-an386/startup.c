/* startup.c - vector table and reset handler for the Cortex-M4 of mps2-an386. */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__, __stack_top__;
extern int main(void);

void Reset_Handler(void);
void Fault_Handler(void);

void Reset_Handler(void)
{
    /* .data from its load address in flash to RAM, .bss zeroed. */
    memcpy(&__data_start__, &__data_load__, (size_t)((char *)&__data_end__ - (char *)&__data_start__));
    memset(&__bss_start__, 0, (size_t)((char *)&__bss_end__ - (char *)&__bss_start__));
    board_exit(main());
}

void Fault_Handler(void)
{
    board_print("fault: HardFault/MemManage/BusFault/UsageFault\n");
    board_exit(1);
}

/* Initial stack pointer, then the 15 system exception handlers (0 = reserved). */
__attribute__((section(".vectors"), used))
const void *const vector_table[16] = {
    &__stack_top__, (const void *)Reset_Handler,
    (const void *)Fault_Handler, (const void *)Fault_Handler,   /* NMI, HardFault */
    (const void *)Fault_Handler, (const void *)Fault_Handler,   /* MemManage, BusFault */
    (const void *)Fault_Handler, 0, 0, 0, 0,                    /* UsageFault, reserved */
    (const void *)Fault_Handler, (const void *)Fault_Handler,   /* SVCall, DebugMonitor */
    0, (const void *)Fault_Handler, (const void *)Fault_Handler /* reserved, PendSV, SysTick */
};
