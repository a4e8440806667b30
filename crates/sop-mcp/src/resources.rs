//! Resources: each SOP's SOP.md as `sop://NAME`, each recent run's document as `run://ID`.

use crate::bounded::blocking;
use crate::identity::Identity;
use rmcp::ErrorData as McpError;
use rmcp::model::{
    ListResourcesResult, ReadResourceResult, Resource, ResourceContents, ResourceTemplate,
};
use sop_engine::catalog::Catalog;
use sop_engine::documents::SopEntryDocument;
use sop_engine::{ErrorKind, Service};
use sop_store::RunFilter;

/// How many recent runs are listed as resources (any run can be read by its id).
const LISTED_RUNS: u32 = 50;

pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("sop://{name}", "SOP")
            .with_description("An SOP's SOP.md: its steps as a person reads them.")
            .with_mime_type("text/markdown"),
        ResourceTemplate::new("run://{id}", "Run")
            .with_description("A run's status document, as run_status returns it.")
            .with_mime_type("application/json"),
    ]
}

pub async fn list(service: &Service, who: &Identity) -> Result<ListResourcesResult, McpError> {
    let found = blocking(service, who, |s, caller| {
        let sops = s.list_sops()?;
        let filter = RunFilter {
            sop_name: None,
            statuses: Vec::new(),
            limit: LISTED_RUNS,
        };
        Ok((sops, s.list_runs(caller, &filter)?.runs))
    })
    .await
    .map_err(|e| McpError::internal_error(e.to_string(), None))?;
    let (sops, runs) = found;
    let mut out: Vec<Resource> = sops
        .sops
        .iter()
        .map(|entry| match entry {
            SopEntryDocument::Valid(s) => Resource::new(format!("sop://{}", s.name), &s.name)
                .with_description(&s.description)
                .with_mime_type("text/markdown"),
            SopEntryDocument::Invalid(s) => Resource::new(format!("sop://{}", s.name), &s.name)
                .with_description("invalid: check_sops says why")
                .with_mime_type("text/markdown"),
        })
        .collect();
    out.extend(runs.iter().map(|r| {
        Resource::new(format!("run://{}", r.id), format!("run {}", r.id))
            .with_description(format!("{} · {}", r.sop_name, r.status.as_str()))
            .with_mime_type("application/json")
    }));
    Ok(ListResourcesResult::with_all_items(out))
}

pub async fn read(
    service: &Service,
    who: &Identity,
    uri: &str,
) -> Result<ReadResourceResult, McpError> {
    let text = if let Some(name) = uri.strip_prefix("sop://") {
        let name = name.to_string();
        blocking(service, who, move |s, _| {
            // Only names the catalog lists: never a path.
            Catalog::open(s.settings().sop_dir())?.entry(&name)?;
            s.sop_markdown(&name)
        })
        .await
        .map(|md| ResourceContents::text(md, uri).with_mime_type("text/markdown"))
    } else if let Some(id) = uri.strip_prefix("run://") {
        let id = id.to_string();
        blocking(service, who, move |s, caller| {
            let t = s.load_run(caller, &id)?;
            let doc = s.run_document(&t)?;
            serde_json::to_string_pretty(&doc)
                .map_err(|e| sop_engine::Error::internal(e.to_string()))
        })
        .await
        .map(|json| ResourceContents::text(json, uri).with_mime_type("application/json"))
    } else {
        return Err(McpError::resource_not_found(
            format!("no resource `{uri}`: resources are sop://NAME and run://ID"),
            None,
        ));
    };
    match text {
        Ok(contents) => Ok(ReadResourceResult::new(vec![contents])),
        Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Invalid) => {
            Err(McpError::resource_not_found(e.to_string(), None))
        }
        Err(e) => Err(McpError::internal_error(e.to_string(), None)),
    }
}
