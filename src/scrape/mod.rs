//! Article fields from a news page: title, date, author, sapo, body.
