//! Organisation types: requests parse into values that are valid by construction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::platform::{country, org_identifier, required_line, validated};
use crate::text_enum;

text_enum!(
    /// What kind of body an organisation is.
    OrgKind {
        Government => "government",
        Multilateral => "multilateral",
        Ngo => "ngo",
        Foundation => "foundation",
        Company => "company",
        Individual => "individual",
        AssetRecovery => "asset-recovery",
    }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisation {
    pub name: String,
    pub kind: OrgKind,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// org-id identifier, e.g. `XM-DAC-41110`.
    pub identifier: Option<String>,
    #[serde(default)]
    pub verified: bool,
    /// A donor that asked not to be named: public figures and open data show it as an
    /// anonymous donor.
    #[serde(default)]
    pub listed_anonymously: bool,
}

/// A validated new organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: OrgKind,
    pub country: String,
    pub identifier: Option<String>,
    pub verified: bool,
    pub listed_anonymously: bool,
}

impl CreateOrganisation {
    pub fn validate(self) -> Result<NewOrganisation, AppError> {
        let mut errors = Vec::new();
        let new = NewOrganisation {
            name: required_line("name", &self.name, 300, &mut errors),
            kind: self.kind,
            country: country("country", &self.country, &mut errors),
            identifier: self
                .identifier
                .map(|i| org_identifier("identifier", &i, &mut errors)),
            verified: self.verified,
            listed_anonymously: self.listed_anonymously,
        };
        validated(new, errors)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganisation {
    pub name: Option<String>,
    pub kind: Option<OrgKind>,
    pub country: Option<String>,
    /// `null` removes the identifier.
    #[serde(default, deserialize_with = "crate::platform::double_option")]
    #[schema(value_type = Option<String>)]
    pub identifier: Option<Option<String>>,
    pub verified: Option<bool>,
    pub listed_anonymously: Option<bool>,
}

/// A validated change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrganisationPatch {
    pub name: Option<String>,
    pub kind: Option<OrgKind>,
    pub country: Option<String>,
    pub identifier: Option<Option<String>>,
    pub verified: Option<bool>,
    pub listed_anonymously: Option<bool>,
}

impl OrganisationPatch {
    /// The organisation with this patch applied: what is absent stays as it was.
    pub fn applied_to(&self, org: &super::store::OrganisationRow) -> super::store::OrganisationRow {
        let mut next = org.clone();
        if let Some(name) = &self.name {
            next.name = name.clone();
        }
        if let Some(kind) = self.kind {
            next.kind = kind;
        }
        if let Some(country) = &self.country {
            next.country = country.clone();
        }
        if let Some(identifier) = &self.identifier {
            next.identifier = identifier.clone();
        }
        if let Some(verified) = self.verified {
            next.verified = verified;
        }
        if let Some(anonymous) = self.listed_anonymously {
            next.listed_anonymously = anonymous;
        }
        next
    }
}

/// The edit of an organisation (`PATCH /organisations/{id}`).
pub struct EditOrganisation(pub OrganisationPatch);

impl UpdateOrganisation {
    pub fn validate(self) -> Result<OrganisationPatch, AppError> {
        let mut errors = Vec::new();
        let patch = OrganisationPatch {
            name: self
                .name
                .map(|n| required_line("name", &n, 300, &mut errors)),
            kind: self.kind,
            country: self.country.map(|c| country("country", &c, &mut errors)),
            identifier: self
                .identifier
                .map(|i| i.map(|i| org_identifier("identifier", &i, &mut errors))),
            verified: self.verified,
            listed_anonymously: self.listed_anonymously,
        };
        validated(patch, errors)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub country: String,
    pub identifier: Option<String>,
    pub verified: bool,
    /// Shown as an anonymous donor in public figures and open data.
    pub listed_anonymously: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::change::Versioned for OrganisationView {
    fn version(&self) -> i64 {
        self.version
    }
}
