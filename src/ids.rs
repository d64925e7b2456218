//! The ids of the entities, one type each, so that a fund's id cannot be passed where a
//! grant's is expected: `change::apply::<GrantRow, _>` takes a `GrantId`, a store's `find`
//! the id of its own table. Each is a UUID (v7 for new rows, so ids sort by creation),
//! sent and read as its text in JSON and stored as that text on both backends.
//!
//! An id reads as `&str` where text is wanted (a query on a text column, a URL, a log
//! line), so the typed ids spread through the code without a conversion at every use.

/// What every id type gives: its text, and parsing from what a client sent.
pub trait Id:
    std::ops::Deref<Target = str> + Clone + std::fmt::Display + Send + Sync + 'static
{
    /// The id a client gave as `field` (a path segment, a body field): 400 naming the
    /// field unless it is a UUID.
    fn parse(raw: &str, field: &str) -> Result<Self, crate::error::AppError>;
}

/// Declares an id type: a UUID kept as its text.
#[macro_export]
macro_rules! id_type {
    (@sql $name:ident, $backend:ty) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, $backend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $backend>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, $backend>>::to_sql(
                    self.0.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $backend> for $name {
            fn from_sql(
                bytes: <$backend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                <String as diesel::deserialize::FromSql<diesel::sql_types::Text, $backend>>::from_sql(
                    bytes,
                )
                .map($name)
            }
        }
    };
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(String);

        $crate::id_type!(@sql $name, diesel::sqlite::Sqlite);
        $crate::id_type!(@sql $name, diesel::pg::Pg);
        $crate::id_type!(@sql $name, $crate::db::MultiBackend);

        impl $name {
            /// A new id: a UUIDv7, so that ids sort in the order rows were made.
            pub fn generate() -> Self {
                $name(uuid::Uuid::now_v7().to_string())
            }

            /// An id read from storage or already checked, kept as it is.
            pub fn from_stored(text: impl Into<String>) -> Self {
                $name(text.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $crate::ids::Id for $name {
            fn parse(raw: &str, field: &str) -> Result<Self, $crate::error::AppError> {
                $crate::http::parse_id(raw, field).map(|uuid| $name(uuid.to_string()))
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                        utoipa::openapi::schema::KnownFormat::Uuid,
                    )))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

id_type!(
    /// A fund.
    FundId
);
id_type!(
    /// A call for proposals.
    CallId
);
id_type!(
    /// A grant application.
    ApplicationId
);
id_type!(
    /// A grant.
    GrantId
);
id_type!(
    /// A disbursement of a grant.
    DisbursementId
);
id_type!(
    /// An organisation: an NGO, a donor, an agency.
    OrganisationId
);
id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// A reviewer's or trustee's assignment to an application.
    AssignmentId
);
id_type!(
    /// A donor's pledge.
    PledgeId
);
id_type!(
    /// An outcome report of a grant.
    ReportId
);
id_type!(
    /// A project in the registry.
    ProjectId
);
id_type!(
    /// A pair of registry projects queued as a possible overlap.
    OverlapReviewId
);
id_type!(
    /// A need for assistance posted by a government or agency.
    NeedId
);
id_type!(
    /// An offer of assistance posted by a donor or provider.
    OfferId
);
id_type!(
    /// A match between a need and an offer.
    MatchId
);
