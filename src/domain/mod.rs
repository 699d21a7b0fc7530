//! The portal's rules, with no HTTP in them: what an example body is and how far a parser may go.

pub mod example;
