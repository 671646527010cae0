//! libFuzzer target: arbitrary bytes → PdfFile → pages → grid → forms
//! (`jxingest_fuzz::run`). Run with `scripts/fuzz SECONDS`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    jxingest_fuzz::run(data);
});
