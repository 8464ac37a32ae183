//! Headings of the record-level workbook, in English and French, for a coordinator. The
//! fields themselves (which ones a kind has, their types and choices) come from the record
//! model's kind definitions; an organization's own fields carry their own labels. Only the
//! words for built-in field ids live here, as the app keeps its own for its forms.

use shiftlog_model::Lang;

/// The heading of a fixed column or of a built-in field, if it has one.
pub(super) fn heading(id: &str, lang: Lang) -> Option<&'static str> {
    let (en, fr) = match id {
        "id" => ("Record id", "Identifiant"),
        "record_type" => ("Record type", "Type"),
        "kind" => ("Kind", "Genre d\u{2019}activité"),
        "occurred_at" => ("When (local time)", "Quand (heure locale)"),
        "recorded_at" => ("Written on the device", "Écrit sur l\u{2019}appareil"),
        "received_at" => ("Received (UTC)", "Reçu (UTC)"),
        "version" => ("Version", "Version"),
        "device" => ("Device", "Appareil"),
        "worker" => ("Worker", "Intervenant·e"),
        "area" => ("Area", "Secteur"),
        "role" => ("Role", "Rôle"),
        "ended_at" => ("Shift ended (local time)", "Fin du quart (heure locale)"),
        "other_items" => ("Other supplies", "Autre matériel"),
        "people_reached" => ("People reached", "Personnes rejointes"),
        "minutes" => ("Minutes", "Minutes"),
        "on_shift" => ("On shift", "Pendant le quart"),
        "note" => ("Note", "Note"),
        "naloxone.doses" => ("Naloxone doses", "Doses de naloxone"),
        "naloxone.route" => ("Naloxone route", "Voie de la naloxone"),
        "called_911" => ("911 called", "911 appelé"),
        "outcome" => ("Outcome", "Issue"),
        "ems_arrived" => ("EMS arrived", "Ambulanciers arrivés"),
        "rescue_breathing" => ("Rescue breathing", "Respiration artificielle"),
        "oxygen" => ("Oxygen", "Oxygène"),
        "recovery_position" => ("Recovery position", "Position latérale de sécurité"),
        "stayed_until_recovery_or_ems" => (
            "Stayed until recovery or EMS",
            "Resté·e jusqu\u{2019}au rétablissement ou aux ambulanciers",
        ),
        "kit_replaced" => ("Kit replaced", "Trousse remplacée"),
        "task" => ("Task", "Démarche"),
        "contact_type" => ("Contact type", "Type de contact"),
        "travel_minutes" => ("Travel minutes", "Minutes de déplacement"),
        "referral.destination" => ("Referred to", "Orienté·e vers"),
        "referral.type" => ("Referral type", "Type d\u{2019}orientation"),
        "barriers" => ("Barriers addressed", "Obstacles levés"),
        "follow_up_date" => ("Follow-up date", "Date de suivi"),
        "out_of_pocket_cents" => ("Out-of-pocket costs", "Frais payés de sa poche"),
        "pay_type" => ("Pay type", "Rémunération"),
        "topic" => ("Training topic", "Sujet de la formation"),
        "status" => ("Training status", "État de la formation"),
        _ => return None,
    };
    Some(match lang {
        Lang::En => en,
        Lang::Fr => fr,
    })
}

/// "Supplies: Naloxone kit": the heading of one item's quantity column.
pub(super) fn item_heading(label: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Supplies: {label}"),
        Lang::Fr => format!("Matériel : {label}"),
    }
}

/// "Brought back: Syringes": the heading of one item's returned quantity column.
pub(super) fn returned_heading(label: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Brought back: {label}"),
        Lang::Fr => format!("Rapporté : {label}"),
    }
}

/// The heading of the column of naloxone kits that replace one for a reason (its words).
pub(super) fn replaced_heading(reason: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Naloxone kits replacing one: {reason}"),
        Lang::Fr => format!("Trousses de naloxone en remplacement : {reason}"),
    }
}
