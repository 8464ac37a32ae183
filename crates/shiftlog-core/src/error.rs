//! Typed errors of the core, each with a stable code for the shells and a message a worker
//! can act on, in English and French.

use std::path::PathBuf;

pub use shiftlog_model::error::{Lang, ValidationError};

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
    /// Too many wrong PINs in a row: no PIN is tried until the wait is over.
    #[error("too many wrong PINs; wait {wait_seconds} s")]
    TooManyTries {
        /// Seconds left before the next try.
        wait_seconds: u64,
    },
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
    /// The organization's certificate given on the join screen is not a PEM certificate.
    #[error("bad certificate: {0}")]
    BadCertificate(String),
    /// Joining reached the server, but its certificate is not one this device trusts.
    #[error("untrusted server certificate: {0}")]
    UntrustedCertificate(String),
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
    /// The server answered with a redirect; the client follows none, so nothing was sent on.
    #[error("the server redirected ({status}) to {location}; redirects are not followed")]
    Redirected {
        /// HTTP status (301, 302, 303, 307, 308).
        status: u16,
        /// Where it pointed (as sent, shortened), for whoever checks the server.
        location: String,
    },
    /// The server's answer was larger than this client reads for that request.
    #[error("the server's answer passed {limit_bytes} bytes")]
    ResponseTooLarge {
        /// The cap for that request.
        limit_bytes: usize,
    },
    /// The server's answer was well formed but holds something this client cannot use.
    #[error("unusable answer from the server: {0}")]
    BadResponse(String),
    /// No such message on this device (expired or withdrawn since it was shown).
    #[error("message {0} not found")]
    MessageNotFound(String),
    /// A work statement's period cannot be asked for.
    #[error("a statement covers 1 to {max_days} days, ending today or before")]
    StatementPeriod {
        /// The longest period.
        max_days: i64,
    },
    /// The organization's server does not sign work statements (an older server).
    #[error("{org}'s server does not sign work statements")]
    StatementsUnsupported {
        /// The organization's name.
        org: String,
    },
    /// A statement from the server failed its check; it was not kept.
    #[error("the statement from {org} failed its check: {reason}")]
    StatementRefused {
        /// The organization's name.
        org: String,
        /// Why.
        reason: shiftlog_statement::VerifyError,
    },
    /// No such statement on this device.
    #[error("statement {0} not found")]
    StatementNotFound(String),
}

impl From<reqwest::Error> for CoreError {
    /// With the causes (e.g. `invalid peer certificate: UnknownIssuer`), for logs. A failure
    /// whose cause is the server's certificate is [`CoreError::UntrustedCertificate`], not
    /// "offline": the worker can act on it (give the organization's certificate, or ask the
    /// coordinator), and waiting for a connection would never fix it.
    fn from(e: reqwest::Error) -> Self {
        let mut text = e.to_string();
        let mut certificate = false;
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            certificate |= is_certificate_failure(c);
            cause = c.source();
        }
        if certificate {
            CoreError::UntrustedCertificate(text)
        } else {
            CoreError::Network(text)
        }
    }
}

/// Whether `e` is rustls refusing the server's certificate. rustls' error sits inside an
/// `io::Error` (inside another one, as hyper-rustls passes it on), whose `source()` skips it,
/// so the `io::Error`s are opened to find it.
fn is_certificate_failure(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut e = e;
    for _ in 0..8 {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
            );
        }
        match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => e = inner,
            None => return false,
        }
    }
    false
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
            CoreError::TooManyTries { .. } => "too_many_tries",
            CoreError::PinNeeded => "pin_needed",
            CoreError::KeyFile(_) => "key_file",
            CoreError::KeystoreUnavailable(_) => "keystore_unavailable",
            CoreError::NotEnrolled => "not_enrolled",
            CoreError::BadServerUrl(_) => "bad_server_url",
            CoreError::BadCertificate(_) => "bad_certificate",
            CoreError::UntrustedCertificate(_) => "untrusted_certificate",
            CoreError::Network(_) => "offline",
            CoreError::Server { .. } => "server",
            CoreError::DeviceRevoked => "device_revoked",
            CoreError::UnsupportedProtocol => "update_needed",
            CoreError::Redirected { .. } => "server_redirect",
            CoreError::ResponseTooLarge { .. } => "response_too_large",
            CoreError::BadResponse(_) => "bad_response",
            CoreError::MessageNotFound(_) => "message_not_found",
            CoreError::StatementPeriod { .. } => "statement_period",
            CoreError::StatementsUnsupported { .. } => "statements_unsupported",
            CoreError::StatementRefused { .. } => "statement_refused",
            CoreError::StatementNotFound(_) => "statement_not_found",
        }
    }

    /// True when retrying later cannot help without someone changing something.
    pub fn is_permanent(&self) -> bool {
        match self {
            CoreError::Network(_) | CoreError::TooManyTries { .. } => false,
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
            CoreError::TooManyTries { wait_seconds } if fr => format!("Trop de NIP erronés. Attendez {} avant de réessayer. Vos données sont en sécurité.", wait_words(*wait_seconds, lang)),
            CoreError::TooManyTries { wait_seconds } => format!("Too many wrong PINs. Wait {} before trying again. Your data is safe.", wait_words(*wait_seconds, lang)),
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
            CoreError::BadCertificate(why) if fr => format!("Ce n'est pas un certificat utilisable ({why}). Collez le texte qui commence par -----BEGIN CERTIFICATE----- ou choisissez le fichier .crt / .pem que l'organisme vous a donné."),
            CoreError::BadCertificate(why) => format!("That is not a certificate this app can use ({why}). Paste the text that starts with -----BEGIN CERTIFICATE----- or pick the .crt / .pem file your organization gave you."),
            CoreError::UntrustedCertificate(_) if fr => "Le serveur a répondu, mais cet appareil ne reconnaît pas son certificat. Si votre organisme vous a donné son certificat, donnez-le en joignant et vérifiez son empreinte avec votre coordonnateur·rice. Rien n'a été envoyé.".into(),
            CoreError::UntrustedCertificate(_) => "The server answered, but this device does not know its certificate. If your organization gave you its certificate, give it when joining and check its fingerprint with your coordinator. Nothing was sent.".into(),
            CoreError::Network(_) if fr => "Hors ligne. Vos activités sont en sécurité sur cet appareil et partiront dès qu'il y aura une connexion.".into(),
            CoreError::Network(_) => "Offline. Your records are safe on this device and will be sent when there is a connection.".into(),
            CoreError::Server { message, .. } => message.clone(),
            CoreError::DeviceRevoked if fr => "Cet appareil a été retiré par votre organisme. Vos activités restent ici. Demandez un nouveau code à votre coordonnateur·rice.".into(),
            CoreError::DeviceRevoked => "This device was removed by your organization. Your records stay here. Ask your coordinator for a new code.".into(),
            CoreError::UnsupportedProtocol if fr => "Le serveur de votre organisme demande une version plus récente. Mettez l'application à jour.".into(),
            CoreError::UnsupportedProtocol => "Your organization's server needs a newer version of the app. Update the app.".into(),
            CoreError::Redirected { status, .. } if fr => format!("Le serveur a renvoyé l'application ailleurs (HTTP {status}). Rien n'y a été envoyé ; vos activités restent sur cet appareil. Demandez à votre coordonnateur·rice l'adresse actuelle du serveur."),
            CoreError::Redirected { status, .. } => format!("The server sent the app somewhere else (HTTP {status}). Nothing was sent there; your records stay on this device. Ask your coordinator for the server's current address."),
            CoreError::ResponseTooLarge { limit_bytes } if fr => format!("Le serveur a envoyé une réponse trop grande (plus de {} Kio). Rien n'a été modifié. Demandez à votre coordonnateur·rice de vérifier le serveur.", limit_bytes / 1024),
            CoreError::ResponseTooLarge { limit_bytes } => format!("The server sent an answer that is too large (over {} KiB). Nothing was changed. Ask your coordinator to check the server.", limit_bytes / 1024),
            CoreError::BadResponse(what) if fr => format!("La réponse du serveur est inutilisable ({what}). Rien n'a été modifié. Demandez à votre coordonnateur·rice de vérifier l'adresse du serveur."),
            CoreError::BadResponse(what) => format!("The server's answer cannot be used ({what}). Nothing was changed. Ask your coordinator to check the server address."),
            CoreError::MessageNotFound(_) if fr => "Ce message n'est plus sur cet appareil : il a expiré ou a été retiré.".into(),
            CoreError::MessageNotFound(_) => "That message is no longer on this device: it expired or was withdrawn.".into(),
            CoreError::StatementPeriod { max_days } if fr => format!("Choisissez un premier jour avant ou égal au dernier, au plus {max_days} jours, et qui se termine au plus tard aujourd'hui."),
            CoreError::StatementPeriod { max_days } => format!("Choose a first day on or before the last day, {max_days} days at most, ending today or earlier."),
            CoreError::StatementsUnsupported { org } if fr => format!("Le serveur de {org} ne signe pas encore d'attestations de travail. Demandez à votre coordonnateur·rice de le mettre à jour."),
            CoreError::StatementsUnsupported { org } => format!("{org}'s server does not sign work statements yet. Ask your coordinator to update it."),
            CoreError::StatementRefused { org, reason } if fr => format!("L'attestation de {org} n'a pas passé la vérification et n'a pas été gardée. {} Demandez de l'aide à votre coordonnateur·rice.", reason.message(lang)),
            CoreError::StatementRefused { org, reason } => format!("The statement from {org} did not pass its check and was not kept. {} Ask your coordinator for help.", reason.message(lang)),
            CoreError::StatementNotFound(_) if fr => "Cette attestation n'est pas sur cet appareil.".into(),
            CoreError::StatementNotFound(_) => "That statement is not on this device.".into(),
        }
    }
}

/// "45 seconds", "3 minutes", "1 hour", in the worker's words (minutes rounded up).
fn wait_words(seconds: u64, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if seconds < 60 {
        plural(
            seconds.max(1),
            if fr { "seconde" } else { "second" },
            if fr { "secondes" } else { "seconds" },
        )
    } else if seconds < 3600 {
        plural(seconds.div_ceil(60), "minute", "minutes")
    } else {
        plural(
            seconds.div_ceil(3600),
            if fr { "heure" } else { "hour" },
            if fr { "heures" } else { "hours" },
        )
    }
}
