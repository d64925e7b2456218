//! Small value types shared by several features: text fields, countries, enums stored as
//! text. Each parses once at the edge and is valid afterwards.

use crate::error::FieldError;

pub mod dates;
pub mod link;
pub mod pdf;
pub mod personal_data;
pub mod text;

pub use text::Lines;

/// A trimmed, non-empty text of at most `max` characters that may span several lines
/// (descriptions, narratives, reasons): text as `text::problem` defines it.
pub fn required_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    bounded_text(field, value, max, Lines::Multi, errors)
}

/// A trimmed, non-empty text of at most `max` characters on one line (names, titles,
/// references): no line breaks or tabs either.
pub fn required_line(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    bounded_text(field, value, max, Lines::Single, errors)
}

fn bounded_text(
    field: &str,
    value: &str,
    max: usize,
    lines: Lines,
    errors: &mut Vec<FieldError>,
) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if trimmed.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    } else if let Some(problem) = text::problem(trimmed, lines) {
        errors.push(FieldError::new(field, problem));
    }
    trimmed.to_string()
}

/// A list the domain bounds (countries, themes, trustees, budget lines): more than `max`
/// entries is one error naming the list, and its entries are then not examined one by one,
/// so that a hostile list of 40,000 entries costs one line of answer, not 40,000.
pub fn bounded_list<T>(
    field: &str,
    values: &[T],
    max: usize,
    errors: &mut Vec<FieldError>,
) -> bool {
    if values.len() > max {
        errors.push(FieldError::new(
            field,
            format!("may list at most {max} entries ({} given)", values.len()),
        ));
        return false;
    }
    true
}

/// ISO 3166-1 assigns 249 codes: the most a list of distinct countries can hold.
pub const MAX_COUNTRIES: usize = 249;

/// An ISO 3166-1 alpha-2 country code such as `NG`.
pub fn country(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let known = value.len() == 2
        && value.chars().all(|c| c.is_ascii_uppercase())
        && isocountry::CountryCode::for_alpha2(value).is_ok();
    if !known {
        errors.push(FieldError::new(
            field,
            format!("{value:?} is not an ISO 3166-1 alpha-2 country code (e.g. NG)"),
        ));
    }
    value.to_string()
}

/// An org-id style identifier: a registration list prefix and an id, e.g. `XM-DAC-41110`,
/// `GB-CHC-1234567`. See org-id.guide.
pub fn org_identifier(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let parts: Vec<&str> = value.splitn(3, '-').collect();
    let valid = match parts.as_slice() {
        [country, list, id] => {
            country.len() == 2
                && country.chars().all(|c| c.is_ascii_uppercase())
                && !list.is_empty()
                && list
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && !id.is_empty()
                && id.len() <= 100
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        }
        _ => false,
    };
    if !valid {
        errors.push(FieldError::new(
            field,
            "must be an org-id identifier such as XM-DAC-41110 (prefix, list, id)",
        ));
    }
    value.to_string()
}

/// Declares an enum with its wire names: sent and read as that text in JSON, stored as that
/// text in a `Text` column on both backends (diesel `AsExpression`/`FromSqlRow`), shown as
/// that text. The one mechanism for statuses and kinds.
#[macro_export]
macro_rules! text_enum {
    (@sql $name:ident, $backend:ty) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, $backend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $backend>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, $backend>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $backend> for $name {
            fn from_sql(
                bytes: <$backend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    $backend,
                >>::from_sql(bytes)?;
                Self::from_db(&text).map_err(|e| e.to_string().into())
            }
        }
    };
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        // Stored as its wire text on both backends: rows hold the enum, queries compare
        // with the enum, and no status literal is written anywhere else.
        $crate::text_enum!(@sql $name, diesel::sqlite::Sqlite);
        $crate::text_enum!(@sql $name, diesel::pg::Pg);
        $crate::text_enum!(@sql $name, $crate::db::MultiBackend);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // By hand: the derive cannot see a `rename` given through this macro, and would
        // document the Rust variant names instead of the wire text.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads a value written by `as_str`; unknown text means a corrupt row.
            pub fn from_db(text: &str) -> Result<Self, $crate::error::AppError> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::error::AppError::internal(format!(
                        "unknown {} {other:?} in the database", stringify!($name)
                    ))),
                }
            }
        }
    };
}

/// Tells "absent" (leave as is) from `null` (clear) in a PATCH body.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Ends a validation that collected its problems: every invalid field is named at once.
pub fn validated<T>(value: T, errors: Vec<FieldError>) -> Result<T, crate::error::AppError> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(crate::error::AppError::validation(errors))
    }
}
