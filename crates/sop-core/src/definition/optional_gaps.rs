//! Commands that use an optional variable with no default: a start that leaves it out is
//! refused (a webhook's or an event's is recorded skipped), which `sop check` points out before
//! a start runs into it.

use super::Sop;
use crate::template::placeholders_in;

/// One warning per step and variable: the step's command names a declared variable that is
/// neither required nor defaulted.
pub fn optional_gap_warnings(sop: &Sop) -> Vec<String> {
    let mut warnings = Vec::new();
    for step in &sop.steps {
        let mut named: Vec<&str> = Vec::new();
        for block in step.commands() {
            for placeholder in placeholders_in(&block.code) {
                let Some(root) = placeholder.path.first() else {
                    continue;
                };
                let Some(param) = sop.parameters.get(root) else {
                    continue;
                };
                if param.required || param.default.is_some() || named.contains(&param.name.as_str())
                {
                    continue;
                }
                named.push(&param.name);
                // The fence is on `block.line`; the code starts on the line after it.
                let line = block.line as usize
                    + 1
                    + block.code[..placeholder.span.start].matches('\n').count();
                warnings.push(format!(
                    "`{sop_name}` step {step} (SOP.md:{line}): its command uses `{{{{ {name} }}}}`, \
                     but `{name}` is optional with no default, so a start that does not give it is \
                     refused (a webhook's or an event's is recorded skipped); give it a `default` \
                     (\"\" for none) or set `required = true`",
                    sop_name = sop.meta.name,
                    step = step.number,
                    name = param.name,
                ));
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::parse_named;

    fn sop(variables: &str, md: &str) -> Sop {
        let toml =
            format!("[sop]\nname = \"demo\"\n\n[[triggers]]\ntype = \"manual\"\n\n{variables}");
        parse_named("demo", &toml, md).unwrap()
    }

    #[test]
    fn an_optional_variable_without_a_default_used_in_a_command_is_pointed_out() {
        let md = "# D\n\n## Step 1: A\n\nTell {{ region }}.\n\n```sh\necho hi\necho {{ region }} {{ REGION }}\n```\n\n\
                  ## Step 2: B\n\n```sh\necho {{ zone }} {{ size }} {{ name }}\n```\n";
        let w = optional_gap_warnings(&sop(
            "[variables.region]\n\n[variables.zone]\ndefault = \"a\"\n\n[variables.size]\nrequired = true\n\n[variables.name]\n",
            md,
        ));
        assert_eq!(
            w,
            [
                "`demo` step 1 (SOP.md:9): its command uses `{{ region }}`, but `region` is optional with no default, so a start that does not give it is refused (a webhook's or an event's is recorded skipped); give it a `default` (\"\" for none) or set `required = true`",
                "`demo` step 2 (SOP.md:15): its command uses `{{ name }}`, but `name` is optional with no default, so a start that does not give it is refused (a webhook's or an event's is recorded skipped); give it a `default` (\"\" for none) or set `required = true`",
            ]
        );
    }

    #[test]
    fn prose_and_undeclared_sops_give_no_warning() {
        let md = "# D\n\n## Step 1: A\n\nTell {{ region }}.\n\n```sh\necho hi\n```\n";
        assert!(optional_gap_warnings(&sop("[variables.region]\n", md)).is_empty());
        let md = "# D\n\n## Step 1: A\n\n```sh\necho {{ region }}\n```\n";
        assert!(optional_gap_warnings(&sop("", md)).is_empty());
    }
}
