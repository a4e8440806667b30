//! The store's behaviour through its traits only, for every backend: each case is a function
//! taking a [`TestDb`], and [`store_suite!`] turns the whole list into `#[test]`s for one
//! backend's factory. A new backend runs the same suite by adding a test file with its factory.
#![allow(dead_code)]

pub mod audit;
pub mod claims;
pub mod concurrency;
pub mod event_outcomes;
pub mod fact_audit;
pub mod facts_events;
pub mod gates;
pub mod leases;
pub mod named_claims;
pub mod notifications;
pub mod queue;
pub mod runs;
pub mod schedule;
pub mod server_records;

use chrono::{DateTime, TimeZone, Utc};
use sop_core::run::RunStatus;
use sop_store::{NewRun, NewStep, Run, Store, StoreExt, StoreOptions};

/// One empty database of some backend; every handle opened on it sees the same data.
pub trait TestDb: Send + Sync {
    /// A new handle on this database.
    fn open(&self, options: StoreOptions) -> Box<dyn Store>;

    /// A new handle with default options.
    fn connect(&self) -> Box<dyn Store> {
        self.open(StoreOptions::default())
    }
}

/// Every case of the suite as a `#[test]`, one module per suite module. `$factory` is a path to
/// a `fn() -> impl TestDb` giving a new, empty database.
#[allow(unused_macros)]
macro_rules! store_suite {
    ($factory:path) => {
        $crate::suite::store_suite!(@cases $factory;
            runs {
                a_run_round_trips_with_its_steps,
                updates_are_compare_and_set,
                an_update_read_back_as_state_brings_the_run_to_what_is_stored,
                a_deadline_is_kept_and_active_ones_are_listed_soonest_first,
                a_failed_body_rolls_everything_back,
                missing_runs_and_steps_are_not_found,
                prefixes_find_one_run_or_list_the_candidates,
                lists_are_newest_first_and_filtered,
                many_runs_in_one_second_get_distinct_ids,
                step_updates_keep_the_output_tail_and_outputs,
                run_json_is_the_record,
                using_the_store_inside_its_own_transaction_is_an_error_not_a_deadlock,
            },
            gates {
                gates_round_trip_and_list,
                a_gate_on_a_missing_run_is_refused,
                one_decision_per_person_and_a_gate_closes_once,
                tokens_are_single_use_and_die_with_revocation,
            },
            leases {
                a_lease_is_exclusive_until_it_lapses,
                leasing_a_missing_run_is_not_found,
            },
            facts_events {
                facts_are_case_insensitive_upserted_and_expire,
                events_list_in_order_by_name_and_after_an_id,
            },
            fact_audit {
                set_and_unset_record_who_and_what_changed,
                a_failed_fact_transaction_leaves_neither_fact_nor_entry,
                secret_values_are_redacted,
                expiry_is_recorded_when_the_store_next_touches_facts,
            },
            audit {
                entries_chain_and_read_back,
                several_entries_in_one_transaction_chain,
                an_entry_earlier_than_the_newest_is_refused,
                an_entry_that_waited_for_the_lock_is_dated_at_the_newest,
                entries_record_the_writers_account_and_host,
                a_keyed_chain_verifies_with_its_key_and_says_what_it_cannot_check_without,
                checkpoints_match_an_untouched_trail,
                an_empty_trail_is_caught_only_by_a_checkpoint,
                prune_removes_details_of_old_finished_runs_only,
            },
            server_records {
                api_tokens_are_found_by_hash_revoked_and_never_duplicated,
                console_sessions_are_found_by_hash_and_end_by_sign_out_expiry_or_token,
                a_server_is_live_while_it_beats_and_until_it_stops,
                a_delivery_key_counts_within_its_window_only,
                pickup_candidates_are_pending_or_leased_runs_oldest_first,
                run_lists_page_after_a_cursor,
                run_counts_group_by_sop_and_status,
            },
            schedule {
                a_tick_is_decided_once_whoever_writes_first,
                a_queued_tick_is_settled_once,
                decisions_list_latest_first_and_narrow,
            },
            claims {
                pending_runs_are_claimed_oldest_first_and_once,
                racing_claims_each_get_a_different_run,
                a_run_made_ready_wakes_a_listener,
            },
            named_claims {
                a_claim_is_held_by_one_owner_until_it_lapses_or_is_released,
                of_racing_takers_exactly_one_gets_a_free_or_lapsed_claim,
            },
            notifications {
                notifications_are_due_in_order_and_attempts_move_them,
                a_rolled_back_transaction_leaves_no_notification,
                a_due_notification_is_claimed_by_one_sender,
            },
            event_outcomes {
                outcomes_round_trip_by_event_and_are_decided_once,
                the_last_start_is_the_newest_started_outcome_of_that_trigger,
                events_list_newest_first_on_request,
            },
            queue {
                queued_runs_come_out_oldest_first_per_sop_and_hold_no_place,
                runs_ending_at_once_move_up_no_more_than_the_limit,
                starts_racing_under_the_lock_never_pass_the_limit,
            },
            concurrency {
                threads_with_their_own_handles_never_see_locked,
                of_racing_conditional_updates_exactly_one_wins,
                a_read_completes_while_a_write_is_held_open,
            },
        );
    };
    (@cases $factory:path; $($module:ident { $($case:ident),* $(,)? }),* $(,)?) => {
        $(
            mod $module {
                $(
                    #[test]
                    fn $case() {
                        let db = $factory();
                        $crate::suite::$module::$case(&db);
                    }
                )*
            }
        )*
    };
}
#[allow(unused_imports)]
pub(crate) use store_suite;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 9, 0, 0).unwrap()
}

pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + chrono::Duration::seconds(secs)
}

pub fn new_run(sop: &str, steps: u32) -> NewRun {
    NewRun {
        sop_name: sop.into(),
        definition_hash: "sha256:abc".into(),
        definition_snapshot: "[sop]\nname = \"x\"\n".into(),
        execution_mode: sop_core::gate::ResolvedMode::Auto,
        status: RunStatus::Pending,
        reason: None,
        trigger_type: "manual".into(),
        trigger_detail: serde_json::Value::Null,
        started_by: "tester".into(),
        variables: serde_json::json!({"env": "prod"}),
        created_at: t0(),
        workdir: None,
        forced: false,
        conditions_due: false,
        steps: (1..=steps)
            .map(|n| NewStep {
                number: n,
                title: format!("Step {n}"),
            })
            .collect(),
    }
}

pub fn create(store: &dyn Store, new: &NewRun) -> Run {
    store.transaction(|tx| tx.insert_run(new)).unwrap()
}
