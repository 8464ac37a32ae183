//! Organizations: joining, adding a local one, leaving, listing, and their catalogues.

use serde_json::json;
use shiftlog_core::Core;

use crate::exit::Failure;
use crate::input::runtime;
use crate::output::Output;

/// `shiftlog enroll`.
pub fn enroll(
    core: &Core,
    out: &Output,
    server: &str,
    code: &str,
    device_name: &str,
) -> Result<(), Failure> {
    let org = runtime()?.block_on(core.enroll(server, code, device_name))?;
    out.print(json!(org), format!("Joined {} ({})", org.name, org.id));
    Ok(())
}

/// `shiftlog add-org`.
pub fn add(core: &Core, out: &Output, name: &str) -> Result<(), Failure> {
    let org = core.add_local_organization(name)?;
    out.print(
        json!(org),
        format!("Added {} ({}), kept on this device only", org.name, org.id),
    );
    Ok(())
}

/// `shiftlog leave`.
pub fn leave(core: &Core, out: &Output, org: &str, even_if_unsent: bool) -> Result<(), Failure> {
    core.leave_organization(org, even_if_unsent)?;
    out.print(
        json!({"left": org}),
        format!("Left {org}. Your records stay on this device."),
    );
    Ok(())
}

/// `shiftlog org set-url`.
pub fn set_url(core: &Core, out: &Output, org: &str, url: &str) -> Result<(), Failure> {
    core.set_server_url(org, url)?;
    let now = core
        .organizations()?
        .into_iter()
        .find(|o| o.id == org)
        .and_then(|o| o.server_url)
        .unwrap_or_else(|| url.to_string());
    out.print(
        json!({"org": org, "server_url": now}),
        format!("{org} now syncs with {now}. Run `shiftlog sync` to check it answers."),
    );
    Ok(())
}

/// `shiftlog orgs`.
pub fn list(core: &Core, out: &Output) -> Result<(), Failure> {
    let orgs = core.organizations()?;
    if out.json {
        println!("{}", json!(orgs));
    } else if orgs.is_empty() {
        println!("No organization yet. Join one with: shiftlog enroll <server> <code>");
    } else {
        for o in orgs {
            println!(
                "{}  {}  {}",
                o.id,
                o.name,
                o.server_url.unwrap_or_else(|| "(this device only)".into())
            );
        }
    }
    Ok(())
}

/// `shiftlog catalogue`.
pub fn catalogue(core: &Core, out: &Output, org: Option<&str>) -> Result<(), Failure> {
    let cat = core.catalogue(org)?;
    let lang = out.lang;
    if out.json {
        println!("{}", json!(cat));
        return Ok(());
    }
    println!("Activity kinds: {}", cat.kinds.join(", "));
    for k in &cat.custom_kinds {
        println!("  + {} ({})", k.id, k.label.get(lang));
    }
    println!("Items:");
    for i in &cat.items {
        println!("  {}  {}", i.id, i.label.get(lang));
    }
    println!("Areas:");
    for a in &cat.areas {
        println!("  {}  {}", a.id, a.label.get(lang));
    }
    println!("Roles:");
    for r in &cat.roles {
        println!(
            "  {}  {}: {}",
            r.id,
            r.title.get(lang),
            r.expectations.get(lang)
        );
    }
    println!(
        "Synced records stay on this device for {} days.",
        cat.retention_days
    );
    Ok(())
}
