//! `shiftlog sync` and `shiftlog status`. A sync run ends one of four ways, each with its
//! words and exit code (docs/cli.md): all sent and fetched (0); sent, but fetching the
//! worker's other records or the organization's lists failed (7); some records need
//! attention (8); the server could not be reached, nothing lost (4).

use serde_json::json;
use shiftlog_core::{Core, CoreError, Lang, SyncReport};

use crate::exit::{Code, Failure};
use crate::input::runtime;
use crate::output::Output;

/// Sends what is waiting, then says what happened.
pub fn sync(core: &Core, out: &Output) -> Result<Code, Failure> {
    let report = match runtime()?.block_on(core.sync_now()) {
        Ok(r) => r,
        Err(CoreError::Network(_)) => {
            let waiting = core.sync_status().map(|s| s.waiting).ok();
            return Err(Failure::Said(offline(waiting, out.lang), Code::Offline));
        }
        Err(e) => return Err(e.into()),
    };
    let code = code_of(&report);
    let mut v = json!(report);
    v["outcome"] = json!(match code {
        Code::NeedsAttention => "needs_attention",
        Code::SentNotPulled => "sent_not_pulled",
        _ => "done",
    });
    out.print(v, words(&report, out.lang).join("\n"));
    Ok(code)
}

/// Records a person must look at come first: running sync again later fixes a failed fetch.
fn code_of(r: &SyncReport) -> Code {
    if r.rejected + r.superseded + r.conflicts > 0 {
        Code::NeedsAttention
    } else if r.pull_error.is_some() || r.catalogue_error.is_some() {
        Code::SentNotPulled
    } else {
        Code::Ok
    }
}

/// What a sync run did, one line per fact, in the worker's language.
fn words(r: &SyncReport, lang: Lang) -> Vec<String> {
    let fr = lang == Lang::Fr;
    let mut lines = Vec::new();
    let answered = r.accepted + r.already_had + r.rejected + r.superseded + r.conflicts;
    lines.push(match (answered, fr) {
        (0, false) => "Nothing was waiting to be sent.".to_string(),
        (0, true) => "Rien n'attendait d'être envoyé.".to_string(),
        (_, false) => format!("Sent {} new, {} already there.", r.accepted, r.already_had),
        (_, true) => format!(
            "Envoyé : {} nouveaux, {} déjà reçus.",
            r.accepted, r.already_had
        ),
    });
    if r.rejected > 0 {
        lines.push(if fr {
            format!(
                "{} à vérifier : voyez shiftlog list --needs-attention, corrigez-les, puis relancez shiftlog sync.",
                r.rejected
            )
        } else {
            format!(
                "{} need attention: see shiftlog list --needs-attention, fix them, then run shiftlog sync again.",
                r.rejected
            )
        });
    }
    if r.superseded > 0 {
        lines.push(if fr {
            format!(
                "{} de vos modifications ont été remplacées par une modification plus récente faite ailleurs : cet appareil a pris la plus récente et garde la vôtre de côté. {}",
                r.superseded,
                aside_next(fr)
            )
        } else {
            format!(
                "{} of your changes were replaced by a newer change made elsewhere: this device took the newer one and keeps yours aside. {}",
                r.superseded,
                aside_next(fr)
            )
        });
    }
    if r.conflicts > 0 {
        lines.push(if fr {
            format!(
                "{} en conflit avec une autre copie de la même version : cet appareil a pris celle du serveur et garde la vôtre de côté. {}",
                r.conflicts,
                aside_next(fr)
            )
        } else {
            format!(
                "{} conflict with another copy of the same version: this device took the server's and keeps yours aside. {}",
                r.conflicts,
                aside_next(fr)
            )
        });
    }
    if let Some(code) = &r.pull_error {
        lines.push(if fr {
            format!(
                "Vos activités venant de vos autres appareils n'ont pas pu être récupérées ({}). Ce qui a été envoyé est bien sur le serveur. Relancez shiftlog sync plus tard.",
                cause(code, fr)
            )
        } else {
            format!(
                "Your records from your other devices could not be fetched ({}). What was sent is safe on the server. Run shiftlog sync again later.",
                cause(code, fr)
            )
        });
    }
    if let Some(code) = &r.catalogue_error {
        lines.push(if fr {
            format!(
                "Les listes de votre organisme (types, articles, secteurs) n'ont pas pu être mises à jour ({}). Ce qui a été envoyé est bien sur le serveur. Relancez shiftlog sync plus tard.",
                cause(code, fr)
            )
        } else {
            format!(
                "Your organization's lists (kinds, items, areas) could not be updated ({}). What was sent is safe on the server. Run shiftlog sync again later.",
                cause(code, fr)
            )
        });
    }
    if r.resent_after_restore > 0 {
        lines.push(if fr {
            format!(
                "Le serveur de votre organisme a été remis à partir d'une sauvegarde : {} fiche(s) renvoyée(s) pour que rien ne manque.",
                r.resent_after_restore
            )
        } else {
            format!(
                "Your organization's server was brought back from a backup: {} record(s) sent again so that nothing is missing.",
                r.resent_after_restore
            )
        });
    }
    if r.messages_new > 0 {
        lines.push(if fr {
            format!(
                "{} nouveau(x) message(s) de votre organisme : voyez shiftlog messages.",
                r.messages_new
            )
        } else {
            format!(
                "{} new message(s) from your organization: see shiftlog messages.",
                r.messages_new
            )
        });
    }
    if let Some(code) = &r.messages_error {
        lines.push(if fr {
            format!("Les messages de votre organisme n'ont pas pu être récupérés ({}). Relancez shiftlog sync plus tard.", cause(code, fr))
        } else {
            format!("Messages from your organization could not be fetched ({}). Run shiftlog sync again later.", cause(code, fr))
        });
    }
    if code_of(r) == Code::Ok {
        lines.push(if fr { "À jour." } else { "Up to date." }.to_string());
    }
    lines
}

/// Where the versions kept aside are, and the commands that settle them.
fn aside_next(fr: bool) -> &'static str {
    if fr {
        "Voyez shiftlog list --needs-attention, puis shiftlog keep ID pour garder la vôtre ou shiftlog let-go ID pour la laisser."
    } else {
        "See shiftlog list --needs-attention, then shiftlog keep ID to keep yours or shiftlog let-go ID to let it go."
    }
}

/// A failure's stable code (`CoreError::code`) in words.
fn cause(code: &str, fr: bool) -> String {
    match (code, fr) {
        ("offline", false) => "the connection was lost".into(),
        ("offline", true) => "la connexion a été perdue".into(),
        ("untrusted_certificate", false) => {
            "this device does not trust the server's certificate".into()
        }
        ("untrusted_certificate", true) => {
            "cet appareil ne reconnaît pas le certificat du serveur".into()
        }
        ("server", false) => "the server answered with an error".into(),
        ("server", true) => "le serveur a répondu par une erreur".into(),
        ("storage", false) => "this device could not save them".into(),
        ("storage", true) => "cet appareil n'a pas pu les enregistrer".into(),
        (other, _) => other.into(),
    }
}

/// The server could not be reached: nothing is lost, and how much waits.
fn offline(waiting: Option<u32>, lang: Lang) -> String {
    match (waiting, lang == Lang::Fr) {
        (Some(n), false) => format!(
            "Offline: could not reach your organization's server. Nothing is lost: {n} record(s) wait on this device and will be sent when there is a connection."
        ),
        (Some(n), true) => format!(
            "Hors ligne : le serveur de votre organisme est injoignable. Rien n'est perdu : {n} activité(s) attendent sur cet appareil et partiront dès qu'il y aura une connexion."
        ),
        (None, false) => "Offline: could not reach your organization's server. Nothing is lost: your records stay on this device and will be sent when there is a connection.".into(),
        (None, true) => "Hors ligne : le serveur de votre organisme est injoignable. Rien n'est perdu : vos activités restent sur cet appareil et partiront dès qu'il y aura une connexion.".into(),
    }
}

/// What is waiting and when it was last sent.
pub fn status(core: &Core, out: &Output) -> Result<(), Failure> {
    let s = core.sync_status()?;
    let aside = core.set_aside_versions()?.len();
    let mut v = json!(s);
    v["set_aside"] = json!(aside);
    out.print(
        v,
        format!(
            "{} waiting to send, {} need attention, {} set aside, last sent {}",
            s.waiting,
            s.needs_attention,
            aside,
            s.last_sent_at
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "never".into())
        ),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_has_its_code_and_words() {
        let sent = SyncReport {
            accepted: 3,
            already_had: 1,
            ..SyncReport::default()
        };
        let not_pulled = SyncReport {
            pull_error: Some("offline".into()),
            ..sent.clone()
        };
        let no_lists = SyncReport {
            catalogue_error: Some("server".into()),
            ..sent.clone()
        };
        let attention = SyncReport {
            rejected: 2,
            pull_error: Some("offline".into()),
            ..sent.clone()
        };
        let lost = SyncReport {
            conflicts: 1,
            superseded: 2,
            ..sent.clone()
        };
        let cases = [
            (&sent, Code::Ok, "Up to date."),
            (
                &not_pulled,
                Code::SentNotPulled,
                "could not be fetched (the connection was lost)",
            ),
            (
                &no_lists,
                Code::SentNotPulled,
                "lists (kinds, items, areas) could not be updated",
            ),
            (&attention, Code::NeedsAttention, "2 need attention: see"),
            (
                &lost,
                Code::NeedsAttention,
                "2 of your changes were replaced by a newer change",
            ),
            (&lost, Code::NeedsAttention, "1 conflict with another copy"),
            (
                &lost,
                Code::NeedsAttention,
                "then shiftlog keep ID to keep yours",
            ),
        ];
        for (r, code, said) in cases {
            let text = words(r, Lang::En).join("\n");
            assert_eq!(code_of(r), code, "{text}");
            assert!(text.starts_with("Sent 3 new, 1 already there."), "{text}");
            assert!(text.contains(said), "{text}");
            assert_eq!(text.contains("Up to date"), code == Code::Ok, "{text}");
            assert!(!text.contains("Offline"), "{text}");
        }
        assert!(words(&attention, Lang::Fr)
            .join("\n")
            .contains("n'ont pas pu être récupérées"));
        assert!(words(&lost, Lang::Fr)
            .join("\n")
            .contains("shiftlog let-go ID pour la laisser"));
        assert!(offline(Some(4), Lang::En).contains("Nothing is lost: 4 record(s) wait"));
    }

    #[test]
    fn new_messages_are_pointed_at_and_a_failed_fetch_of_them_is_told_but_not_an_error() {
        let r = SyncReport {
            messages_new: 2,
            ..SyncReport::default()
        };
        let text = words(&r, Lang::En).join("\n");
        assert!(text.contains("2 new message(s) from your organization: see shiftlog messages."));
        assert!(words(&r, Lang::Fr)
            .join("\n")
            .contains("voyez shiftlog messages"));
        let failed = SyncReport {
            messages_error: Some("offline".into()),
            ..SyncReport::default()
        };
        assert_eq!(code_of(&failed), Code::Ok);
        let text = words(&failed, Lang::En).join("\n");
        assert!(
            text.contains(
                "Messages from your organization could not be fetched (the connection was lost)"
            ),
            "{text}"
        );
    }
}
