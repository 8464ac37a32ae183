//! The data epoch (`ServerInfo::data_epoch`): one row, made on first use, forgotten on restore.

use super::Statement;

/// The data epoch, if one was made. Columns: epoch.
pub static DATA_EPOCH: Statement = Statement::new("SELECT epoch FROM data_epoch WHERE id = 1");
/// Makes the data epoch unless another instance made one first: epoch.
pub static INSERT_DATA_EPOCH: Statement =
    Statement::new("INSERT INTO data_epoch (id, epoch) VALUES (1, $1) ON CONFLICT (id) DO NOTHING");
/// Forgets the data epoch (after a restore), so the next read makes a new one.
pub static CLEAR_DATA_EPOCH: Statement = Statement::new("DELETE FROM data_epoch");
