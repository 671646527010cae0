//! Process policy for OCR: Tesseract's OpenMP team is capped at one thread.
//! Decided here, in the program, not in the OCR library: only the program
//! knows it runs several recognitions at once (worker processes, rayon).

/// The environment variable that caps OpenMP's threads.
pub const OMP_THREAD_LIMIT: &str = "OMP_THREAD_LIMIT";

/// Makes sure Tesseract's OpenMP runs single-threaded; call it first in `main`.
///
/// Why: Debian's libtesseract is built with OpenMP and starts a team of
/// threads inside every recognition. With rayon already running one
/// Tesseract per core, the two sets of threads fight over the cores and a
/// page takes about twice as long (measured: 0.65 s a page with the limit, ~2×
/// without). OpenMP reads `OMP_THREAD_LIMIT` once, when `libgomp` is loaded —
/// before `main` runs, since libtesseract is linked — so setting the variable
/// from inside the process has no effect. The only reliable way is to
/// re-execute the program with the variable set: if `OMP_THREAD_LIMIT` is not
/// set, this replaces the current process image (same executable, same
/// arguments, `OMP_THREAD_LIMIT=1` added) and does not return. If the
/// variable is already set (by the user, or by the first execution) it returns
/// `Ok(())` at once and changes nothing. On error (the executable could not be
/// re-executed) the program can go on, just slower. A no-op off Unix.
pub fn ensure_openmp_single_thread() -> std::io::Result<()> {
    if !reexec_needed(std::env::var_os(OMP_THREAD_LIMIT).as_deref()) {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe()?;
        let mut args = std::env::args_os();
        let arg0 = args.next();
        let mut cmd = std::process::Command::new(exe);
        if let Some(a0) = arg0 {
            cmd.arg0(a0);
        }
        cmd.args(args).env(OMP_THREAD_LIMIT, "1");
        // `exec` only returns on failure.
        Err(cmd.exec())
    }
    #[cfg(not(unix))]
    {
        Ok(())
    }
}

/// Whether the process must be re-executed, given the current value of
/// `OMP_THREAD_LIMIT`. Any value set by the user is respected.
fn reexec_needed(current: Option<&std::ffi::OsStr>) -> bool {
    current.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reexec_only_when_unset() {
        assert!(reexec_needed(None));
        assert!(!reexec_needed(Some(std::ffi::OsStr::new("1"))));
        assert!(!reexec_needed(Some(std::ffi::OsStr::new("4"))));
        assert!(!reexec_needed(Some(std::ffi::OsStr::new(""))));
    }
}
