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

diesel::allow_tables_to_appear_in_same_query!(organisations, funds, audit_events);
