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
    registry_projects (id) {
        id -> Text,
        title -> Text,
        description -> Text,
        reporting_org_id -> Text,
        participants -> Text,
        org_ids -> Text,
        countries -> Text,
        themes -> Text,
        target_groups -> Text,
        start_on -> Nullable<Date>,
        end_on -> Nullable<Date>,
        budget_minor -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        status -> Text,
        published -> Bool,
        iati_identifier -> Nullable<Text>,
        source -> Text,
        search_text -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    registry_overlap_reviews (id) {
        id -> Text,
        project_a -> Text,
        project_b -> Text,
        score_milli -> Integer,
        reasons -> Text,
        status -> Text,
        resolution -> Nullable<Text>,
        note -> Nullable<Text>,
        resolved_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    registry_state (id) {
        id -> Integer,
        token -> Text,
        generation -> BigInt,
    }
}

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
    registry_projects,
    registry_overlap_reviews,
    registry_state,
);
