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
        listed_anonymously -> Bool,
        may_donate -> Bool,
        protected -> Bool,
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
        default_instalment_plan -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        organisation_identifier -> Nullable<Text>,
        organisation_type -> Text,
        established_on -> Date,
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
        language -> Nullable<Text>,
    }
}

diesel::table! {
    report_drafts (grant_id) {
        grant_id -> Text,
        organisation_id -> Text,
        form -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    second_factors (user_id) {
        user_id -> Text,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
        created_at -> Timestamp,
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
        email -> Nullable<Text>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email -> Text,
        address -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamp,
        kind -> Text,
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
        locale -> Text,
    }
}

diesel::table! {
    exchange_rates (id) {
        id -> Text,
        currency -> Text,
        base_currency -> Text,
        rate -> Text,
        valid_from -> Date,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pledges (id) {
        id -> Text,
        fund_id -> Text,
        donor_id -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        pledged_on -> Date,
        event -> Nullable<Text>,
        earmark -> Nullable<Text>,
        due_on -> Nullable<Date>,
        cancelled_at -> Nullable<Timestamp>,
        cancellation_reason -> Nullable<Text>,
        version -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contributions (id) {
        id -> Text,
        fund_id -> Text,
        donor_id -> Text,
        pledge_id -> Nullable<Text>,
        split_of -> Nullable<Text>,
        amount_minor -> BigInt,
        currency -> Text,
        received_on -> Date,
        reference -> Text,
        exchange_rate -> Text,
        rate_source -> Text,
        base_amount_minor -> BigInt,
        base_currency -> Text,
        support_cost_rate -> Text,
        support_cost_minor -> BigInt,
        version -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        earmark -> Nullable<Text>,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> Text,
        fund_id -> Text,
        kind -> Text,
        reverses_id -> Nullable<Text>,
        donor_id -> Nullable<Text>,
        pledge_id -> Nullable<Text>,
        contribution_id -> Nullable<Text>,
        source_kind -> Nullable<Text>,
        source_id -> Nullable<Text>,
        amount_minor -> BigInt,
        currency -> Text,
        exchange_rate -> Nullable<Text>,
        base_amount_minor -> Nullable<BigInt>,
        base_currency -> Text,
        value_date -> Date,
        memo -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    ledger_totals (fund_id, donor_id, bucket, currency) {
        fund_id -> Text,
        donor_id -> Text,
        bucket -> Text,
        currency -> Text,
        amount_minor -> BigInt,
        base_amount_minor -> BigInt,
        entry_count -> BigInt,
    }
}

diesel::table! {
    ledger_daily_totals (donor_id, fund_id, day, bucket, currency) {
        donor_id -> Text,
        fund_id -> Text,
        day -> Date,
        bucket -> Text,
        currency -> Text,
        amount_minor -> BigInt,
        base_amount_minor -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (user_id, route, idem_key) {
        user_id -> Text,
        route -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response_body -> Text,
        response_etag -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
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

diesel::table! {
    registry_projects (id) {
        seq -> BigInt,
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
        country_percentages -> Text,
        regions -> Text,
        region_percentages -> Text,
        theme_percentages -> Text,
        links -> Text,
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

diesel::table! {
    review_assignments (id) {
        id -> Text,
        application_id -> Text,
        call_id -> Text,
        fund_id -> Text,
        reviewer_id -> Text,
        status -> Text,
        conflict_statement -> Nullable<Text>,
        declared_at -> Nullable<Timestamp>,
        scores -> Text,
        comment -> Text,
        recommendation -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        version -> BigInt,
        assigned_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        due_on -> Date,
    }
}

diesel::table! {
    board_sessions (id) {
        id -> Text,
        fund_id -> Text,
        held_on -> Date,
        version -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    board_session_trustees (session_id, user_id) {
        session_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        fund_id -> Text,
        call_id -> Text,
        application_id -> Text,
        organisation_id -> Text,
        reference -> Text,
        title -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        exchange_rate -> Text,
        base_amount_minor -> BigInt,
        base_currency -> Text,
        starts_on -> Date,
        ends_on -> Date,
        conditions -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        signed_at -> Nullable<Timestamp>,
        signed_by -> Nullable<Text>,
        version -> BigInt,
        registry_project_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grant_instalments (id) {
        id -> Text,
        grant_id -> Text,
        position -> Integer,
        amount_minor -> BigInt,
        due_on -> Date,
        condition -> Text,
        report_kind -> Nullable<Text>,
        min_spend_share -> Nullable<Text>,
    }
}

diesel::table! {
    board_decisions (id) {
        id -> Text,
        session_id -> Text,
        fund_id -> Text,
        application_id -> Text,
        outcome -> Text,
        approved_amount_minor -> Nullable<BigInt>,
        currency -> Text,
        conditions -> Nullable<Text>,
        rationale -> Text,
        grant_id -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Timestamp,
        overlap_weighing -> Nullable<Text>,
    }
}

diesel::table! {
    application_overlaps (application_id, project_id) {
        application_id -> Text,
        project_id -> Text,
        revision -> Integer,
        score -> Double,
        reasons -> Text,
        status -> Text,
        weighed_by_decision -> Nullable<Text>,
        found_at -> Timestamp,
    }
}

diesel::joinable!(review_assignments -> applications (application_id));
diesel::joinable!(board_session_trustees -> board_sessions (session_id));
diesel::joinable!(grant_instalments -> grants (grant_id));

diesel::table! {
    disbursements (id) {
        id -> Text,
        grant_id -> Text,
        instalment_id -> Text,
        fund_id -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        status -> Text,
        requested_by -> Nullable<Text>,
        requested_at -> Timestamp,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        paid_on -> Nullable<Date>,
        payment_reference -> Nullable<Text>,
        paid_by -> Nullable<Text>,
        paid_at -> Nullable<Timestamp>,
        cancelled_by -> Nullable<Text>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grant_refunds (id) {
        id -> Text,
        grant_id -> Text,
        fund_id -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        received_on -> Date,
        reference -> Text,
        recorded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    grant_reports (id) {
        id -> Text,
        grant_id -> Text,
        fund_id -> Text,
        organisation_id -> Text,
        kind -> Text,
        report_version -> Integer,
        supersedes_id -> Nullable<Text>,
        status -> Text,
        period_start -> Date,
        period_end -> Date,
        narrative -> Text,
        review_comment -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        submitted_by -> Nullable<Text>,
        submitted_at -> Timestamp,
        version -> BigInt,
        updated_at -> Timestamp,
        people_reached_to_date -> Nullable<BigInt>,
        narrative_cleared_at -> Nullable<Timestamp>,
        narrative_cleared_by -> Nullable<Text>,
    }
}

diesel::table! {
    report_beneficiaries (report_id, sex, age_group, exploitation) {
        report_id -> Text,
        sex -> Text,
        age_group -> Text,
        exploitation -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    report_services (report_id, service) {
        report_id -> Text,
        service -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    report_indicators (report_id, position) {
        report_id -> Text,
        position -> Integer,
        name -> Text,
        target -> Text,
        actual -> Text,
    }
}

diesel::table! {
    report_expenditure (report_id, category) {
        report_id -> Text,
        category -> Text,
        amount_minor -> BigInt,
        currency -> Text,
    }
}

diesel::table! {
    work_notices (user_id, covers_from) {
        user_id -> Text,
        covers_from -> Timestamp,
        covers_to -> Timestamp,
        items -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    donor_digests (fund_id, donor_id, covers_from) {
        fund_id -> Text,
        donor_id -> Text,
        covers_from -> Timestamp,
        covers_to -> Timestamp,
        reports -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    report_reminders (grant_id, due_on, report_kind, offset_days) {
        grant_id -> Text,
        due_on -> Date,
        report_kind -> Text,
        offset_days -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    outcome_totals (fund_id, grain, period, sex, age_group, exploitation) {
        fund_id -> Text,
        grain -> Text,
        period -> Date,
        sex -> Text,
        age_group -> Text,
        exploitation -> Text,
        total -> BigInt,
    }
}

diesel::table! {
    outcome_country_totals (fund_id, grain, period, country) {
        fund_id -> Text,
        grain -> Text,
        period -> Date,
        country -> Text,
        total -> BigInt,
    }
}

diesel::table! {
    outcome_service_totals (fund_id, grain, period, service) {
        fund_id -> Text,
        grain -> Text,
        period -> Date,
        service -> Text,
        total -> BigInt,
    }
}

diesel::table! {
    outcome_report_totals (fund_id, grain, period) {
        fund_id -> Text,
        grain -> Text,
        period -> Date,
        reports -> BigInt,
    }
}

diesel::table! {
    restricted_funds (contribution_id) {
        contribution_id -> Text,
        fund_id -> Text,
        donor_id -> Text,
        earmark -> Text,
        received_on -> Date,
        amount_minor -> BigInt,
        remaining_minor -> BigInt,
    }
}

diesel::table! {
    grant_draws (id) {
        id -> Text,
        grant_id -> Text,
        fund_id -> Text,
        position -> Integer,
        contribution_id -> Nullable<Text>,
        earmark -> Nullable<Text>,
        amount_minor -> BigInt,
        returned_minor -> BigInt,
    }
}

diesel::joinable!(grant_draws -> grants (grant_id));
diesel::joinable!(grants -> organisations (organisation_id));
diesel::joinable!(disbursements -> grants (grant_id));
diesel::joinable!(grant_reports -> grants (grant_id));
diesel::joinable!(report_beneficiaries -> grant_reports (report_id));
diesel::joinable!(report_services -> grant_reports (report_id));
diesel::joinable!(report_expenditure -> grant_reports (report_id));

diesel::table! {
    needs (id) {
        id -> Text,
        organisation_id -> Text,
        title -> Text,
        description -> Text,
        country -> Text,
        themes -> Text,
        kinds -> Text,
        start_on -> Date,
        end_on -> Date,
        budget_minor -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        link -> Nullable<Text>,
        restricted -> Bool,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offers (id) {
        id -> Text,
        organisation_id -> Text,
        title -> Text,
        description -> Text,
        countries -> Text,
        themes -> Text,
        kinds -> Text,
        start_on -> Date,
        end_on -> Date,
        capacity_minor -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        link -> Nullable<Text>,
        restricted -> Bool,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offer_countries (country, offer_id) {
        offer_id -> Text,
        country -> Text,
    }
}

diesel::table! {
    need_offer_matches (id) {
        id -> Text,
        need_id -> Text,
        offer_id -> Text,
        score_milli -> Integer,
        reasons -> Text,
        status -> Text,
        proposed_side -> Text,
        awaiting_side -> Text,
        proposed_by -> Text,
        decided_by -> Nullable<Text>,
        project_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(needs -> organisations (organisation_id));
diesel::joinable!(offers -> organisations (organisation_id));
diesel::joinable!(offer_countries -> offers (offer_id));

diesel::allow_tables_to_appear_in_same_query!(
    needs,
    offers,
    offer_countries,
    need_offer_matches,
    application_overlaps,
    second_factors,
    report_drafts,
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
    exchange_rates,
    pledges,
    contributions,
    ledger_entries,
    ledger_totals,
    ledger_daily_totals,
    idempotency_keys,
    registry_projects,
    registry_overlap_reviews,
    registry_state,
    review_assignments,
    board_sessions,
    board_session_trustees,
    grants,
    grant_instalments,
    board_decisions,
    disbursements,
    grant_refunds,
    grant_reports,
    report_beneficiaries,
    report_services,
    report_indicators,
    report_expenditure,
    report_reminders,
    donor_digests,
    work_notices,
    outcome_totals,
    outcome_country_totals,
    outcome_service_totals,
    outcome_report_totals,
    restricted_funds,
    grant_draws,
);
