/* Host harness for a generated engine: runs the model on every input in a file and prints one
 * line of int8 outputs per input; with -b N also times N inferences of the first input.
 * The include path must hold engine_config.h: #include "<name>_model.h", then
 * #define DNAS_MODEL <name> and #define DNAS_MODEL_GUARD <NAME>.
 *   engine INPUTS.bin [-b N]      INPUTS.bin: inputs of <NAME>_INPUT_SIZE int8 values each */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_config.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define MODEL(suffix) CAT(DNAS_MODEL, suffix)
#define GUARD(suffix) CAT(DNAS_MODEL_GUARD, suffix)

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);   /* CPU time: robust on a shared machine */
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 2 && !(argc == 4 && strcmp(argv[2], "-b") == 0)) {
        fprintf(stderr, "usage: %s INPUTS.bin [-b N]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    static int8_t input[GUARD(_INPUT_SIZE)];
    int count = 0;
    while (fread(input, 1, sizeof input, f) == sizeof input) {
        memcpy(MODEL(_input)(), input, sizeof input);
        MODEL(_invoke)();
        const int8_t *out = MODEL(_output)();
        for (int i = 0; i < GUARD(_OUTPUT_SIZE); i++) printf(i ? " %d" : "%d", out[i]);
        printf("\n");
        if (argc == 4 && count == 0) {
            int n = atoi(argv[3]);
            double start = now_seconds();
            for (int k = 0; k < n; k++) MODEL(_invoke)();
            fprintf(stderr, "cpu time per inference: %.3f ms over %d runs\n", (now_seconds() - start) * 1e3 / (n > 0 ? n : 1), n);
            memcpy(MODEL(_input)(), input, sizeof input);
        }
        count++;
    }
    fclose(f);
    return count > 0 ? 0 : 1;
}
