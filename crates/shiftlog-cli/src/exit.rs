//! How a run ends: the failures a command can have, and the exit code each one gives.
//! docs/cli.md lists the codes; scripts rely on them, so they never change meaning.

use shiftlog_core::CoreError;

/// Exit codes (docs/cli.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Done.
    Ok = 0,
    /// The command line was wrong.
    Usage = 2,
    /// A value was refused; nothing was stored.
    Invalid = 3,
    /// The server could not be reached; records are kept, try later.
    Offline = 4,
    /// Any other failure that retrying will not fix.
    Failed = 5,
    /// Wrong or missing PIN.
    Pin = 6,
    /// `sync`: every record sent was answered, but fetching the worker's records from their
    /// other devices or the organization's lists failed. Run it again later.
    SentNotPulled = 7,
    /// `sync`: some records were refused and wait in Needs attention for the worker to fix.
    NeedsAttention = 8,
    /// `verify`: the statement was changed after it was signed.
    StatementAltered = 10,
    /// `verify`: signed with a key not among the trusted ones (or no key list given).
    StatementUnknownKey = 11,
    /// `verify`: the organization revoked the key, or replaced it before the statement's date.
    StatementRevokedKey = 12,
    /// `verify`: the key belongs to another organization than the one the statement names.
    StatementWrongOrganization = 13,
}

impl From<Code> for std::process::ExitCode {
    fn from(c: Code) -> Self {
        std::process::ExitCode::from(c as u8)
    }
}

/// Why a command stopped.
pub enum Failure {
    /// The core refused or failed; its message is in the worker's language.
    Core(CoreError),
    /// The command line itself was wrong.
    Usage(String),
    /// A message already in the worker's language, and the code to exit with.
    Said(String, Code),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure::Core(e)
    }
}

/// The exit code for an error of the core.
pub fn code_of(e: &CoreError) -> Code {
    match e {
        CoreError::Invalid(_) => Code::Invalid,
        CoreError::WrongPin | CoreError::PinNeeded | CoreError::TooManyTries { .. } => Code::Pin,
        e if !e.is_permanent() => Code::Offline,
        _ => Code::Failed,
    }
}
