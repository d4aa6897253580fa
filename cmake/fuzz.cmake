# Filled in by the hardening work (libFuzzer targets, clang only).
