//! The one diesel schema shared by SQLite and PostgreSQL. Only portable column types:
//! UUIDs and decimal rates as `Text`, money as `BigInt` minor units, UTC `Timestamp`.

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        country -> Text,
        identifier -> Nullable<Text>,
        verified -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    funds (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        base_currency -> Text,
        support_cost_rate -> Text,
        board_quorum -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        organisation_id -> Nullable<Text>,
        email_verified -> Bool,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    trustee_funds (user_id, fund_id) {
        user_id -> Text,
        fund_id -> Text,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> Text,
        purpose -> Text,
        token_hash -> Text,
        user_id -> Nullable<Text>,
        payload -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email -> Text,
        address -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        to_address -> Text,
        template -> Text,
        context -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(trustee_funds -> users (user_id));
diesel::joinable!(trustee_funds -> funds (fund_id));

diesel::table! {
    calls (id) {
        id -> Text,
        fund_id -> Text,
        title -> Text,
        description -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        max_amount -> BigInt,
        currency -> Text,
        max_duration_months -> Integer,
        eligible_countries -> Text,
        themes -> Text,
        required_documents -> Text,
        rubric -> Text,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        call_id -> Text,
        fund_id -> Text,
        organisation_id -> Text,
        reference -> Nullable<Text>,
        title -> Text,
        summary -> Text,
        requested_amount -> Nullable<BigInt>,
        currency -> Text,
        duration_months -> Nullable<Integer>,
        status -> Text,
        revision -> Integer,
        version -> BigInt,
        created_by -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        screening_eligible -> Nullable<Bool>,
        screening_notes -> Nullable<Text>,
        screened_at -> Nullable<Timestamp>,
        return_reason -> Nullable<Text>,
        returned_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    application_countries (application_id, position) {
        application_id -> Text,
        position -> Integer,
        country -> Text,
    }
}

diesel::table! {
    application_themes (application_id, position) {
        application_id -> Text,
        position -> Integer,
        theme -> Text,
    }
}

diesel::table! {
    application_budget_lines (application_id, position) {
        application_id -> Text,
        position -> Integer,
        category -> Text,
        description -> Text,
        amount -> BigInt,
    }
}

diesel::table! {
    application_beneficiaries (application_id, position) {
        application_id -> Text,
        position -> Integer,
        sex -> Text,
        age_group -> Text,
        exploitation -> Text,
        number -> BigInt,
    }
}

diesel::table! {
    application_documents (id) {
        id -> Text,
        application_id -> Text,
        kind -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        added_in_revision -> Integer,
        removed_in_revision -> Nullable<Integer>,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    application_revisions (application_id, revision) {
        application_id -> Text,
        revision -> Integer,
        snapshot -> Text,
        submitted_at -> Timestamp,
        submitted_by -> Nullable<Text>,
        returned_at -> Nullable<Timestamp>,
        return_reason -> Nullable<Text>,
    }
}

diesel::table! {
    application_reference_counters (fund_id, year) {
        fund_id -> Text,
        year -> Integer,
        last_number -> BigInt,
    }
}

diesel::joinable!(calls -> funds (fund_id));
diesel::joinable!(applications -> calls (call_id));
diesel::joinable!(applications -> organisations (organisation_id));
diesel::joinable!(application_countries -> applications (application_id));
diesel::joinable!(application_themes -> applications (application_id));
diesel::joinable!(application_budget_lines -> applications (application_id));
diesel::joinable!(application_beneficiaries -> applications (application_id));
diesel::joinable!(application_documents -> applications (application_id));
diesel::joinable!(application_revisions -> applications (application_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    funds,
    audit_events,
    users,
    trustee_funds,
    refresh_tokens,
    one_time_tokens,
    login_attempts,
    outbox,
    calls,
    applications,
    application_countries,
    application_themes,
    application_budget_lines,
    application_beneficiaries,
    application_documents,
    application_revisions,
    application_reference_counters,
);
