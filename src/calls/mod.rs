//! Calls for proposals: a fund's invitation to apply, with its deadline, ceiling,
//! eligible countries, themes, required documents and review rubric.

pub mod model;
pub mod rules;
pub mod store;
