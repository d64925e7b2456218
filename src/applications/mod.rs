//! Grant applications, from the NGO's draft to the secretariat's screening.

pub mod model;
pub mod rules;
pub mod store;
