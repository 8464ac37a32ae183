//! `shiftlog statement …` (the worker's work record) and `shiftlog verify FILE` (anyone,
//! offline, no profile). The checks are the core's (`shiftlog_core::statements`); this
//! module reads files, prints words and picks exit codes (docs/cli.md).

use serde_json::json;
use shiftlog_core::statements::page::hours;
use shiftlog_core::statements::{
    check_integrity, parse_file, parse_keys, trust_public_key, KeySet, StoredStatement, VerifyError,
};
use shiftlog_core::{Core, Lang};

use crate::args::{StatementAction, VerifyArgs};
use crate::exit::{code_of, Code, Failure};
use crate::input::runtime;
use crate::output::Output;

fn fr(out: &Output) -> bool {
    out.lang == Lang::Fr
}

fn write(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::Said(format!("{}: {e}", path.display()), Code::Failed))
}

fn line(s: &StoredStatement, out: &Output) -> String {
    let (to, of) = if fr(out) {
        ("au", "de quarts")
    } else {
        ("to", "of shifts")
    };
    format!(
        "{}  {}  {} {to} {}  {}  {} {of}",
        s.id,
        s.org_name,
        s.from,
        s.to,
        s.short_code,
        hours(s.signed.statement.total_minutes(), out.lang)
    )
}

/// Runs one `shiftlog statement` action.
pub fn statement(core: &Core, out: &Output, action: StatementAction) -> Result<Code, Failure> {
    match action {
        StatementAction::Request { from, to, org } => {
            let outcomes = runtime()?.block_on(core.request_statement(org.as_deref(), from, to))?;
            let mut code = Code::Ok;
            let mut rows = Vec::new();
            for o in outcomes {
                match o.result {
                    Ok(s) => {
                        if !out.json {
                            let kept = if fr(out) { "gardée" } else { "kept" };
                            println!("{kept}: {}", line(&s, out));
                        }
                        rows.push(json!({"org_id": o.org_id, "statement": s}));
                    }
                    Err(e) => {
                        if code == Code::Ok {
                            code = code_of(&e);
                        }
                        if !out.json {
                            eprintln!("shiftlog: {}: {}", o.org_name, e.message(out.lang));
                        }
                        rows.push(json!({"org_id": o.org_id, "error": e.code(), "message": e.message(out.lang)}));
                    }
                }
            }
            if out.json {
                println!("{}", json!(rows));
            }
            return Ok(code);
        }
        StatementAction::List => {
            let list = core.statements()?;
            if out.json {
                println!("{}", json!(list));
            } else if list.is_empty() {
                println!(
                    "{}",
                    if fr(out) {
                        "Aucune attestation. Demandez-en une : shiftlog statement request --from AAAA-MM-JJ --to AAAA-MM-JJ"
                    } else {
                        "No statement yet. Ask for one: shiftlog statement request --from YYYY-MM-DD --to YYYY-MM-DD"
                    }
                );
            } else {
                for s in &list {
                    println!("{}", line(s, out));
                }
            }
        }
        StatementAction::Save {
            id,
            out: file,
            keys_out,
        } => {
            let ids = [id];
            write(&file, &core.statement_file(&ids)?)?;
            if let Some(k) = &keys_out {
                write(k, &core.statement_keys_file(&ids)?)?;
            }
            out.print(
                json!({"out": file, "keys_out": keys_out}),
                format!("{}", file.display()),
            );
        }
        StatementAction::Print { ids, out: file } => {
            write(&file, &core.work_record_html(&ids, out.lang)?)?;
            out.print(json!({"out": file}), format!("{}", file.display()));
        }
    }
    Ok(Code::Ok)
}

/// The exit code of a refusal.
fn refusal_code(e: &VerifyError) -> Code {
    match e {
        VerifyError::Malformed(_) => Code::Invalid,
        VerifyError::Altered => Code::StatementAltered,
        VerifyError::UnknownKey { .. } => Code::StatementUnknownKey,
        VerifyError::RevokedKey { .. } | VerifyError::RetiredKey { .. } => {
            Code::StatementRevokedKey
        }
        VerifyError::WrongOrganization { .. } => Code::StatementWrongOrganization,
    }
}

/// `shiftlog verify FILE [--key PUBKEY | --keys FILE]`: every statement in the file is
/// checked; the exit code is the first refusal's (0 when all are valid). Without a key the
/// signature is still checked, but a key nobody vouched for is an unknown key.
pub fn verify(out: &Output, args: &VerifyArgs) -> Result<Code, Failure> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .map_err(|e| Failure::Said(format!("{}: {e}", p.display()), Code::Failed))
    };
    let text = read(&args.file)?;
    let docs =
        parse_file(&text).map_err(|e| Failure::Said(e.message(out.lang), refusal_code(&e)))?;
    let listed = match &args.keys {
        Some(p) => Some(
            parse_keys(&read(p)?)
                .map_err(|why| Failure::Said(format!("{}: {why}", p.display()), Code::Usage))?,
        ),
        None => None,
    };
    let mut code = Code::Ok;
    let mut rows = Vec::new();
    for doc in &docs {
        let keys: Option<KeySet> = match (&args.key, &listed) {
            (Some(k), _) => Some(trust_public_key(k, doc).map_err(Failure::Usage)?),
            (None, l) => l.clone(),
        };
        let st = &doc.statement;
        let what = format!(
            "{} — {}, {} – {}",
            st.organization.name, st.worker.pseudonym, st.period.from, st.period.to
        );
        let result = match &keys {
            Some(k) => shiftlog_core::statements::verify(doc, k).map(|v| v.short_code),
            None => check_integrity(doc).and(Err(VerifyError::UnknownKey {
                key_id: doc.key_id.clone(),
            })),
        };
        let (words, c) = match &result {
            Ok(sc) if fr(out) => (
                format!("VALIDE ({sc}) : {what}, signée par la clé {}.", doc.key_id),
                Code::Ok,
            ),
            Ok(sc) => (
                format!("VALID ({sc}): {what}, signed with key {}.", doc.key_id),
                Code::Ok,
            ),
            Err(e) if keys.is_none() => {
                let hint = if fr(out) {
                    "Signature intacte, mais aucune clé de confiance n’a été donnée : ajoutez --keys (la liste publiée par l’organisme) ou --key."
                } else {
                    "The signature holds, but no trusted key was given: add --keys (the organization's published list) or --key."
                };
                let msg = if matches!(e, VerifyError::UnknownKey { .. }) {
                    hint.to_string()
                } else {
                    e.message(out.lang)
                };
                (format!("{msg} ({what})"), refusal_code(e))
            }
            Err(e) => (format!("{} ({what})", e.message(out.lang)), refusal_code(e)),
        };
        if code == Code::Ok {
            code = c;
        }
        rows.push(json!({
            "organization": st.organization.id,
            "key_id": doc.key_id,
            "valid": result.is_ok(),
            "code": result.as_ref().err().map(VerifyError::code),
            "message": words,
        }));
        if !out.json {
            println!("{words}");
        }
    }
    if out.json {
        println!("{}", json!(rows));
    }
    Ok(code)
}
