//! A run as this process knows it: the stored records, the parsed definition and the view.

use super::Engine;
use super::launch::LaunchSlot;
use super::snapshot::Snapshot;
use super::{redact, view};
use crate::error::Context as _;
use serde_json::{Map, Value};
use sop_core::definition::{Sop, Step};
use sop_core::gate::GatePlan;
use sop_core::run::RunView;
use sop_core::step_output::Outputs;
use sop_store::{Gate, Queries, Run, StepRun};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Everything needed to decide a run's next transition. Kept in step with the store by applying
/// each committed decision, and reloaded when another process changed the run meanwhile.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub run: Run,
    pub steps: Vec<StepRun>,
    /// Parsed from the run's snapshot, never from the SOP folder.
    pub sop: Sop,
    pub plan: GatePlan,
    pub gates: Vec<Gate>,
    pub view: RunView,
    /// The attempt the last transaction started, waiting for the driver, and the run's executor.
    pub launch: LaunchSlot,
    /// The values of the secrets this process's environment hands to steps (`GITHUB_TOKEN`):
    /// hidden wherever the run's own secrets are.
    inherited_secrets: std::sync::Arc<[String]>,
}

impl Tracked {
    /// The run whose id is `id` or starts with it.
    pub fn load(eng: &Engine, id: &str) -> crate::Result<Self> {
        let run = super::lookup::find_run(eng.store, id)?;
        let snapshot = run.definition_snapshot.as_deref().with_context(|| {
            format!(
                "run {} was pruned: its definition and step details are gone",
                run.id
            )
        })?;
        let sop = Snapshot::decode(snapshot)?.parse_with(&run.sop_name, eng.parsed)?;
        Ok(Self::from_parts(eng, eng.store, run, sop)?)
    }

    /// Builds the view of a run already read, with its definition parsed.
    pub fn from_parts(
        eng: &Engine,
        q: &dyn Queries,
        run: Run,
        sop: Sop,
    ) -> sop_store::Result<Self> {
        let steps = q.steps(&run.id)?;
        let gates = q.gates(&run.id)?;
        // The mode the run recorded at creation, never the mapping of this process.
        let plan = GatePlan::for_run(&sop, run.execution_mode);
        Ok(Self::build(eng, run, steps, gates, sop, plan))
    }

    /// Assembles the view from records already read.
    pub fn build(
        eng: &Engine,
        run: Run,
        steps: Vec<StepRun>,
        gates: Vec<Gate>,
        sop: Sop,
        plan: GatePlan,
    ) -> Self {
        let view = view::build(
            &run,
            &steps,
            &sop,
            &plan,
            &gates,
            eng.tuning.executor.retry_backoff,
        );
        Tracked {
            run,
            steps,
            sop,
            plan,
            gates,
            view,
            launch: LaunchSlot::default(),
            inherited_secrets: eng.settings.inherited_secrets(),
        }
    }

    /// Reads the run again after another process changed it.
    pub fn reload(&mut self, eng: &Engine) -> crate::Result<()> {
        let run = eng.store.run(&self.run.id)?;
        let (sop, plan) = (self.sop.clone(), self.plan.clone());
        let steps = eng.store.steps(&run.id)?;
        let gates = eng.store.gates(&run.id)?;
        let launch = std::mem::take(&mut self.launch);
        *self = Self::build(eng, run, steps, gates, sop, plan);
        self.launch = launch;
        Ok(())
    }

    pub fn id(&self) -> &str {
        &self.run.id
    }

    pub fn step_def(&self, number: u32) -> Option<&Step> {
        self.sop.steps.iter().find(|s| s.number == number)
    }

    pub fn step_record(&self, number: u32) -> Option<&StepRun> {
        self.steps.iter().find(|s| s.number == number)
    }

    pub fn step_count(&self) -> usize {
        self.sop.steps.len()
    }

    /// The run's variables as a JSON object (empty when none were given), borrowed: every step
    /// renders its commands from them.
    pub fn variables(&self) -> Cow<'_, Map<String, Value>> {
        match &self.run.variables {
            Value::Object(map) => Cow::Borrowed(map),
            _ => Cow::Owned(Map::new()),
        }
    }

    /// The values sop never shows for this run: its secret variables', the outputs whose name
    /// marks them secret (a step passing on a token), and the secrets steps inherit, longest
    /// first.
    pub fn secrets(&self) -> Vec<String> {
        let declared = redact::declared_secrets(&self.sop);
        let mut out = self
            .run
            .variables
            .as_object()
            .map(|vars| redact::secret_values_declared(vars, &declared))
            .unwrap_or_default();
        for step in &self.steps {
            for (key, value) in &step.outputs {
                if redact::is_secret_name(key) && !value.is_empty() {
                    out.push(value.clone());
                }
            }
        }
        out.extend(self.inherited_secrets.iter().cloned());
        out.sort_by_key(|v| std::cmp::Reverse(v.len()));
        out.dedup();
        out
    }

    /// A step's title as shown: its placeholders filled in from the run's variables and earlier
    /// outputs (left as written where a value is missing), secret values hidden.
    pub fn step_title(&self, def: &sop_core::definition::Step) -> String {
        if !def.title.contains("{{") {
            return def.title.clone();
        }
        let variables = self.variables();
        let outputs = self.outputs();
        let vars = sop_core::template::Vars::new(&variables).with_steps(&outputs);
        redact::hide(
            &sop_core::template::render_text_lenient(&def.title, &vars),
            &self.secrets(),
        )
    }

    /// What earlier steps wrote to `$SOP_OUTPUT` (and `sop done --output`), by step number.
    pub fn outputs(&self) -> BTreeMap<u32, Outputs> {
        self.steps
            .iter()
            .filter(|s| !s.outputs.is_empty())
            .map(|s| (s.number, s.outputs.clone()))
            .collect()
    }

    /// Replaces the stored record of one step.
    pub(super) fn put_step(&mut self, step: StepRun) {
        match self.steps.iter_mut().find(|s| s.number == step.number) {
            Some(slot) => *slot = step,
            None => {
                self.steps.push(step);
                self.steps.sort_by_key(|s| s.number);
            }
        }
    }
}
