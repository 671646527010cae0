"""Sample generator for jxingest golden tests (see scripts/gen-samples)."""
