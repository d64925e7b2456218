//! The HTTP, command line and property tests, as one test binary: every module below was a
//! binary of its own, each linking the whole crate. `common` holds the harness (a real
//! server per test), the `both_backends!` macros and the `World` builder.

#[macro_use]
mod common;

mod accounts;
mod adam;
mod application_overlaps;
mod application_pages;
mod applications;
mod auth;
mod backup;
mod board;
mod cli;
mod donors_told;
mod earmarks;
mod giving;
mod grant_pages;
mod grants;
mod grants_properties;
mod hardening;
mod instances;
mod journeys;
mod money_in;
mod money_in_properties;
mod needs_pages;
mod object_storage;
mod openapi;
mod opendata;
mod outbox;
mod overdue;
mod people_pages;
mod platform;
mod predictability;
mod public;
mod public_page;
mod register_page;
mod registry;
mod registry_form;
mod registry_pages;
mod report_drafts;
mod report_pages;
mod reports;
mod review;
mod review_pages;
mod second_factor;
mod sessions;
mod throttle;
mod web;
mod work_notices;
