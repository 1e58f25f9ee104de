//! The status line's message: what the last action said, or why it failed.

/// The last message for the status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Empty,
    Info(String),
    Error(String),
    /// The server ended the session: shown as an error, and the console asks to log in again.
    SignedOut(String),
}

impl Status {
    pub fn info(&mut self, text: impl Into<String>) {
        *self = Self::Info(text.into());
    }

    pub fn error(&mut self, text: impl Into<String>) {
        *self = Self::Error(text.into());
    }

    /// A failed backend call; an ended session also asks the console to log in again.
    pub fn backend_error(&mut self, error: &crate::backend::BackendError) {
        *self = match error {
            crate::backend::BackendError::Unauthorized(text) => Self::SignedOut(text.clone()),
            other => Self::Error(other.to_string()),
        };
    }
}
