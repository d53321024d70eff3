/*
 * fuzz_tf.c - libFuzzer target for Terraform source: the input is a main.tf scanned through
 * the public entry point cf_posture_scan_buffer with the shipped rules (see
 * fuzz_scan_target.h), so the parser, the evaluator (variables, locals, count, for_each,
 * functions, policy documents), the synthetic plan and the plan adapter all run on it. The
 * seeds (fuzz/corpus/tf) are small modules using each construct; the dictionary is the HCL one.
 */
#define FUZZ_INPUT_NAME "main.tf"
#include "fuzz_scan_target.h"
