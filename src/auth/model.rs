//! Request and response types of the account endpoints. Requests validate into values
//! that are valid by construction, naming every invalid field at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::UserRow;
use super::{Role, looks_like_email, password, store};
use crate::error::{AppError, FieldError};
use crate::organisations::model::{NewOrganisation, OrgKind, OrganisationView};
use crate::platform::{country, org_identifier, required_line, validated};

/// An email address, trimmed and lower-cased (emails are unique whatever their case).
fn email(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let email = store::normalise_email(value);
    if !looks_like_email(&email) {
        errors.push(FieldError::new(field, "is not an email address"));
    }
    email
}

/// A one-time token as sent in an email link: 43 URL-safe base64 characters.
fn token(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim();
    if value.is_empty() || value.len() > 128 {
        errors.push(FieldError::new(field, "is not a token from our emails"));
    }
    value.to_string()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    pub refresh_token: String,
    /// Also end every other session of the account.
    #[serde(default)]
    pub everywhere: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

impl ChangePasswordRequest {
    /// Checks the new password; the current one is checked against the stored hash later.
    pub fn validate(&self, email: &str) -> Result<(), AppError> {
        let mut errors = password::check_strength("new_password", &self.new_password, email);
        if self.new_password == self.current_password {
            errors.push(FieldError::new(
                "new_password",
                "must differ from the current password",
            ));
        }
        validated((), errors)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterOrganisation {
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// `ngo`, `government`, `multilateral`, `foundation` or `company`. An NGO's first
    /// member gets the `ngo` role (it may apply for grants); any other kind's the
    /// `registry` role (it keeps its organisation's registry projects). Individuals and
    /// asset-recovery bodies are registered by the secretariat.
    pub kind: OrgKind,
    pub identifier: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterUser {
    pub email: String,
    pub name: String,
    pub password: String,
}

/// NGO self-registration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub organisation: RegisterOrganisation,
    pub user: RegisterUser,
}

/// A validated registration.
#[derive(Debug, Clone)]
pub struct Registration {
    pub organisation: NewOrganisation,
    /// The first member's role (`rules::registration_role`).
    pub role: Role,
    pub email: String,
    pub name: String,
    pub password: String,
}

impl RegisterRequest {
    pub fn validate(self) -> Result<Registration, AppError> {
        let mut errors = Vec::new();
        let org = self.organisation;
        let role = super::rules::registration_role(org.kind);
        if role.is_none() {
            errors.push(FieldError::new(
                "organisation.kind",
                "must be ngo, government, multilateral, foundation or company: individuals \
                 and asset-recovery bodies are registered by the fund's secretariat",
            ));
        }
        let organisation = NewOrganisation {
            name: required_line("organisation.name", &org.name, 300, &mut errors),
            kind: org.kind,
            country: country("organisation.country", &org.country, &mut errors),
            identifier: org
                .identifier
                .map(|i| org_identifier("organisation.identifier", &i, &mut errors)),
            verified: false,
            listed_anonymously: false,
            may_donate: false,
            protected: false,
        };
        let email = email("user.email", &self.user.email, &mut errors);
        let name = required_line("user.name", &self.user.name, 200, &mut errors);
        errors.extend(password::check_strength(
            "user.password",
            &self.user.password,
            &email,
        ));
        validated(
            Registration {
                organisation,
                role: role.unwrap_or(Role::Ngo),
                email,
                name,
                password: self.user.password,
            },
            errors,
        )
    }
}

/// A one-time token from an email (`?token=…`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub token: String,
}

impl TokenRequest {
    pub fn validate(self) -> Result<String, AppError> {
        let mut errors = Vec::new();
        let token = token("token", &self.token, &mut errors);
        validated(token, errors)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitation {
    pub email: String,
    pub role: Role,
    /// Required for ngo and donor, absent otherwise.
    pub organisation_id: Option<String>,
    /// Required for trustee (the fund whose board it joins), absent otherwise.
    pub fund_id: Option<String>,
    /// The language of the invitation email, `en`, `fr` or `es` (English when absent); the
    /// account made on acceptance keeps it as the language of its emails, unless the
    /// acceptance chose another.
    #[schema(example = "fr")]
    pub language: Option<String>,
}

/// A validated invitation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub fund_id: Option<String>,
    /// One of `notify::templates::LOCALES`, when one was asked for.
    pub language: Option<&'static str>,
}

/// The language an invitation's email is written in: one of `notify::templates::LOCALES`,
/// else an error naming `field`.
pub fn email_language(
    field: &str,
    value: &str,
    errors: &mut Vec<FieldError>,
) -> Option<&'static str> {
    let value = value.trim().to_ascii_lowercase();
    let found = crate::notify::templates::LOCALES
        .iter()
        .find(|l| **l == value)
        .copied();
    if found.is_none() {
        errors.push(FieldError::new(
            field,
            format!(
                "must be one of {}",
                crate::notify::templates::LOCALES.join(", ")
            ),
        ));
    }
    found
}

impl CreateInvitation {
    pub fn validate(self) -> Result<NewInvitation, AppError> {
        let mut errors = Vec::new();
        let email = email("email", &self.email, &mut errors);
        let uuid = |field: &str, value: Option<String>, errors: &mut Vec<FieldError>| {
            value.map(|v| match uuid::Uuid::parse_str(v.trim()) {
                Ok(id) => id.to_string(),
                Err(_) => {
                    errors.push(FieldError::new(field, "is not a valid id"));
                    v
                }
            })
        };
        let organisation_id = uuid("organisation_id", self.organisation_id, &mut errors);
        let fund_id = uuid("fund_id", self.fund_id, &mut errors);
        errors.extend(super::rules::invitation_shape(
            self.role,
            organisation_id.is_some(),
            fund_id.is_some(),
        ));
        let language = self
            .language
            .and_then(|l| email_language("language", &l, &mut errors));
        validated(
            NewInvitation {
                email,
                role: self.role,
                organisation_id,
                fund_id,
                language,
            },
            errors,
        )
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub fund_id: Option<String>,
    /// The language the invitation email was written in (`en`, `fr` or `es`).
    pub language: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    pub token: String,
    pub name: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

impl PasswordResetRequest {
    pub fn validate(self) -> Result<String, AppError> {
        let mut errors = Vec::new();
        let email = email("email", &self.email, &mut errors);
        validated(email, errors)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmPasswordReset {
    pub token: String,
    pub password: String,
}

/// A user account as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub fund_ids: Vec<String>,
    pub email_verified: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl UserView {
    pub fn from_row(row: UserRow, fund_ids: Vec<String>) -> Result<Self, AppError> {
        Ok(UserView {
            role: row.role,
            id: row.id,
            email: row.email,
            name: row.display_name,
            organisation_id: row.organisation_id,
            fund_ids,
            email_verified: row.email_verified,
            active: row.active,
            version: row.version,
            created_at: row.created_at.and_utc(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationView {
    pub user: UserView,
    pub organisation: OrganisationView,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration() -> RegisterRequest {
        RegisterRequest {
            organisation: RegisterOrganisation {
                name: "Shelter Hope".into(),
                country: "NG".into(),
                kind: OrgKind::Ngo,
                identifier: None,
            },
            user: RegisterUser {
                email: " Amina@Shelter.ORG ".into(),
                name: "Amina".into(),
                password: "lantern river shelter 42".into(),
            },
        }
    }

    #[test]
    fn a_government_registers_for_the_registry_and_an_ngo_for_the_fund() {
        let mut government = registration();
        government.organisation.kind = OrgKind::Government;
        let r = government.validate().expect("valid");
        assert_eq!(r.role, Role::Registry);
        assert_eq!(r.organisation.kind, OrgKind::Government);
        assert!(!r.organisation.verified);
        assert_eq!(registration().validate().expect("valid").role, Role::Ngo);
    }

    #[test]
    fn a_registration_lower_cases_the_email() {
        let r = registration().validate().expect("valid");
        assert_eq!(r.email, "amina@shelter.org");
        assert!(!r.organisation.verified);
    }

    #[test]
    fn a_registration_names_every_bad_field_with_its_path() {
        let mut bad = registration();
        bad.organisation.kind = OrgKind::Individual;
        bad.organisation.country = "Nigeria".into();
        bad.user.email = "not-an-email".into();
        bad.user.password = "short".into();
        let err = bad.validate().expect_err("invalid");
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "organisation.kind",
                "organisation.country",
                "user.email",
                "user.password"
            ]
        );
    }

    #[test]
    fn invitations_check_ids_and_their_shape() {
        let err = CreateInvitation {
            email: "x@y.org".into(),
            role: Role::Trustee,
            organisation_id: None,
            fund_id: Some("not-a-uuid".into()),
            language: None,
        }
        .validate()
        .expect_err("bad id");
        assert_eq!(err.errors[0].field, "fund_id");
    }

    #[test]
    fn an_invitation_is_written_in_english_french_or_spanish() {
        let invite = |language: &str| CreateInvitation {
            email: "x@y.org".into(),
            role: Role::Reviewer,
            organisation_id: None,
            fund_id: None,
            language: Some(language.into()),
        };
        assert_eq!(invite(" FR ").validate().expect("fr").language, Some("fr"));
        let err = invite("de").validate().expect_err("not a language of ours");
        assert_eq!(err.errors[0].field, "language");
        assert!(err.errors[0].message.contains("en, fr, es"));
    }
}
