//! Panics inside the stages or a dependency, caught and described: a bad
//! file must end as a reason, not as a crashed run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

/// Where the last panic happened, recorded by the hook that
/// [`install_panic_hook`] installs.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the default panic hook (which prints to stderr) by one that
/// records the panic's message and location for [`guarded`]. Process
/// policy: the program calls it once, at start.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = payload_text(info.payload());
        let text = match info.location() {
            Some(l) => format!("panic at {}:{}: {msg}", l.file(), l.line()),
            None => format!("panic: {msg}"),
        };
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(text);
        }
    }));
}

fn payload_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown".into())
}

/// [`guarded`] when `catch`, else `f` as it is (a panic goes on up).
pub(crate) fn guarded_if<T>(catch: bool, f: impl FnOnce() -> T) -> Result<T, String> {
    if catch { guarded(f) } else { Ok(f()) }
}

/// Runs `f`, turning a panic into its description (one line).
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        LAST_PANIC
            .lock()
            .ok()
            .and_then(|mut l| l.take())
            .unwrap_or_else(|| format!("panic: {}", payload_text(&*p)))
            .replace('\n', " ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_described_with_their_place() {
        install_panic_hook();
        let e = guarded(|| -> u32 { panic!("boom") }).unwrap_err();
        assert!(e.contains("guard.rs") && e.ends_with("boom"), "{e}");
    }
}
