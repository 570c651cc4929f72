//! `page`/`per_page`/`starting_after` for every list. Pages reach a window of
//! 10,000 rows by OFFSET (cheap there); beyond it, or for a stable walk over a
//! changing list, the cursor `starting_after` (the previous page's
//! `next_cursor`) pages by id and stays fast at any depth.

use crate::envelope::PageMeta;
use crate::error::{ApiError, ErrorCode, FieldErrors};
use crate::http::query::QueryParams;

pub const MAX_OFFSET_WINDOW: u64 = 10_000;
pub const DEFAULT_PER_PAGE: u64 = 15;
pub const MAX_PER_PAGE: u64 = 100;

#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
    pub starting_after: Option<i64>,
}

impl Paging {
    /// Reads the three parameters, recording bad ones in `errors`.
    pub fn read(params: &QueryParams, errors: &mut FieldErrors) -> Paging {
        let per_page = params.int("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, errors);
        let page = params.int("page", 1, 1, u32::MAX as u64, errors);
        let starting_after = params
            .get("starting_after")
            .and_then(|v| match v.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.insert(
                        "starting_after".into(),
                        vec!["The starting_after must be an id from next_cursor.".into()],
                    );
                    None
                }
            });
        Paging {
            page,
            per_page,
            starting_after,
        }
    }

    /// Rows to skip; refuses pages past the offset window.
    pub fn offset(&self) -> Result<u64, ApiError> {
        if self.starting_after.is_some() {
            return Ok(0);
        }
        let offset = (self.page - 1) * self.per_page;
        if offset + self.per_page > MAX_OFFSET_WINDOW {
            return Err(ApiError::new(
                ErrorCode::PageTooDeep,
                format!(
                    "Pages reach only the first {MAX_OFFSET_WINDOW} rows; walk further with starting_after (the next_cursor of the previous page)."
                ),
            ));
        }
        Ok(offset)
    }

    /// Rows to ask the store for: one more than a page tells whether another follows.
    pub fn limit(&self) -> u32 {
        self.per_page as u32 + 1
    }

    /// Trims the extra row and builds the paginator fields; `id` gives the cursor of a row.
    pub fn finish<T>(&self, items: &mut Vec<T>, total: u64, id: impl Fn(&T) -> i64) -> PageMeta {
        let has_more = items.len() > self.per_page as usize;
        items.truncate(self.per_page as usize);
        let next_cursor = has_more
            .then(|| items.last().map(|i| id(i).to_string()))
            .flatten();
        PageMeta::new(
            self.starting_after.is_none().then_some(self.page),
            self.per_page as u32,
            total,
            items.len(),
            next_cursor,
        )
    }
}
