//! Maps diesel and pool errors to the domain's `StorageError`: the domain never sees SQL types.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use wellness_domain::ports::StorageError;

pub(crate) type PoolError = diesel_async::pooled_connection::deadpool::PoolError;

pub(crate) fn from_pool(err: PoolError) -> StorageError {
    StorageError::Unavailable(format!("no database connection: {err}"))
}

pub(crate) fn from_diesel(err: DieselError) -> StorageError {
    match err {
        DieselError::DatabaseError(kind, info) => match kind {
            DatabaseErrorKind::UniqueViolation
            | DatabaseErrorKind::ForeignKeyViolation
            | DatabaseErrorKind::CheckViolation
            | DatabaseErrorKind::NotNullViolation => {
                StorageError::Rejected(info.message().to_owned())
            }
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::SerializationFailure => {
                StorageError::Unavailable(info.message().to_owned())
            }
            _ => StorageError::Unavailable(info.message().to_owned()),
        },
        DieselError::DeserializationError(e) => StorageError::Corrupt(e.to_string()),
        DieselError::NotFound => StorageError::Corrupt("a row expected to exist is missing".into()),
        other => StorageError::Unavailable(other.to_string()),
    }
}

/// A stored value that does not fit the model.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(what.to_string())
}

/// Any error inside a transaction: diesel's own, or the domain's.
#[derive(Debug)]
pub(crate) enum TxError {
    Diesel(DieselError),
    Storage(StorageError),
}

impl From<DieselError> for TxError {
    fn from(err: DieselError) -> Self {
        TxError::Diesel(err)
    }
}

impl From<StorageError> for TxError {
    fn from(err: StorageError) -> Self {
        TxError::Storage(err)
    }
}

impl From<TxError> for StorageError {
    fn from(err: TxError) -> Self {
        match err {
            TxError::Diesel(e) => from_diesel(e),
            TxError::Storage(e) => e,
        }
    }
}
