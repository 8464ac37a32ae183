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
    /// Quantity out of range.
    #[error("quantity {got} is outside {min}..={max}")]
    QuantityOutOfRange {
        /// What was given.
        got: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// The time is too far in the future.
    #[error("occurred_at is in the future")]
    InFuture,
    /// Unknown organization.
    #[error("unknown organization {0}")]
    UnknownOrganization(String),
    /// A note is too long.
    #[error("note is too long")]
    NoteTooLong,
}

impl ValidationError {
    /// A sentence the worker can act on.
    pub fn message(&self, lang: Lang) -> String {
        use ValidationError::*;
        match (self, lang) {
            (NoItems, Lang::En) => "Add at least one item and how many.".into(),
            (NoItems, Lang::Fr) => "Ajoutez au moins un article et la quantité.".into(),
            (UnknownItem(i), Lang::En) => {
                format!("\u{201c}{i}\u{201d} is not on your organization's list of items. Pick one from the list.")
            }
            (UnknownItem(i), Lang::Fr) => {
                format!("\u{ab} {i} \u{bb} n'est pas dans la liste d'articles de votre organisme. Choisissez-en un dans la liste.")
            }
            (QuantityOutOfRange { min, max, .. }, Lang::En) => {
                format!("Enter a number from {min} to {max}.")
            }
            (QuantityOutOfRange { min, max, .. }, Lang::Fr) => {
                format!("Entrez un nombre de {min} à {max}.")
            }
            (InFuture, Lang::En) => {
                "The time is in the future. Check the time and try again.".into()
            }
            (InFuture, Lang::Fr) => {
                "L'heure est dans le futur. Vérifiez l'heure et réessayez.".into()
            }
            (UnknownOrganization(_), Lang::En) => {
                "Pick one of your organizations, or join one first.".into()
            }
            (UnknownOrganization(_), Lang::Fr) => {
                "Choisissez un de vos organismes, ou joignez-en un d'abord.".into()
            }
            (NoteTooLong, Lang::En) => "The note is too long. Keep it short, and no names.".into(),
            (NoteTooLong, Lang::Fr) => "La note est trop longue. Restez bref, et sans noms.".into(),
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
