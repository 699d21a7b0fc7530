//! Review of submitted integrations. The state machine lives in `workflow`, and only there.

pub mod workflow;
