//! Field errors in the shape the license key API reports them (Laravel's validator):
//! `{"field": ["The field field is required."]}`.

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    /// Not one of the allowed values, or it names a record that does not exist.
    Invalid,
    Integer,
    Numeric,
    Boolean,
    Email,
    Url,
    Json,
    Taken,
    Date,
    AtLeast(u32),
    /// A message of the API's own (the contract endpoints write theirs by hand).
    Message(&'static str),
}

/// One field's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: &'static str, problem: Problem) -> Self {
        Self { field, problem }
    }

    /// The message Laravel writes: the field name with spaces for underscores.
    pub fn message(&self) -> String {
        let name = self.field.replace('_', " ");
        match self.problem {
            Problem::Required => format!("The {name} field is required."),
            Problem::Invalid => format!("The selected {name} is invalid."),
            Problem::Integer => format!("The {name} field must be an integer."),
            Problem::Numeric => format!("The {name} field must be a number."),
            Problem::Boolean => format!("The {name} field must be true or false."),
            Problem::Email => format!("The {name} field must be a valid email address."),
            Problem::Url => format!("The {name} field must be a valid URL."),
            Problem::Json => format!("The {name} field must be a valid JSON string."),
            Problem::Taken => format!("The {name} has already been taken."),
            Problem::Date => format!("The {name} field must match the format Y-m-d H:i:s."),
            Problem::AtLeast(n) => format!("The {name} field must be at least {n}."),
            Problem::Message(text) => text.to_owned(),
        }
    }
}

/// Collects field errors in the order the fields are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// A single error.
    pub fn one(field: &'static str, problem: Problem) -> Self {
        Self(vec![FieldError::new(field, problem)])
    }

    pub fn add(&mut self, field: &'static str, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was wrong.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_laravel() {
        assert_eq!(FieldError::new("product_id", Problem::Invalid).message(), "The selected product id is invalid.");
        assert_eq!(FieldError::new("name", Problem::Required).message(), "The name field is required.");
    }
}
