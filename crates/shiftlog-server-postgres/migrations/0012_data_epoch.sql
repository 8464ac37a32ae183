-- Schema version 12: the data epoch, a random id this database keeps for as long as its data
-- lives on, made on first use. After pg_restore, `shiftlog-server new-epoch` makes a new one;
-- devices that see the change send their records again (ServerInfo.data_epoch).
CREATE TABLE data_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL
);
