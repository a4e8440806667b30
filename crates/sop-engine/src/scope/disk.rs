//! `disk_usage`: percent used of the filesystem holding a path, as `df` reports it.

use std::path::Path;

/// Percent of the filesystem's space in use, rounded to one decimal. Like `df`, blocks reserved
/// for the superuser count as neither used nor available.
pub fn usage_percent(path: &Path) -> crate::Result<f64> {
    let stat = nix::sys::statvfs::statvfs(path).map_err(|err| {
        crate::Error::internal(format!(
            "cannot measure disk usage of `{}` ({err}); set SOP_DISK_PATH to an existing path",
            path.display()
        ))
    })?;
    let used = stat.blocks().saturating_sub(stat.blocks_free()) as f64;
    let usable = used + stat.blocks_available() as f64;
    if usable <= 0.0 {
        return Ok(0.0);
    }
    Ok((used / usable * 1000.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_the_root_filesystem_as_a_percentage() {
        let p = usage_percent(Path::new("/")).unwrap();
        assert!((0.0..=100.0).contains(&p), "{p}");
        assert_eq!((p * 10.0).round(), p * 10.0, "one decimal: {p}");
    }

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let e = usage_percent(Path::new("/no/such/dir/anywhere")).unwrap_err();
        assert!(e.to_string().contains("/no/such/dir/anywhere"), "{e}");
    }
}
