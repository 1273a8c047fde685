//! Placeholder replaced below.
#[derive(clap::Args)]
pub struct Args {}
pub fn write(_: &Args) -> anyhow::Result<()> {
    Ok(())
}
