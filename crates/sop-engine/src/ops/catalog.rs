//! The SOPs as data: the list, one SOP in full, its SOP.md, and the check of them. Reading SOPs
//! needs no store, so each is a function of the settings, and a [`Service`] method for front
//! ends that hold one.

use super::Service;
use super::check::{Checked, check_sops};
use crate::Settings;
use crate::approval::ApprovalSettings;
use crate::approval::plan::Summary;
use crate::catalog::Catalog;
use crate::documents::{SopDocument, SopListDocument};

/// Every SOP of the directory, valid or not.
pub fn list_sops(settings: &Settings) -> crate::Result<SopListDocument> {
    Ok(SopListDocument::new(&Catalog::open(settings.sop_dir())?))
}

/// The valid SOP `name` in full; an unknown or invalid SOP is an error saying why.
pub fn show_sop(settings: &Settings, name: &str) -> crate::Result<SopDocument> {
    let catalog = Catalog::open(settings.sop_dir())?;
    let sop = catalog.sop(name)?;
    let entry = catalog.entry(name)?;
    let approvals = Summary::new(sop, &ApprovalSettings::load(settings)?);
    SopDocument::new(entry, sop, approvals)
}

/// The SOP.md of the SOP `name`, as read (valid SOP or not: it is what a person reads).
pub fn sop_markdown(settings: &Settings, name: &str) -> crate::Result<String> {
    let catalog = Catalog::open(settings.sop_dir())?;
    let entry = catalog.entry(name)?;
    let source = crate::engine::snapshot::Snapshot::read(entry)?;
    Ok(source.md)
}

impl Service {
    pub fn list_sops(&self) -> crate::Result<SopListDocument> {
        list_sops(self.settings())
    }

    /// The SOP as its files say, or, when they are broken and a server serves its last good
    /// version, that version: what a run started now would follow.
    pub fn show_sop(&self, name: &str) -> crate::Result<SopDocument> {
        show_sop(self.settings(), name).or_else(|e| {
            let Some(good) = self.live_version(name) else {
                return Err(e);
            };
            let catalog = Catalog::open(self.settings().sop_dir())?;
            let approvals = Summary::new(&good.sop, &ApprovalSettings::load(self.settings())?);
            SopDocument::new(catalog.entry(name)?, &good.sop, approvals)
        })
    }

    /// The SOP.md a run started now would follow: the last good version's while a server
    /// serves it in place of broken files, else the file as it is.
    pub fn sop_markdown(&self, name: &str) -> crate::Result<String> {
        match self.live_version(name) {
            Some(good) if self.sop_document(name).is_ok_and(|d| !d.valid) => {
                Ok(good.snapshot.md.clone())
            }
            _ => sop_markdown(self.settings(), name),
        }
    }

    /// Checks the SOPs `names` (every SOP when empty).
    pub fn check_sops(&self, names: &[String]) -> crate::Result<Checked> {
        check_sops(self.settings(), names)
    }
}
