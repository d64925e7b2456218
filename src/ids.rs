//! Ids of stored entities, one type per entity, so that a fund's id cannot be passed where a
//! grant's is expected. Each is a UUID (v7, so id order is creation order) kept as its text:
//! sent and read as a JSON string, stored in a `Text` column on both backends.
//!
//! An id reads as `&str` (through `Deref`) wherever text is wanted, so queries and messages
//! take it as they are; the other way round, text becomes an id only through `parse` (a
//! client's input, checked) or `from_stored` (a value the database holds).

/// Declares an id type with its JSON, diesel and OpenAPI mappings.
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
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
            serde::Deserialize, utoipa::ToSchema, diesel::expression::AsExpression,
            diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(String);

        impl $name {
            /// A new id (UUIDv7: ordered by creation).
            pub fn generate() -> Self {
                $name(uuid::Uuid::now_v7().to_string())
            }

            /// A client's id: 400 naming `field` unless it is a UUID.
            pub fn parse(text: &str, field: &str) -> Result<Self, $crate::error::AppError> {
                $crate::http::parse_id(text, field).map(|uuid| $name(uuid.to_string()))
            }

            /// An id the database or the service itself holds.
            pub fn from_stored(text: impl Into<String>) -> Self {
                $name(text.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        $crate::id_type!(@sql $name, diesel::sqlite::Sqlite);
        $crate::id_type!(@sql $name, diesel::pg::Pg);
        $crate::id_type!(@sql $name, $crate::db::MultiBackend);
    };
}

id_type!(
    /// A fund.
    FundId
);
id_type!(
    /// An organisation: a grantee NGO, a donor, an agency.
    OrganisationId
);
id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// A call for proposals.
    CallId
);
id_type!(
    /// An application to a call.
    ApplicationId
);
id_type!(
    /// A grant made by the board.
    GrantId
);
id_type!(
    /// An instalment of a grant.
    InstalmentId
);
id_type!(
    /// A disbursement of an instalment.
    DisbursementId
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
    /// A reviewer's or trustee's assignment to an application.
    AssignmentId
);
id_type!(
    /// A board session.
    BoardSessionId
);
id_type!(
    /// A project of the registry.
    ProjectId
);
