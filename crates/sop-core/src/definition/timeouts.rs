//! How an SOP's timeouts relate: a step allowed longer than the whole run (`[sop] timeout`) is
//! cut short by the run's deadline, which `sop check` points out.

use super::{Sop, StepKind};

/// One line per automated step whose own timeout (or `[sop] step_timeout`) is longer than the
/// run's `timeout`. Not an error: the run's deadline simply stops the step first.
pub fn timeout_warnings(sop: &Sop) -> Vec<String> {
    let Some(run) = sop.meta.run_timeout else {
        return Vec::new();
    };
    sop.steps
        .iter()
        .filter(|s| s.kind == StepKind::Automated)
        .filter_map(|s| {
            let own = s.options.timeout.or(sop.meta.step_timeout)?;
            (own > run).then(|| {
                format!(
                    "`{}` step {}: its timeout ({own}) is longer than the run's timeout ({run}); \
                     the run's deadline stops it first",
                    sop.meta.name, s.number
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::parse_named;

    fn sop(toml_extra: &str, md: &str) -> Sop {
        let toml =
            format!("[sop]\nname = \"demo\"\n{toml_extra}\n[[triggers]]\ntype = \"manual\"\n");
        parse_named("demo", &toml, md).unwrap()
    }

    #[test]
    fn a_step_allowed_longer_than_the_run_is_pointed_out() {
        let md = "# D\n\n## Step 1: A\n<!-- sop: timeout = \"2h\" -->\n```sh\ntrue\n```\n\n\
                  ## Step 2: B\n```sh\ntrue\n```\n\n## Step 3: C\n<!-- sop: timeout = \"1m\" -->\n```sh\ntrue\n```\n";
        let w = timeout_warnings(&sop("timeout = \"1h\"\nstep_timeout = \"90m\"", md));
        assert_eq!(
            w,
            [
                "`demo` step 1: its timeout (2h) is longer than the run's timeout (1h); the run's deadline stops it first",
                "`demo` step 2: its timeout (1h30m) is longer than the run's timeout (1h); the run's deadline stops it first",
            ]
        );
        assert!(timeout_warnings(&sop("step_timeout = \"90m\"", md)).is_empty());
        assert!(timeout_warnings(&sop("timeout = \"3h\"", md)).is_empty());
    }
}
