//! [`SopServer`]: the MCP server handler. It answers the protocol's requests by handing each to
//! the tools, resources or prompt module; it holds the service, the actor and the drivers that
//! outlived their call.

use crate::bounded::Background;
use crate::identity::{Identity, client_label};
use crate::{prompt, resources, tools};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, GetPromptRequestParams, GetPromptResponse,
    Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use sop_engine::{Service, StopSignal};

/// What the server tells a client about itself at the handshake.
const INSTRUCTIONS: &str = "sop runs Standard Operating Procedures. list_sops shows them; \
start_run starts one; then loop: next_step says what the run waits for — do a manual step and \
report it with complete_step, ask a person to approve a gate (decide_gate as yourself only when \
your user may), or wait and call run_status. The prompt run_sop walks through it.";

#[derive(Clone)]
pub struct SopServer {
    service: Service,
    actor: String,
    stop: StopSignal,
    background: Background,
}

impl SopServer {
    pub fn new(service: Service, actor: String, stop: StopSignal) -> Self {
        SopServer {
            service,
            actor,
            stop,
            background: Background::default(),
        }
    }

    /// The identity of one request: this server's actor, through the client that sent it.
    fn identity(&self, context: &RequestContext<RoleServer>) -> Identity {
        let name = context.client_info().map(|i| i.name);
        Identity {
            actor: self.actor.clone(),
            client: client_label(name.as_deref()),
            stop: self.stop.clone(),
        }
    }

    /// Asks every run still driven here to let go (the step is stopped, the run left
    /// resumable) and waits until they have.
    pub async fn let_go(&self) {
        self.stop.request(libc_sigterm());
        self.background.join_all().await;
    }
}

/// SIGTERM's number, as the engine records the signal that asked a driver to stop.
fn libc_sigterm() -> i32 {
    15
}

impl ServerHandler for SopServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(Implementation::new("sop", env!("CARGO_PKG_VERSION")))
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(tools::tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools::tools().into_iter().find(|t| t.name == name)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let who = self.identity(&context);
        let name = request.name.to_string();
        match tools::call(
            &self.service,
            &who,
            &self.background,
            &name,
            request.arguments,
        )
        .await
        {
            Some(result) => Ok(result.into()),
            None => Err(McpError::invalid_params(
                format!("no tool named `{name}`; tools/list lists them"),
                None,
            )),
        }
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        resources::list(&self.service, &self.identity(&context)).await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        resources::read(&self.service, &self.identity(&context), &request.uri)
            .await
            .map(Into::into)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(vec![prompt::run_sop()]))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        prompt::get(&request).map(Into::into)
    }
}
