//! Notifications as operations: the sender, a test message, deciding a gate from a chat button,
//! and the approval page behind a link (what it shows, and the one POST that decides).

use super::{Caller, GateDecision, GateRequest, Service};
use crate::Error;
use crate::approval::token;
use crate::documents::NotificationDocument;
use crate::notify::content;
use crate::notify::sender::{Sender, Verdict};
use crate::notify::settings::NotifySettings;
use crate::notify::users::{ChatUser, Users};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sop_core::gate::{Choice, GateStatus, TokenHolder};
use sop_core::notify::{Channel, parse_channels};
use sop_store::{AuditEvent, StoreExt};

/// How a test message went, per channel (the label never shows a webhook's URL).
#[derive(Debug, Clone, Serialize)]
pub struct TestDelivery {
    pub channel: String,
    pub delivered: bool,
    pub error: Option<String>,
}

/// A decision made from a chat button.
pub struct ChatDecision {
    /// The sop user the chat account maps to.
    pub actor: String,
    pub decision: GateDecision,
}

/// What an approval link leads to.
pub enum LinkState {
    /// The gate waits: what the page shows. `holder` is the approver the link was issued to
    /// (`None`: the page asks who decides).
    Open {
        document: Box<NotificationDocument>,
        holder: Option<String>,
    },
    Used {
        at: DateTime<Utc>,
    },
    /// The gate was decided or closed; its tokens were revoked.
    Closed {
        status: GateStatus,
    },
    Expired {
        deadline: Option<DateTime<Utc>>,
    },
    Unknown,
}

impl Service {
    pub fn notify_settings(&self) -> crate::Result<NotifySettings> {
        NotifySettings::load(self.settings())
    }

    /// The sender of this process's outbox.
    pub fn notify_sender(&self) -> crate::Result<Sender> {
        Ok(Sender::new(
            self.shared_store(),
            self.notify_settings()?,
            self.clock(),
        ))
    }

    /// Sends a test message to `channel` (or every configured channel) now, once.
    pub fn notify_test(&self, channel: Option<&str>) -> crate::Result<Vec<TestDelivery>> {
        let sender = self.notify_sender()?;
        let channels: Vec<Channel> = match channel {
            Some(c) => parse_channels(c).map_err(|e| Error::invalid(format!("--channel: {e}")))?,
            None => sender.settings().channels.clone(),
        };
        if channels.is_empty() {
            return Err(Error::invalid(
                "no channel to test: set SOP_APPROVAL_CHANNEL or pass --channel slack:#name",
            ));
        }
        let doc = content::test_document();
        Ok(channels
            .iter()
            .map(|c| {
                let (delivered, error) = match sender.send_now(c, &doc) {
                    Verdict::Sent(_) => (true, None),
                    Verdict::Retry { error, .. }
                    | Verdict::GiveUp(error)
                    | Verdict::Skip(error) => (false, Some(error)),
                };
                TestDelivery {
                    channel: c.label(),
                    delivered,
                    error,
                }
            })
            .collect())
    }

    /// Decides gate `gate_id` for the sop user `who` maps to in `users.toml`, under every
    /// approval rule (a chat account counts as authenticated). An unmapped account is refused
    /// and the refusal audited.
    pub fn decide_from_chat(
        &self,
        who: &ChatUser,
        gate_id: &str,
        choice: Choice,
    ) -> crate::Result<ChatDecision> {
        let users = Users::load(self.settings().sop_dir())?;
        let gate = self.store().gate(gate_id).map_err(|_| {
            Error::not_found("this button belongs to a gate sop does not know (any more)")
        })?;
        let Some(actor) = users.find(who).map(str::to_string) else {
            self.store().append_audit(&AuditEvent::new(
                self.clock().now(),
                Some(&gate.run_id),
                format!("{}:{}", who.platform(), who.id()),
                "gate.chat_refused",
                json!({"gate": gate.id, "step": gate.step, "choice": choice.as_str(),
                       "reason": "the chat account is not mapped to a sop user"}),
            ))?;
            return Err(Error::refused(format!(
                "your {} account ({}) is not mapped to a sop user: ask an administrator to add \
                 it to users.toml",
                who.platform(),
                who.id()
            )));
        };
        let caller = Caller::quiet(actor.clone()).handing_off();
        let req = GateRequest {
            step: Some(gate.step),
            choice,
            comment: (choice == Choice::Reject)
                .then(|| format!("rejected from {} by {actor}", who.platform())),
            claimed: None,
            token: None,
            detach: true,
            authenticated: true,
            channel: who.platform(),
            sender: Some(who.id()),
        };
        let decision = self.decide_gate(&caller, &gate.run_id, &req, false)?;
        Ok(ChatDecision { actor, decision })
    }

    /// What the approval link with `plain` leads to. Reading decides nothing.
    pub fn approval_link(&self, plain: &str) -> crate::Result<LinkState> {
        if !token::is_well_formed(plain) {
            return Ok(LinkState::Unknown);
        }
        let Some(stored) = self.store().token_by_hash(&token::hash(plain))? else {
            return Ok(LinkState::Unknown);
        };
        if let Some(at) = stored.used_at {
            return Ok(LinkState::Used { at });
        }
        let caller = Caller::quiet("approval-page");
        let gate = self.store().gate(&stored.gate_id)?;
        // Loading applies a deadline that has passed, so an expired gate shows as expired.
        let t = self.load_run(&caller, &gate.run_id)?;
        let gate = t
            .gates
            .iter()
            .find(|g| g.id == gate.id)
            .cloned()
            .unwrap_or(gate);
        match gate.status {
            GateStatus::Open => {}
            GateStatus::Expired => {
                return Ok(LinkState::Expired {
                    deadline: gate.expires_at,
                });
            }
            status => return Ok(LinkState::Closed { status }),
        }
        if stored.revoked {
            return Ok(LinkState::Closed {
                status: gate.status,
            });
        }
        let document = content::document(&t, "approval", Some(&gate), None);
        Ok(LinkState::Open {
            document: Box::new(document),
            holder: stored.approver,
        })
    }

    /// Decides the gate behind the link: as its holder, or as `name` for a link issued to
    /// anyone. The token is used up by the decision.
    pub fn decide_with_link(
        &self,
        plain: &str,
        name: Option<&str>,
        choice: Choice,
        comment: Option<String>,
    ) -> crate::Result<GateDecision> {
        if !token::is_well_formed(plain) {
            return Err(Error::not_found("this approval link is not valid"));
        }
        let stored = self
            .store()
            .token_by_hash(&token::hash(plain))?
            .ok_or_else(|| Error::not_found("this approval link is not valid"))?;
        let gate = self.store().gate(&stored.gate_id)?;
        let holder = match &stored.approver {
            Some(a) => TokenHolder::Approver(a.clone()),
            None => TokenHolder::Anyone,
        };
        let actor = match (&holder, name.map(str::trim).filter(|n| !n.is_empty())) {
            (TokenHolder::Approver(a), _) => a.clone(),
            (TokenHolder::Anyone, Some(n)) => n.to_string(),
            (TokenHolder::Anyone, None) => {
                return Err(Error::invalid("say who you are: the name field is empty"));
            }
        };
        let caller = Caller::quiet(actor.clone()).handing_off();
        let req = GateRequest {
            step: Some(gate.step),
            choice,
            comment,
            claimed: Some(actor),
            token: Some(plain.to_string()),
            detach: true,
            authenticated: false,
            channel: "approval link",
            sender: None,
        };
        self.decide_gate(&caller, &gate.run_id, &req, false)
    }
}
