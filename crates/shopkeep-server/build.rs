//! The UI is built by Vite into `web/*/dist`; a server build without it must
//! still compile, so create empty folders for the embedder when they are missing.

use std::path::Path;

fn main() {
    for app in ["widget", "console", "demo"] {
        let dist = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../web")
            .join(app)
            .join("dist");
        if !dist.exists() {
            std::fs::create_dir_all(&dist).expect("create an empty asset folder");
        }
        println!("cargo:rerun-if-changed={}", dist.display());
    }
}
