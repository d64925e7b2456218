//! A browser for the pages' tests: its own cookie jar, forms posted as
//! `application/x-www-form-urlencoded`, redirects not followed (so that each answer can be
//! checked).

use std::collections::HashMap;

use reqwest::redirect::Policy;

use super::TestApp;

/// A browser: its own cookie jar, no redirects followed.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub jar: HashMap<String, String>,
    language: Option<&'static str>,
    /// To read a second factor's secret, as the user's authenticator app knows it.
    pool: trustfund::db::DbPool,
}

/// An answer as the browser got it.
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub retry_after: Option<String>,
    pub text: String,
}

impl Answer {
    /// The `Set-Cookie` header that sets `name`, if any.
    pub fn cookie(&self, name: &str) -> Option<&String> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .text
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF field in:\n{}", self.text))
            + marker.len();
        self.text[start..]
            .split('"')
            .next()
            .expect("value")
            .to_string()
    }

    /// The value of the first field `name` of the page's forms (hidden or typed).
    pub fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} field in:\n{}", self.text))
            + marker.len();
        self.text[start..]
            .split('"')
            .next()
            .expect("value")
            .to_string()
    }

    /// The text of the error paragraph beside field `id`.
    pub fn error_beside(&self, id: &str) -> Option<String> {
        let marker = format!("<p class=\"error\" id=\"{id}-error");
        let start = self.text.find(&marker)?;
        let rest = &self.text[start..];
        let open = rest.find('>')? + 1;
        let close = rest.find("</p>")?;
        Some(rest[open..close].to_string())
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Browser {
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            base: app.base.clone(),
            jar: HashMap::new(),
            language: None,
            pool: app.pool.clone(),
        }
    }

    pub fn speaking(app: &TestApp, language: &'static str) -> Self {
        Browser {
            language: Some(language),
            ..Browser::new(app)
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let mut request = request.header("cookie", self.cookie_header());
        if let Some(language) = self.language {
            request = request.header("accept-language", language);
        }
        let response = request.send().await.expect("request sent");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let status = response.status().as_u16();
        let location = header("location");
        let retry_after = header("retry-after");
        let content_type = header("content-type").unwrap_or_default();
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        for cookie in &set_cookies {
            let pair = cookie.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').expect("name=value");
            if cookie.to_ascii_lowercase().contains("max-age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_string(), value.to_string());
            }
        }
        let text = response.text().await.expect("body");
        if status == 200 || (400..500).contains(&status) {
            assert!(
                content_type.starts_with("text/html"),
                "a page answers HTML, not {content_type}: {text}"
            );
        }
        Answer {
            status,
            location,
            set_cookies,
            retry_after,
            text,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// A `multipart/form-data` form, as a browser sends a file input: the text fields in
    /// order, then the file (`file_field`, its name, its bytes).
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, Vec<u8>),
    ) -> Answer {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        let (field, file_name, bytes) = file;
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        form = form.part(field.to_string(), part);
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.send(request).await
    }

    /// A download (not a page): status, content type, `Cache-Control` and body.
    pub async fn download(&mut self, path: &str) -> (u16, String, String, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request sent");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (content_type, cache) = (header("content-type"), header("cache-control"));
        let status = response.status().as_u16();
        (
            status,
            content_type,
            cache,
            response.text().await.expect("body"),
        )
    }

    /// Opens the sign-in page and signs in with it.
    /// Signs in with the form, and, for the roles that need one, with the second factor as
    /// the user's authenticator app would give it (enrolling at the first sign-in).
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        let answer = self.sign_in_password(email, password).await;
        match answer.location.as_deref() {
            Some("/login/enrol") => self.enrol().await,
            Some("/login/code") => {
                let (secret, last_step) = second_factor_secret(&self.pool, email);
                self.second_factor(&secret, last_step).await
            }
            _ => answer,
        }
    }

    /// The sign-in form only (email and password).
    pub async fn sign_in_password(&mut self, email: &str, password: &str) -> Answer {
        let form = self.get("/login").await;
        assert_eq!(form.status, 200, "{}", form.text);
        let csrf = form.csrf();
        self.post(
            "/login",
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await
    }

    /// Completes the enrolment page with a code of the secret it shows.
    pub async fn enrol(&mut self) -> Answer {
        let page = self.get("/login/enrol").await;
        assert_eq!(page.status, 200, "{}", page.text);
        let secret = shown_secret(&page.text);
        let code = current_code(&secret);
        self.post("/login/enrol", &[("csrf", &page.csrf()), ("code", &code)])
            .await
    }

    /// Completes the code page with a code of `secret` the server accepts now: of a step
    /// after `last_step` (the last one used), as a user whose app shows the next code.
    pub async fn second_factor(&mut self, secret: &str, last_step: Option<i64>) -> Answer {
        let page = self.get("/login/code").await;
        assert_eq!(page.status, 200, "{}", page.text);
        let code = unused_code(secret, last_step).await;
        self.post("/login/code", &[("csrf", &page.csrf()), ("code", &code)])
            .await
    }
}

/// The secret the enrolment page shows (in groups of four, for typing).
pub fn shown_secret(page: &str) -> String {
    let start = page.find("id=\"secret\">").expect("the secret is shown") + "id=\"secret\">".len();
    let end = page[start..].find('<').expect("end of the secret") + start;
    page[start..end].split_whitespace().collect()
}

/// The code an authenticator app shows now for `secret`.
pub fn current_code(secret: &str) -> String {
    let now = chrono::Utc::now().timestamp() as u64;
    trustfund::auth::second_factor::code_at(secret, now).expect("a code")
}

/// A code of `secret` accepted now and of a later step than `last_step`: the current
/// step's, or the next one's (accepted a step early), else, after waiting for the next
/// step, its code.
pub async fn unused_code(secret: &str, last_step: Option<i64>) -> String {
    loop {
        let now = chrono::Utc::now().timestamp();
        let step = now / 30;
        let wanted = last_step.map_or(step, |last| (last + 1).max(step));
        if wanted <= step + 1 {
            return trustfund::auth::second_factor::code_at(secret, (wanted * 30) as u64)
                .expect("a code");
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// The stored secret of `email`'s second factor (what the user's app holds) and the last
/// step used.
pub fn second_factor_secret(pool: &trustfund::db::DbPool, email: &str) -> (String, Option<i64>) {
    let mut conn = pool.get().expect("connection");
    let user = trustfund::auth::store::find_by_email(&mut conn, email)
        .expect("read")
        .expect("the user");
    let factor = trustfund::auth::second_factor::find(&mut conn, &user.id)
        .expect("read")
        .expect("enrolled");
    (factor.secret, factor.last_step)
}
