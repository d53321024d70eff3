/*
 * fuzz_awsconfig.c - libFuzzer target for AWS Config snapshots, history files and configuration items through the public
 * scan entry point cf_posture_scan_buffer with the shipped rules (see fuzz_scan_target.h).
 * Going through the public call keeps the target valid while the adapter behind it changes;
 * the seed corpus (fuzz/corpus/awsconfig) and dictionary steer it to this format.
 */
#define FUZZ_INPUT_NAME "config-snapshot.json"
#include "fuzz_scan_target.h"
