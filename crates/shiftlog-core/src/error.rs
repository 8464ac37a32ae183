//! Typed errors of the core, each with a stable code for the shells and a message a worker
//! can act on, in English and French.

use std::path::PathBuf;

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
    #[error("PIN must be 4 to 12 digits")]
    BadPin,
}

/// A field's name for a worker.
fn field_label(field: &str, lang: Lang) -> &str {
    let fr = lang == Lang::Fr;
    match field {
        "quantity" => {
            if fr {
                "La quantité"
            } else {
                "The quantity"
            }
        }
        "minutes" => {
            if fr {
                "Les minutes"
            } else {
                "Minutes"
            }
        }
        "travel_minutes" => {
            if fr {
                "Le temps de déplacement"
            } else {
                "Travel time"
            }
        }
        "people_reached" => {
            if fr {
                "Le nombre de personnes rejointes"
            } else {
                "People reached"
            }
        }
        "naloxone_doses" => {
            if fr {
                "Le nombre de doses de naloxone"
            } else {
                "Naloxone doses"
            }
        }
        "out_of_pocket_cents" => {
            if fr {
                "Les frais payés"
            } else {
                "Out-of-pocket cost"
            }
        }
        "barriers" => {
            if fr {
                "La liste d'obstacles"
            } else {
                "The list of barriers"
            }
        }
        "referral" => {
            if fr {
                "La référence"
            } else {
                "The referral"
            }
        }
        "topic" => {
            if fr {
                "Le sujet"
            } else {
                "The topic"
            }
        }
        other => other,
    }
}

impl ValidationError {
    /// A sentence the worker can act on.
    pub fn message(&self, lang: Lang) -> String {
        use ValidationError::*;
        let fr = lang == Lang::Fr;
        match self {
            NoItems if fr => "Ajoutez au moins un article et la quantité.".into(),
            NoItems => "Add at least one item and how many.".into(),
            UnknownItem(i) if fr => format!("\u{ab} {i} \u{bb} n'est pas dans la liste d'articles de votre organisme. Choisissez-en un dans la liste."),
            UnknownItem(i) => format!("\u{201c}{i}\u{201d} is not on your organization's list of items. Pick one from the list."),
            UnknownKind(k) if fr => format!("\u{ab} {k} \u{bb} n'est pas un type d'activité de votre organisme."),
            UnknownKind(k) => format!("\u{201c}{k}\u{201d} is not one of your organization's activity types."),
            UnknownArea(a) if fr => format!("\u{ab} {a} \u{bb} n'est pas dans la liste de secteurs. Choisissez-en un dans la liste."),
            UnknownArea(a) => format!("\u{201c}{a}\u{201d} is not on the list of areas. Pick one from the list."),
            UnknownRole(r) if fr => format!("\u{ab} {r} \u{bb} n'est pas un rôle de votre organisme."),
            UnknownRole(r) => format!("\u{201c}{r}\u{201d} is not one of your organization's roles."),
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
            Malformed(why) if fr => format!("Certains détails ne sont pas valides ({why}). Vérifiez et réessayez."),
            Malformed(why) => format!("Some details are not valid ({why}). Check them and try again."),
            InFuture if fr => "L'heure est dans le futur. Vérifiez l'heure et réessayez.".into(),
            InFuture => "The time is in the future. Check the time and try again.".into(),
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
            BadPin if fr => "Le NIP doit compter de 4 à 12 chiffres.".into(),
            BadPin => "The PIN must be 4 to 12 digits.".into(),
        }
    }
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The input breaks a rule; nothing was stored.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationError),
    /// SQLite failed.
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What the core was doing.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database file could not be read; it was moved aside, not deleted.
    #[error("the database at {path} could not be read and was moved to {moved_to}")]
    DatabaseUnreadable {
        /// Where it was.
        path: PathBuf,
        /// Where it is now.
        moved_to: PathBuf,
    },
    /// The database was written by a newer shiftlog.
    #[error("database schema {found} is newer than this app ({supported})")]
    DatabaseTooNew {
        /// Version in the file.
        found: u32,
        /// Highest version this build knows.
        supported: u32,
    },
    /// The PIN does not open this profile.
    #[error("wrong PIN")]
    WrongPin,
    /// This profile is opened with a PIN, not a keystore key.
    #[error("PIN needed")]
    PinNeeded,
    /// No OS keystore answered.
    #[error("keystore unavailable: {0}")]
    KeystoreUnavailable(String),
    /// `key.json` is unreadable.
    #[error("key file: {0}")]
    KeyFile(String),
    /// The device has not joined any organization with a server.
    #[error("not enrolled")]
    NotEnrolled,
    /// The server address is not acceptable.
    #[error("bad server address: {0}")]
    BadServerUrl(String),
    /// The server could not be reached; try again later.
    #[error("network: {0}")]
    Network(String),
    /// The server answered with an error.
    #[error("server said {code}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Stable code from the server's JSON body.
        code: String,
        /// The server's message.
        message: String,
    },
    /// The organization removed this device.
    #[error("device removed by organization")]
    DeviceRevoked,
    /// Client and server share no protocol version.
    #[error("no common protocol version")]
    UnsupportedProtocol,
}

impl From<reqwest::Error> for CoreError {
    fn from(e: reqwest::Error) -> Self {
        CoreError::Network(e.to_string())
    }
}

impl CoreError {
    /// A stable code for shells (Tauri command results, CLI exit mapping).
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Invalid(_) => "invalid",
            CoreError::Storage(_) | CoreError::Io { .. } => "storage",
            CoreError::DatabaseUnreadable { .. } => "database_unreadable",
            CoreError::DatabaseTooNew { .. } => "database_too_new",
            CoreError::WrongPin => "wrong_pin",
            CoreError::PinNeeded => "pin_needed",
            CoreError::KeyFile(_) => "key_file",
            CoreError::KeystoreUnavailable(_) => "keystore_unavailable",
            CoreError::NotEnrolled => "not_enrolled",
            CoreError::BadServerUrl(_) => "bad_server_url",
            CoreError::Network(_) => "offline",
            CoreError::Server { .. } => "server",
            CoreError::DeviceRevoked => "device_revoked",
            CoreError::UnsupportedProtocol => "update_needed",
        }
    }

    /// True when retrying later cannot help without someone changing something.
    pub fn is_permanent(&self) -> bool {
        match self {
            CoreError::Network(_) => false,
            CoreError::Server { status, .. } => *status < 500 && *status != 429,
            _ => true,
        }
    }

    /// A message a worker can act on.
    pub fn message(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        match self {
            CoreError::Invalid(v) => v.message(lang),
            CoreError::Storage(e) if fr => format!("Impossible d'enregistrer sur cet appareil ({e}). Rien n'a été perdu ; réessayez."),
            CoreError::Storage(e) => format!("Could not save on this device ({e}). Nothing was lost; try again."),
            CoreError::Io { what, source } => format!("{what}: {source}"),
            CoreError::DatabaseUnreadable { moved_to, .. } if fr => format!(
                "Vos données n'ont pas pu être lues. Le fichier a été mis de côté, pas supprimé : {}. Contactez votre coordonnateur·rice.",
                moved_to.display()
            ),
            CoreError::DatabaseUnreadable { moved_to, .. } => format!(
                "Your saved data could not be read. The file was kept, not deleted: {}. Ask your coordinator for help.",
                moved_to.display()
            ),
            CoreError::DatabaseTooNew { .. } if fr => "Ces données viennent d'une version plus récente de shiftlog. Mettez l'application à jour.".into(),
            CoreError::DatabaseTooNew { .. } => "This data was saved by a newer shiftlog. Update the app.".into(),
            CoreError::WrongPin if fr => "Ce NIP n'ouvre pas vos données. Réessayez. Rien n'a été modifié.".into(),
            CoreError::WrongPin => "That PIN does not open your data. Try again. Nothing was changed.".into(),
            CoreError::PinNeeded if fr => "Entrez votre NIP pour ouvrir vos données.".into(),
            CoreError::PinNeeded => "Enter your PIN to open your data.".into(),
            CoreError::KeystoreUnavailable(_) if fr => "Le trousseau de cet appareil ne répond pas. Utilisez un NIP.".into(),
            CoreError::KeystoreUnavailable(_) => "This device's keystore is not answering. Use a PIN instead.".into(),
            CoreError::KeyFile(why) if fr => format!("Le fichier de clé est illisible ({why}). Vos données n'ont pas été touchées ; demandez de l'aide à votre coordonnateur·rice."),
            CoreError::KeyFile(why) => format!("The key file could not be read ({why}). Your data was not touched; ask your coordinator for help."),
            CoreError::NotEnrolled if fr => "Joignez un organisme avec le code de votre coordonnateur·rice pour envoyer vos activités.".into(),
            CoreError::NotEnrolled => "Join an organization with the code from your coordinator to send your records.".into(),
            CoreError::BadServerUrl(why) if fr => format!("Adresse du serveur invalide : {why}"),
            CoreError::BadServerUrl(why) => format!("That server address won't work: {why}"),
            CoreError::Network(_) if fr => "Hors ligne. Vos activités sont en sécurité sur cet appareil et partiront dès qu'il y aura une connexion.".into(),
            CoreError::Network(_) => "Offline. Your records are safe on this device and will be sent when there is a connection.".into(),
            CoreError::Server { message, .. } => message.clone(),
            CoreError::DeviceRevoked if fr => "Cet appareil a été retiré par votre organisme. Vos activités restent ici. Demandez un nouveau code à votre coordonnateur·rice.".into(),
            CoreError::DeviceRevoked => "This device was removed by your organization. Your records stay here. Ask your coordinator for a new code.".into(),
            CoreError::UnsupportedProtocol if fr => "Le serveur de votre organisme demande une version plus récente. Mettez l'application à jour.".into(),
            CoreError::UnsupportedProtocol => "Your organization's server needs a newer version of the app. Update the app.".into(),
        }
    }
}
