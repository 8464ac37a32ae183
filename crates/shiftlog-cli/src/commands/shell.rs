//! Shell completions and the manual page, drawn from the same command definition the
//! parser uses (so they list exactly the commands and options there are).

use crate::args::form::command;
use crate::exit::{Code, Failure};

/// `shiftlog completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> Result<Code, Failure> {
    let mut cmd = command();
    clap_complete::generate(shell, &mut cmd, "shiftlog", &mut std::io::stdout());
    Ok(Code::Ok)
}

/// `shiftlog man`.
pub fn man() -> Result<Code, Failure> {
    clap_mangen::Man::new(command())
        .render(&mut std::io::stdout())
        .map_err(|e| Failure::Usage(format!("cannot write the manual page: {e}")))?;
    Ok(Code::Ok)
}
