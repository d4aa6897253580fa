# Filled in by the hardening work.
