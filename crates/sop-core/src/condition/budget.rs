//! The evaluation step budget that bounds the time any one evaluation can take.

use super::eval_error::EvalError;
use super::limits::MAX_STEPS;

/// Steps spent so far in one evaluation.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    used: u64,
}

impl Budget {
    /// Spends `steps`; fails once the total passes [`MAX_STEPS`].
    pub fn charge(&mut self, steps: u64) -> Result<(), EvalError> {
        self.used = self.used.saturating_add(steps);
        if self.used > MAX_STEPS {
            return Err(EvalError::StepLimit { limit: MAX_STEPS });
        }
        Ok(())
    }

    /// The cost of scanning `len` bytes of text: one step per KiB, at least one.
    pub fn charge_text(&mut self, len: usize) -> Result<(), EvalError> {
        self.charge(1 + (len / 1024) as u64)
    }
}
