#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's own driver, for a program that has its own `main` (SwiftPM gives every
/// executable one): parses the libFuzzer options in argv and fuzzes `callback`. Linked only
/// with -sanitize=fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
