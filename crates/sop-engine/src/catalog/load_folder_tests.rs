//! [`Catalog::load_folder`]: one SOP folder, read as the whole directory's reading reads it.

use super::Catalog;
use std::path::Path;

fn write(dir: &Path, name: &str, md: &str) {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("SOP.toml"),
        format!("[sop]\nname = \"{name}\"\n\n[[triggers]]\ntype = \"manual\"\n"),
    )
    .unwrap();
    std::fs::write(folder.join("SOP.md"), md).unwrap();
}

#[test]
fn one_folder_reads_as_the_whole_directory_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "deploy", "## Step 1: Go\n```sh\ntrue\n```\n");
    write(tmp.path(), "broken", "no steps here\n");
    let all = Catalog::load(tmp.path()).unwrap();
    let one = Catalog::load_folder(tmp.path(), "deploy", None).unwrap();
    assert_eq!(one.entries().len(), 1);
    assert_eq!(
        format!("{:?}", one.sop("deploy").unwrap()),
        format!("{:?}", all.sop("deploy").unwrap())
    );
    assert_eq!(
        one.entry("deploy").unwrap().dir,
        all.entry("deploy").unwrap().dir
    );
    // A folder whose files do not parse is read with the same problems.
    let broken = Catalog::load_folder(tmp.path(), "broken", None).unwrap();
    assert_eq!(
        format!(
            "{:?}",
            broken.entry("broken").unwrap().sop.as_ref().unwrap_err()
        ),
        format!(
            "{:?}",
            all.entry("broken").unwrap().sop.as_ref().unwrap_err()
        )
    );
}

#[test]
fn a_name_that_is_no_folder_of_the_directory_reads_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "deploy", "## Step 1: Go\n```sh\ntrue\n```\n");
    write(tmp.path(), ".hidden", "## Step 1: Go\n```sh\ntrue\n```\n");
    std::fs::write(tmp.path().join("oncall.toml"), "").unwrap();
    for name in [
        "missing",
        ".hidden",
        "oncall.toml",
        "",
        "../deploy",
        "deploy/",
    ] {
        assert!(
            Catalog::load_folder(tmp.path(), name, None).is_none(),
            "{name:?}"
        );
    }
}
