//! Why a record is refused: a typed error with a stable code and a sentence a worker can act
//! on, in English and French. The device shows it when the worker saves; the server sends it
//! back per record in the language the push asked for.

/// A language the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// Parses `en`, `fr`, `fr-CA`, …; anything else is English.
    pub fn parse(s: &str) -> Lang {
        if s.to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }
}

/// Input that breaks a rule. Nothing is stored when one is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    /// A supplies record needs at least one item line.
    #[error("add at least one item")]
    NoItems,
    /// Unknown supply item for this organization.
    #[error("unknown item {0}")]
    UnknownItem(String),
    /// A replacement reason on an item that is not a naloxone kit.
    #[error("{0} is not a naloxone kit: no replacement reason")]
    NotAKit(String),
    /// More kits said to replace others than were handed out.
    #[error("more {0} replaced than handed out")]
    ReplacedMoreThanGiven(String),
    /// Unknown activity kind, or not enabled for this organization.
    #[error("unknown kind {0}")]
    UnknownKind(String),
    /// Unknown area.
    #[error("unknown area {0}")]
    UnknownArea(String),
    /// Unknown role.
    #[error("unknown role {0}")]
    UnknownRole(String),
    /// A number out of range.
    #[error("{field} {got} is outside {min}..={max}")]
    OutOfRange {
        /// Field id.
        field: String,
        /// What was given.
        got: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A required field is missing.
    #[error("{0} is required")]
    Required(String),
    /// A text or list is too long.
    #[error("{0} is too long")]
    TooLong(String),
    /// The details could not be read.
    #[error("malformed details: {0}")]
    Malformed(String),
    /// The time is too far in the future.
    #[error("time is in the future")]
    InFuture,
    /// The time is before the year 2000.
    #[error("time is too far in the past")]
    TooOld,
    /// Unknown organization.
    #[error("unknown organization {0}")]
    UnknownOrganization(String),
    /// A note is too long.
    #[error("note is too long")]
    NoteTooLong,
    /// A shift is already open for this organization.
    #[error("a shift is already open")]
    ShiftAlreadyOpen,
    /// No open shift to end.
    #[error("no open shift")]
    NoOpenShift,
    /// End before start, or longer than allowed.
    #[error("shift times do not make sense")]
    ShiftTimes,
    /// No such record.
    #[error("record {0} not found")]
    NotFound(String),
    /// Leaving would strand records that were never sent.
    #[error("{0} records not sent")]
    UnsentRecords(u32),
    /// The PIN is too short or not digits.
    #[error("PIN must be 6 to 12 digits")]
    BadPin,
    /// A text holds a control character (NUL, a terminal escape, a direction override).
    #[error("{0} holds a control character")]
    ControlCharacter(String),
    /// A body field this protocol does not define (the server accepts only what it knows).
    #[error("unknown field {0}")]
    UnknownField(String),
    /// A record type the protocol does not define.
    #[error("unknown record type {0}")]
    UnknownRecordType(String),
    /// A record id that is not a UUIDv7 made by a device.
    #[error("id {0} is not a UUIDv7")]
    BadId(String),
    /// A version number of 0 or past the limit.
    #[error("version {0} is out of range")]
    BadVersion(u32),
    /// A hybrid logical clock value that cannot be read.
    #[error("clock {0} is malformed")]
    BadClock(String),
    /// A clock value more than a day ahead of the server's.
    #[error("clock is ahead")]
    ClockAhead,
    /// A deleted record or a debrief request carried details.
    #[error("this record carries no details")]
    UnexpectedDetails,
    /// A currency that is not three capital letters.
    #[error("unknown currency {0}")]
    BadCurrency(String),
    /// Sharing with an organization kept on this device only.
    #[error("no server to share with")]
    NoServer,
    /// An aggregate entry's period that does not make sense.
    #[error("bad period: {0}")]
    BadPeriod(String),
}

/// A field's name for a worker.
fn field_label(field: &str, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let (en, fr_label) = match field {
        "quantity" => ("The quantity", "La quantité"),
        "minutes" => ("Minutes", "Les minutes"),
        "travel_minutes" => ("Travel time", "Le temps de déplacement"),
        "people_reached" => ("People reached", "Le nombre de personnes rejointes"),
        "naloxone_doses" => ("Naloxone doses", "Le nombre de doses de naloxone"),
        "out_of_pocket_cents" => ("Out-of-pocket cost", "Les frais payés"),
        "barriers" => ("The list of barriers", "La liste d'obstacles"),
        "referral" => ("The referral", "La référence"),
        "topic" => ("The topic", "Le sujet"),
        "items" => ("The list of items", "La liste d'articles"),
        "note" => ("The note", "La note"),
        "follow_up_date" => ("The follow-up date", "La date de suivi"),
        "amount_cents" => ("The amount", "Le montant"),
        "shift_ids" => ("The list of shifts", "La liste de quarts"),
        // A name the model does not know (an organization's own field): echoed like any
        // other value, without control characters and cut short.
        other => return show(other),
    };
    if fr { fr_label } else { en }.to_string()
}

/// A value echoed back in a reason: cut short and stripped of control characters, so a hostile
/// value cannot make a reason long or put an escape sequence on a screen.
fn show(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && !crate::check::is_direction_override(*c))
        .take(40)
        .collect()
}

impl ValidationError {
    /// A stable code for programs (the server's `reason_code`).
    pub fn code(&self) -> &'static str {
        use ValidationError::*;
        match self {
            NoItems => "no_items",
            UnknownItem(_) => "unknown_item",
            NotAKit(_) => "not_a_kit",
            ReplacedMoreThanGiven(_) => "replaced_more_than_given",
            UnknownKind(_) => "unknown_kind",
            UnknownArea(_) => "unknown_area",
            UnknownRole(_) => "unknown_role",
            OutOfRange { .. } => "out_of_range",
            Required(_) => "required",
            TooLong(_) => "too_long",
            Malformed(_) => "malformed",
            InFuture => "in_future",
            TooOld => "too_old",
            UnknownOrganization(_) => "unknown_organization",
            NoteTooLong => "note_too_long",
            ShiftAlreadyOpen => "shift_already_open",
            NoOpenShift => "no_open_shift",
            ShiftTimes => "shift_times",
            NotFound(_) => "not_found",
            UnsentRecords(_) => "unsent_records",
            BadPin => "bad_pin",
            ControlCharacter(_) => "control_character",
            UnknownField(_) => "unknown_field",
            UnknownRecordType(_) => "unknown_record_type",
            BadId(_) => "bad_id",
            BadVersion(_) => "bad_version",
            BadClock(_) => "bad_clock",
            ClockAhead => "clock_ahead",
            UnexpectedDetails => "unexpected_details",
            BadCurrency(_) => "bad_currency",
            NoServer => "no_server",
            BadPeriod(_) => "bad_period",
        }
    }

    /// A sentence the worker can act on.
    pub fn message(&self, lang: Lang) -> String {
        use ValidationError::*;
        let fr = lang == Lang::Fr;
        match self {
            NoItems if fr => "Ajoutez au moins un article et la quantité.".into(),
            NoItems => "Add at least one item and how many.".into(),
            UnknownItem(i) if fr => format!("\u{ab} {} \u{bb} n'est pas dans la liste d'articles de votre organisme. Choisissez-en un dans la liste.", show(i)),
            UnknownItem(i) => format!("\u{201c}{}\u{201d} is not on your organization's list of items. Pick one from the list.", show(i)),
            NotAKit(i) if fr => format!("Seule une trousse de naloxone peut en remplacer une autre; \u{ab} {} \u{bb} n'en est pas une.", show(i)),
            NotAKit(i) => format!("Only a naloxone kit can replace another; \u{201c}{}\u{201d} is not one.", show(i)),
            ReplacedMoreThanGiven(i) if fr => format!("Plus de \u{ab} {} \u{bb} remplacées que remises. Corrigez les quantités.", show(i)),
            ReplacedMoreThanGiven(i) => format!("More \u{201c}{}\u{201d} replaced than handed out. Fix the numbers.", show(i)),
            UnknownKind(k) if fr => format!("\u{ab} {} \u{bb} n'est pas un type d'activité de votre organisme.", show(k)),
            UnknownKind(k) => format!("\u{201c}{}\u{201d} is not one of your organization's activity types.", show(k)),
            UnknownArea(a) if fr => format!("Le secteur \u{ab} {} \u{bb} n'est plus dans la liste de votre organisme. Choisissez un autre secteur et renvoyez l'enregistrement.", show(a)),
            UnknownArea(a) => format!("The area \u{201c}{}\u{201d} is no longer on your organization's list. Pick another area and send it again.", show(a)),
            UnknownRole(r) if fr => format!("\u{ab} {} \u{bb} n'est pas un rôle de votre organisme.", show(r)),
            UnknownRole(r) => format!("\u{201c}{}\u{201d} is not one of your organization's roles.", show(r)),
            OutOfRange { field, min, max, .. } if field == "amount_cents" && fr => format!(
                "Le montant doit être de {} $ à {} $.",
                crate::body::format_cents(*min).replace('.', ","),
                crate::body::format_cents(*max).replace('.', ",")
            ),
            OutOfRange { field, min, max, .. } if field == "amount_cents" => format!(
                "The amount must be from ${} to ${}.",
                crate::body::format_cents(*min),
                crate::body::format_cents(*max)
            ),
            OutOfRange { field, min, max, .. } if fr => {
                format!("{} doit être un nombre de {min} à {max}.", field_label(field, lang))
            }
            OutOfRange { field, min, max, .. } => {
                format!("{} must be a number from {min} to {max}.", field_label(field, lang))
            }
            Required(f) if fr => format!("{} est requis.", field_label(f, lang)),
            Required(f) => format!("{} is needed.", field_label(f, lang)),
            TooLong(f) if fr => format!("{} est trop long. Raccourcissez-le.", field_label(f, lang)),
            TooLong(f) => format!("{} is too long. Make it shorter.", field_label(f, lang)),
            Malformed(why) if fr => format!("Certains détails ne sont pas valides ({}). Vérifiez et réessayez.", show(why)),
            Malformed(why) => format!("Some details are not valid ({}). Check them and try again.", show(why)),
            InFuture if fr => "L'heure est dans le futur. Vérifiez l'heure et la date de l'appareil, puis réessayez.".into(),
            InFuture => "The time is in the future. Check the time and the date on this device, then try again.".into(),
            TooOld if fr => "La date est avant l'an 2000. Vérifiez la date et réessayez.".into(),
            TooOld => "The date is before the year 2000. Check the date and try again.".into(),
            UnknownOrganization(_) if fr => "Choisissez un de vos organismes, ou joignez-en un d'abord.".into(),
            UnknownOrganization(_) => "Pick one of your organizations, or join one first.".into(),
            NoteTooLong if fr => "La note est trop longue (280 caractères au plus). Restez bref, et sans noms.".into(),
            NoteTooLong => "The note is too long (280 characters at most). Keep it short, and no names.".into(),
            ShiftAlreadyOpen if fr => "Un quart est déjà commencé pour cet organisme. Terminez-le d'abord.".into(),
            ShiftAlreadyOpen => "A shift is already started for this organization. End it first.".into(),
            NoOpenShift if fr => "Aucun quart n'est commencé pour cet organisme.".into(),
            NoOpenShift => "There is no started shift for this organization.".into(),
            ShiftTimes if fr => "La fin du quart doit suivre le début, et un quart dure au plus 36 heures.".into(),
            ShiftTimes => "A shift must end after it starts, and last 36 hours at most.".into(),
            NotFound(_) if fr => "Cet enregistrement n'existe plus sur cet appareil.".into(),
            NotFound(_) => "That record is no longer on this device.".into(),
            UnsentRecords(n) if fr => format!("{n} activité(s) n'ont pas encore été envoyées à cet organisme. Envoyez-les d'abord, ou quittez quand même : elles resteront sur cet appareil seulement."),
            UnsentRecords(n) => format!("{n} record(s) have not been sent to this organization yet. Send them first, or leave anyway: they will stay on this device only."),
            BadPin if fr => "Le NIP doit compter de 6 à 12 chiffres.".into(),
            BadPin => "The PIN must be 6 to 12 digits.".into(),
            ControlCharacter(f) if fr => format!("{} contient un caractère invisible ou de contrôle. Retapez-le et réessayez.", field_label(f, lang)),
            ControlCharacter(f) => format!("{} holds an invisible or control character. Type it again and retry.", field_label(f, lang)),
            UnknownField(f) if fr => format!("Ce serveur ne connaît pas le détail \u{ab} {} \u{bb}. L'enregistrement reste sur l'appareil ; il sera envoyé quand le serveur de l'organisme sera mis à jour.", show(f)),
            UnknownField(f) => format!("This server does not know the detail \u{201c}{}\u{201d}. The record stays on this device; it will be sent once your organization's server is updated.", show(f)),
            UnknownRecordType(t) if fr => format!("Ce serveur ne connaît pas le type d'enregistrement \u{ab} {} \u{bb}. L'enregistrement reste sur l'appareil jusqu'à la mise à jour du serveur.", show(t)),
            UnknownRecordType(t) => format!("This server does not know the record type \u{201c}{}\u{201d}. The record stays on this device until the server is updated.", show(t)),
            BadId(_) if fr => "L'identifiant de cet enregistrement n'a pas été créé par l'appli. Enregistrez l'activité de nouveau.".into(),
            BadId(_) => "This record's id was not made by the app. Log the activity again.".into(),
            BadVersion(_) if fr => "Le numéro de version de cet enregistrement n'est pas valide. Modifiez-le et réessayez.".into(),
            BadVersion(_) => "This record's version number is not valid. Edit it and send it again.".into(),
            BadClock(_) if fr => "L'horloge de cet appareil a donné une valeur illisible. Vérifiez la date et l'heure de l'appareil, puis modifiez l'enregistrement.".into(),
            BadClock(_) => "This device's clock gave a value that cannot be read. Check the device's date and time, then edit the record.".into(),
            ClockAhead if fr => "L'horloge de cet appareil est en avance de plus d'un jour. Corrigez la date et l'heure de l'appareil, puis ouvrez l'enregistrement et enregistrez-le de nouveau.".into(),
            ClockAhead => "This device's clock is more than a day ahead. Fix the device's date and time, then open the record and save it again.".into(),
            UnexpectedDetails if fr => "Cet enregistrement ne doit contenir aucun détail.".into(),
            UnexpectedDetails => "This record must carry no details.".into(),
            BadCurrency(c) if fr => format!("\u{ab} {} \u{bb} n'est pas une devise. Écrivez trois lettres, comme CAD.", show(c)),
            BadCurrency(c) => format!("\u{201c}{}\u{201d} is not a currency. Write three letters, like CAD.", show(c)),
            NoServer if fr => "Cet organisme est gardé sur cet appareil seulement : il n'y a personne avec qui partager.".into(),
            NoServer => "This organization is kept on this device only: there is no one to share with.".into(),
            BadPeriod(_) if fr => "La période doit finir après son début, au plus tard aujourd'hui, et durer au plus 92 jours (un trimestre).".into(),
            BadPeriod(_) => "The period must end after it starts, no later than today, and last 92 days at most (a quarter).".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `messages` fuzz target: an unknown field name was echoed verbatim.
    #[test]
    fn no_message_echoes_a_control_character() {
        let nasty = "\0\u{1b}[2J\u{202e}x".to_string();
        for e in [
            ValidationError::Required(nasty.clone()),
            ValidationError::TooLong(nasty.clone()),
            ValidationError::ControlCharacter(nasty.clone()),
            ValidationError::OutOfRange {
                field: nasty.clone(),
                got: 1,
                min: 0,
                max: 0,
            },
            ValidationError::UnknownField(nasty.clone()),
        ] {
            for lang in [Lang::En, Lang::Fr] {
                let m = e.message(lang);
                assert!(
                    !m.chars()
                        .any(|c| c.is_control() || crate::check::is_direction_override(c)),
                    "{m:?}"
                );
            }
        }
    }
}
