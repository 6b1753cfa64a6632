//! Enumerations stored as text. Every state, role and kind the wire contract names
//! (`mobile_api`) is stored as its snake_case name, through the one column type here: a stored
//! name the code does not know fails the read (a database error), never turns into a default.

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{ActiveValue, ColIdx, DbErr, IntoActiveValue, QueryResult, TryGetError, TryGetable};

/// What may be stored as text: the wire enums of `mobile_api`.
pub trait Named: Copy + Sized + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    const NAME: &'static str;
    fn name(self) -> &'static str;
    fn from_name(s: &str) -> Option<Self>;
}

macro_rules! named {
    ($($t:ident),*) => {
        $(impl Named for mobile_api::$t {
            const NAME: &'static str = stringify!($t);
            fn name(self) -> &'static str {
                self.as_str()
            }
            fn from_name(s: &str) -> Option<Self> {
                Self::parse(s)
            }
        })*
    };
}

named!(
    Role,
    Service,
    Locale,
    InsuranceStatus,
    EntryStatus,
    MonthState,
    OutboxState,
    JobState
);

/// A column holding a `T` as its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stored<T>(pub T);

impl<T> std::ops::Deref for Stored<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Named> From<T> for Stored<T> {
    fn from(value: T) -> Self {
        Stored(value)
    }
}

impl<T: Named> PartialEq<T> for Stored<T> {
    fn eq(&self, other: &T) -> bool {
        self.0 == *other
    }
}

/// The error of a name no variant has.
#[derive(Debug)]
struct Unknown {
    kind: &'static str,
    name: String,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} stored: {:?}", self.kind, self.name)
    }
}

impl std::error::Error for Unknown {}

impl<T: Named> From<Stored<T>> for sea_orm::Value {
    fn from(value: Stored<T>) -> Self {
        value.0.name().into()
    }
}

impl<T: Named> TryGetable for Stored<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        let name = String::try_get_by(res, idx)?;
        T::from_name(&name).map(Stored).ok_or_else(|| {
            TryGetError::DbErr(DbErr::TryIntoErr {
                from: "String",
                into: T::NAME,
                source: std::sync::Arc::new(Unknown {
                    kind: T::NAME,
                    name,
                }),
            })
        })
    }
}

impl<T: Named> ValueType for Stored<T> {
    fn try_from(v: sea_orm::Value) -> Result<Self, ValueTypeErr> {
        let name = <String as ValueType>::try_from(v)?;
        T::from_name(&name).map(Stored).ok_or(ValueTypeErr)
    }

    fn type_name() -> String {
        T::NAME.to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::String(StringLen::None)
    }
}

impl<T: Named> Nullable for Stored<T> {
    fn null() -> sea_orm::Value {
        sea_orm::Value::String(None)
    }
}

impl<T: Named> IntoActiveValue<Stored<T>> for Stored<T> {
    fn into_active_value(self) -> ActiveValue<Stored<T>> {
        ActiveValue::Set(self)
    }
}

impl<T: Named> sea_orm::sea_query::postgres_array::NotU8 for Stored<T> {}

impl<T: Named> serde::Serialize for Stored<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.name())
    }
}

impl<T: Named> std::fmt::Display for Stored<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name())
    }
}
