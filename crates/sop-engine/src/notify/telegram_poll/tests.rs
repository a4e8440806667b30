//! The poller against a scripted Bot API and one store shared by two "nodes", with the times
//! each round runs at chosen by the test: no thread, no sleep.

use super::*;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use sop_store::{SqliteStore, Store};

const TOKEN: &str = "123:tg-secret";

fn settings() -> NotifySettings {
    NotifySettings::load(&crate::Settings::from_vars(
        None,
        [
            ("SOP_TELEGRAM_BOT_TOKEN", TOKEN),
            ("SOP_TELEGRAM_API_URL", "https://tg.test"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    ))
    .unwrap()
}

fn t(secs: i64) -> Clock {
    Clock::fixed(DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(1_750_000_000 + secs))
}

/// Every press decided, by whom and how.
type Decided = Arc<Mutex<Vec<(ChatUser, String, Choice)>>>;

fn decider() -> (Decider, Decided) {
    let decided: Decided = Arc::default();
    let log = decided.clone();
    let decide: Decider = Arc::new(move |who, gate, choice| {
        log.lock()
            .unwrap()
            .push((who.clone(), gate.to_string(), choice));
        "Approved by alice; run r1 goes on.".to_string()
    });
    (decide, decided)
}

/// Telegram's Bot API as the poller sees it: the updates waiting, confirmed by a later
/// `getUpdates` from a higher offset; `conflicts` calls answered `409` first.
#[derive(Default)]
struct Bot {
    updates: Vec<Value>,
    confirmed: i64,
    conflicts: usize,
    /// `(method, body)` of every call.
    calls: Vec<(String, Value)>,
}

impl Bot {
    fn post(&mut self, out: &Outgoing) -> Result<Reply, String> {
        assert!(out.url.starts_with(&format!("https://tg.test/bot{TOKEN}/")));
        let method = out.url.rsplit('/').next().unwrap().to_string();
        let body: Value = serde_json::from_str(&out.body).unwrap();
        self.calls.push((method.clone(), body.clone()));
        let reply = |status, body: Value| {
            Ok(Reply {
                status,
                retry_after: None,
                body: body.to_string(),
            })
        };
        if method != "getUpdates" {
            return reply(200, json!({"ok": true, "result": true}));
        }
        if self.conflicts > 0 {
            self.conflicts -= 1;
            return reply(
                409,
                json!({"ok": false, "error_code": 409,
                       "description": "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}),
            );
        }
        self.confirmed = self.confirmed.max(body["offset"].as_i64().unwrap());
        let waiting: Vec<Value> = self
            .updates
            .iter()
            .filter(|u| u["update_id"].as_i64().unwrap() >= self.confirmed)
            .cloned()
            .collect();
        reply(200, json!({"ok": true, "result": waiting}))
    }

    fn calls_of(&self, method: &str) -> Vec<&Value> {
        self.calls
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, b)| b)
            .collect()
    }
}

fn press_update(update_id: i64, query: &str, data: &str) -> Value {
    json!({"update_id": update_id,
           "callback_query": {"id": query, "from": {"id": 4242}, "data": data}})
}

/// A node: its poller on the shared store, and what it logged.
struct Node {
    polling: Polling,
    claim: Arc<PollerClaim>,
    notes: Vec<Note>,
}

impl Node {
    fn new(store: &Arc<dyn Store>, owner: &str, decide: &Decider) -> Node {
        let claim = Arc::new(PollerClaim::new(
            store.clone(),
            owner,
            claim_ttl(&settings()),
        ));
        Node {
            polling: Polling::new(settings(), decide.clone(), claim.clone()).unwrap(),
            claim,
            notes: Vec::new(),
        }
    }

    fn round(&mut self, at: Clock, bot: &mut Bot) -> Duration {
        let notes = &mut self.notes;
        self.polling
            .round(at, &mut |out| bot.post(out), &mut |n| notes.push(n))
    }

    fn warnings(&self) -> Vec<&String> {
        self.notes
            .iter()
            .filter_map(|n| match n {
                Note::Warn(w) => Some(w),
                Note::Info(_) => None,
            })
            .collect()
    }
}

fn shared_store() -> Arc<dyn Store> {
    Arc::new(SqliteStore::open_in_memory().unwrap())
}

#[test]
fn presses_are_read_from_callback_queries_only() {
    let u = json!({"update_id": 7, "callback_query": {"id": "q1", "from": {"id": 42}, "data": "sop:a:g123"}});
    let (id, who, gate, choice) = press(&u).unwrap();
    assert_eq!(
        (id.as_str(), gate.as_str(), choice),
        ("q1", "g123", Choice::Approve)
    );
    assert_eq!(who, ChatUser::Telegram(42));
    assert!(press(&json!({"update_id": 8, "message": {"text": "hi"}})).is_none());
    assert!(
        press(&json!({"callback_query": {"id": "q", "from": {"id": 1}, "data": "other"}}))
            .is_none()
    );
}

#[test]
fn a_button_sop_does_not_know_is_answered_and_decides_nothing() {
    let (decide, decided) = decider();
    let s = settings();
    for data in [
        json!("other"),
        json!("sop:x:g1"),
        json!("sop:a"),
        json!(null),
    ] {
        let update = json!({"update_id": 1,
                            "callback_query": {"id": "q-odd", "from": {"id": 4242}, "data": data}});
        let answer = handle_update(&s, &decide, &update)
            .unwrap_or_else(|| panic!("no answer to a press with data {data}"));
        assert!(answer.url.ends_with("/answerCallbackQuery"));
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(body["callback_query_id"], "q-odd");
        assert_eq!(body["text"], wording::UNKNOWN_BUTTON);
    }
    assert!(decided.lock().unwrap().is_empty(), "nothing was decided");
    let known = handle_update(&s, &decide, &press_update(2, "q-ok", "sop:r:g7")).unwrap();
    let body: Value = serde_json::from_str(&known.body).unwrap();
    assert_eq!(body["text"], "Approved by alice; run r1 goes on.");
    assert_eq!(
        decided.lock().unwrap().as_slice(),
        [(ChatUser::Telegram(4242), "g7".to_string(), Choice::Reject)]
    );
    assert!(
        handle_update(
            &s,
            &decide,
            &json!({"update_id": 3, "message": {"text": "hi"}})
        )
        .is_none(),
        "only a callback query waits for an answer"
    );
}

#[test]
fn of_two_nodes_one_polls_and_another_takes_over_once_its_claim_lapses() {
    let store = shared_store();
    let (decide, decided) = decider();
    let (mut a, mut b) = (
        Node::new(&store, "host-a/1/x", &decide),
        Node::new(&store, "host-b/2/y", &decide),
    );
    let mut bot = Bot {
        updates: vec![press_update(1, "q1", "sop:a:g1")],
        ..Bot::default()
    };

    assert_eq!(a.round(t(0), &mut bot), Duration::ZERO, "a press came");
    assert_eq!(
        b.round(t(0), &mut bot),
        CLAIM_RETRY,
        "b waits for the claim"
    );
    assert_eq!(a.round(t(1), &mut bot), PAUSE_WHEN_EMPTY);
    assert_eq!(bot.calls_of("getUpdates").len(), 2, "only a polled");
    assert_eq!(bot.calls_of("answerCallbackQuery").len(), 1);
    assert_eq!(
        decided.lock().unwrap().len(),
        1,
        "the press was decided once"
    );
    assert!(a.notes.contains(&Note::Info(
        "this node now polls Telegram for button presses".into()
    )));

    // a dies: it stops renewing. Until its claim lapses b still waits...
    let ttl = claim_ttl(&settings()).as_secs() as i64;
    assert_eq!(b.round(t(ttl), &mut bot), CLAIM_RETRY);
    assert_eq!(bot.calls_of("getUpdates").len(), 2);
    // ...then polls, from where Telegram's confirmations stand: the press is not read again.
    assert_eq!(b.round(t(ttl + 1), &mut bot), PAUSE_WHEN_EMPTY);
    assert_eq!(bot.calls_of("getUpdates").len(), 3);
    assert_eq!(decided.lock().unwrap().len(), 1);

    // a comes back (it was only stalled): it finds the claim taken and does not poll.
    assert_eq!(a.round(t(ttl + 2), &mut bot), CLAIM_RETRY);
    assert_eq!(bot.calls_of("getUpdates").len(), 3);
    assert_eq!(
        a.notes.last(),
        Some(&Note::Info(
            "another node polls Telegram for button presses; this one waits".into()
        ))
    );
    assert!(a.warnings().is_empty() && b.warnings().is_empty());
}

#[test]
fn nodes_polling_at_once_never_both_decide_one_press() {
    let store = shared_store();
    let (decide, decided) = decider();
    let mut nodes: Vec<Node> = (0..3)
        .map(|n| Node::new(&store, &format!("host-{n}/1/x"), &decide))
        .collect();
    let mut bot = Bot {
        updates: vec![press_update(1, "q1", "sop:a:g1")],
        ..Bot::default()
    };
    // Every node runs its rounds at the same instants, as servers started together do.
    for second in 0..3 {
        for node in &mut nodes {
            node.round(t(second), &mut bot);
        }
    }
    assert_eq!(decided.lock().unwrap().len(), 1, "{:?}", bot.calls);
    assert_eq!(bot.calls_of("answerCallbackQuery").len(), 1);
    assert_eq!(
        bot.calls_of("getUpdates").len(),
        3,
        "one node, one call a round"
    );
}

#[test]
fn a_stopping_node_releases_the_claim_and_leaves_what_its_last_call_brings() {
    let store = shared_store();
    let (decide, decided) = decider();
    let (mut a, mut b) = (
        Node::new(&store, "host-a/1/x", &decide),
        Node::new(&store, "host-b/2/y", &decide),
    );
    let mut bot = Bot::default();
    assert_eq!(a.round(t(0), &mut bot), PAUSE_WHEN_EMPTY);

    // The server stops while a's long poll is under way, and a press arrives then.
    let claim = a.claim.clone();
    bot.updates.push(press_update(1, "q1", "sop:a:g1"));
    let notes = &mut a.notes;
    let wait = a.polling.round(
        t(1),
        &mut |out| {
            claim.give_up().unwrap();
            bot.post(out)
        },
        &mut |n| notes.push(n),
    );
    assert_eq!(wait, Duration::ZERO);
    assert!(
        decided.lock().unwrap().is_empty(),
        "a stopping node decides nothing"
    );
    assert_eq!(
        a.round(t(2), &mut bot),
        CLAIM_RETRY,
        "and never polls again"
    );

    // b need not wait for the claim to lapse, and reads the press a left.
    assert_eq!(b.round(t(2), &mut bot), Duration::ZERO);
    assert_eq!(decided.lock().unwrap().len(), 1);
    assert_eq!(bot.calls_of("answerCallbackQuery").len(), 1);
    assert!(
        !a.notes
            .iter()
            .any(|n| matches!(n, Note::Info(i) if i.starts_with("another node"))),
        "a stopped node does not say another polls: {:?}",
        a.notes
    );
}

#[test]
fn a_409_is_told_once_and_waited_out_never_asked_again_at_once() {
    let store = shared_store();
    let (decide, _) = decider();
    let mut a = Node::new(&store, "host-a/1/x", &decide);
    let mut bot = Bot {
        conflicts: 3,
        ..Bot::default()
    };
    for second in 0..3 {
        assert_eq!(a.round(t(second * 30), &mut bot), PAUSE_AFTER_CONFLICT);
    }
    let warnings = a.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("409")
            && warnings[0].contains("another process polls this bot, or a webhook is set"),
        "{}",
        warnings[0]
    );
    assert!(!warnings[0].contains(TOKEN));

    assert_eq!(a.round(t(90), &mut bot), PAUSE_WHEN_EMPTY, "it works again");
    assert!(
        a.notes
            .last()
            .is_some_and(|n| matches!(n, Note::Info(i) if i.contains("answers again")))
    );
    bot.conflicts = 1;
    assert_eq!(a.round(t(91), &mut bot), PAUSE_AFTER_CONFLICT);
    assert_eq!(a.warnings().len(), 2, "a new conflict is told again");
    assert!(
        PAUSE_AFTER_CONFLICT < claim_ttl(&settings()),
        "the holder keeps its claim meanwhile"
    );
}
