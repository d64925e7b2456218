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
    /// An NGO that really gives money to funds (an international NGO that co-finances, say):
    /// only then may it be a pledge's or contribution's `donor_id`. Other kinds that give
    /// need no mark (see `refusal_as_donor`).
    #[serde(default)]
    pub may_donate: bool,
    /// A grantee whose staff could face reprisals: no public output (registry, public page,
    /// IATI, 360Giving) names it, gives its identifiers or a place finer than its country.
    #[serde(default)]
    pub protected: bool,
}

/// `GET /organisations`: a page, optionally only verified or only unverified ones (the
/// secretariat's verification queue is `?verified=false`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// `false`: organisations the secretariat has yet to verify, oldest first.
    pub verified: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
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
    pub may_donate: bool,
    pub protected: bool,
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
            may_donate: self.may_donate,
            protected: self.protected,
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
    pub may_donate: Option<bool>,
    pub protected: Option<bool>,
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
    pub may_donate: Option<bool>,
    pub protected: Option<bool>,
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
        if let Some(may_donate) = self.may_donate {
            next.may_donate = may_donate;
        }
        if let Some(protected) = self.protected {
            next.protected = protected;
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
            may_donate: self.may_donate,
            protected: self.protected,
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
    /// An NGO marked as one that really gives (`may_donate`); other kinds give unmarked.
    pub may_donate: bool,
    /// Kept out of every public output by name, identifier and place finer than country.
    pub protected: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::change::Versioned for OrganisationView {
    fn version(&self) -> i64 {
        self.version
    }
}

/// Who may give to a fund: governments, multilateral bodies, foundations, companies,
/// individuals and asset-recovery funds; an NGO only when the secretariat marked it
/// `may_donate` (NGOs are the fund's grantees: one recorded as a donor by mistake would be
/// published as a funder). `Some(reason)` when `kind` may not give.
pub fn refusal_as_donor(kind: OrgKind, may_donate: bool) -> Option<String> {
    match kind {
        OrgKind::Government
        | OrgKind::Multilateral
        | OrgKind::Foundation
        | OrgKind::Company
        | OrgKind::Individual
        | OrgKind::AssetRecovery => None,
        OrgKind::Ngo if may_donate => None,
        OrgKind::Ngo => Some(
            "is an NGO, a grantee: it can be a donor only once the secretariat marks it may_donate (PATCH /organisations/{id})"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_but_an_unmarked_ngo_may_give() {
        for kind in OrgKind::ALL {
            let refused = refusal_as_donor(*kind, false).is_some();
            assert_eq!(refused, *kind == OrgKind::Ngo, "{kind}");
            assert!(refusal_as_donor(*kind, true).is_none(), "{kind} marked");
        }
    }
}
