//! Versions set aside: a change the worker saved that lost to another (a newer change from
//! another of their devices, or another change at the same version). `list --needs-attention`
//! shows them; `keep` saves the worker's version again so that it wins, `let-go` leaves the
//! record as the other change made it. The rules are the core's (`shiftlog_core::conflicts`).

use serde_json::{json, Value};
use shiftlog_core::conflicts::{SetAside, SetAsideStatus};
use shiftlog_core::{Core, Lang};
use uuid::Uuid;

use crate::exit::{Code, Failure};
use crate::output::Output;

/// Why a version was set aside, in the worker's language.
pub fn why(status: SetAsideStatus, lang: Lang) -> &'static str {
    match (status, lang == Lang::Fr) {
        (SetAsideStatus::Superseded, false) => {
            "a newer change to this record, made on another of your devices, was kept instead"
        }
        (SetAsideStatus::Superseded, true) => {
            "une modification plus récente de cette activité, faite sur un autre de vos appareils, a été gardée à la place"
        }
        (SetAsideStatus::Conflict, false) => {
            "another change was saved at the same version of this record and was kept instead"
        }
        (SetAsideStatus::Conflict, true) => {
            "une autre modification a été enregistrée à la même version de cette activité et a été gardée à la place"
        }
    }
}

/// What to do about them, in the worker's language.
pub fn what_next(lang: Lang) -> &'static str {
    if lang == Lang::Fr {
        "Gardez la vôtre avec shiftlog keep ID, ou laissez-la avec shiftlog let-go ID."
    } else {
        "Keep yours with shiftlog keep ID, or let it go with shiftlog let-go ID."
    }
}

/// One entry as JSON: the core's fields and the reason in the worker's language (`why`).
pub fn to_json(e: &SetAside, lang: Lang) -> Value {
    let mut v = json!(e);
    v["why"] = json!(why(e.status, lang));
    v
}

/// One entry on one line: id, record, time, kind, the worker's values, version, and why.
pub fn describe(e: &SetAside, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let values = if e.deleted {
        if fr { "(supprimée)" } else { "(deleted)" }.to_string()
    } else {
        filled(&e.body).to_string()
    };
    format!(
        "{}  {} {}  {}  {}  {}  {}  v{}  [{}]",
        e.id,
        if fr { "activité" } else { "record" },
        e.record_id,
        e.occurred_at.format("%Y-%m-%d %H:%M"),
        e.org_id,
        e.kind,
        values,
        e.version,
        why(e.status, lang)
    )
}

/// A body without its empty (null) fields: the values the worker gave.
fn filled(body: &Value) -> Value {
    match body {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The lines `list --needs-attention` prints for the entries, after the refused records.
pub fn lines(list: &[SetAside], lang: Lang) -> Vec<String> {
    if list.is_empty() {
        return Vec::new();
    }
    let head = if lang == Lang::Fr {
        format!(
            "Mises de côté ({}) : vos versions qu'une autre modification a remplacées. {}",
            list.len(),
            what_next(lang)
        )
    } else {
        format!(
            "Set aside ({}): versions of yours that another change replaced. {}",
            list.len(),
            what_next(lang)
        )
    };
    std::iter::once(head)
        .chain(list.iter().map(|e| describe(e, lang)))
        .collect()
}

/// The entry `id`, or words that say there is none.
fn entry(core: &Core, id: Uuid, lang: Lang) -> Result<SetAside, Failure> {
    core.set_aside_versions()?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| {
            Failure::Said(
                if lang == Lang::Fr {
                    format!("Aucune version mise de côté n'a l'identifiant {id}. Voyez shiftlog list --needs-attention.")
                } else {
                    format!("No version set aside has the id {id}. See shiftlog list --needs-attention.")
                },
                Code::Invalid,
            )
        })
}

/// `shiftlog keep`: the worker's version becomes the record again, as a new version that is
/// sent with the next sync and wins on the server and the worker's other devices.
pub fn keep(core: &Core, out: &Output, id: Uuid) -> Result<(), Failure> {
    let e = entry(core, id, out.lang)?;
    core.keep_set_aside(id)?;
    let fr = out.lang == Lang::Fr;
    match core.get_record(e.record_id).ok() {
        Some(r) => out.print(
            json!({"kept": id, "record": r}),
            if fr {
                format!(
                    "Votre version est gardée : l'activité {} passe à la version {} et partira au prochain shiftlog sync.",
                    r.id, r.version
                )
            } else {
                format!(
                    "Kept your version: record {} is now version {} and will be sent with the next shiftlog sync.",
                    r.id, r.version
                )
            },
        ),
        // The worker's version was a deletion: the record is gone here.
        None => out.print(
            json!({"kept": id, "record": null, "deleted": e.record_id}),
            if fr {
                format!("Votre version est gardée : l'activité {} est supprimée ; la suppression partira au prochain shiftlog sync.", e.record_id)
            } else {
                format!("Kept your version: record {} is deleted; the deletion will be sent with the next shiftlog sync.", e.record_id)
            },
        ),
    }
    Ok(())
}

/// `shiftlog let-go`: the record stays as the other change left it; the entry goes.
pub fn let_go(core: &Core, out: &Output, id: Uuid) -> Result<(), Failure> {
    let e = entry(core, id, out.lang)?;
    core.dismiss_set_aside(id)?;
    out.print(
        json!({"let_go": id, "record_id": e.record_id}),
        if out.lang == Lang::Fr {
            format!(
                "Votre version est laissée : l'activité {} reste comme l'autre modification l'a faite.",
                e.record_id
            )
        } else {
            format!(
                "Let go of your version: record {} stays as the other change left it.",
                e.record_id
            )
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_has_words_in_both_languages() {
        for s in [SetAsideStatus::Superseded, SetAsideStatus::Conflict] {
            assert_ne!(why(s, Lang::En), why(s, Lang::Fr));
        }
        assert_ne!(
            why(SetAsideStatus::Superseded, Lang::En),
            why(SetAsideStatus::Conflict, Lang::En)
        );
        assert!(lines(&[], Lang::En).is_empty());
        assert_eq!(
            filled(&json!({"items": [{"item": "x", "quantity": 2}], "note": null})),
            json!({"items": [{"item": "x", "quantity": 2}]})
        );
    }
}
