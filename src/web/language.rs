//! `POST /language`: the language switch on every page. Sets the `lang` cookie and goes
//! back to the page it was on; for a signed-in user it is also their setting, in which
//! their emails are written (`auth::store::set_language`).

use actix_web::{HttpResponse, post};

use super::i18n::Lang;
use super::render::see_other;
use super::{PostedForm, Visitor, local_path, session};
use crate::db;
use crate::error::AppResult;

/// Chooses the language of the pages (`lang` = `en`, `fr` or `es`), then back to `back`.
#[utoipa::path(responses((status = 303, description = "back to the page")))]
#[post("/language")]
pub async fn choose_language(visitor: Visitor, form: PostedForm) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let mut back = see_other(local_path(form.get("back")));
    if let Some(lang) = Lang::from_code(form.get("lang")) {
        back.cookie(session::language_cookie(&visitor.state, lang.code()));
        if let Some(signed_in) = &visitor.user {
            let user_id = signed_in.user.id.clone();
            db::run(&visitor.state.pool, move |conn| {
                Ok(crate::auth::store::set_language(
                    conn,
                    &user_id,
                    lang.code(),
                )?)
            })
            .await?;
        }
    }
    Ok(back.finish())
}
